import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiText } from '@squirret/server-kit';
import { buildFsrOpenApi } from './fsr-openapi';
import { createFsrOpenApiApp } from './openapi-app';

/** `npm run openapi -w apps/fsr`: regenerates the committed openapi.json. */
async function main(): Promise<void> {
  const app = await createFsrOpenApiApp();
  const file = resolve(__dirname, '../../../openapi.json');
  writeFileSync(file, openApiText(buildFsrOpenApi(app)));
  await app.close();
  console.log(`wrote ${file}`);
}

void main();
