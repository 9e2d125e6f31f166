import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiText } from '@squirret/server-kit';
import { buildControlPlaneOpenApi } from './build-openapi';
import { createOpenApiApp } from './openapi-app';

/** `npm run openapi -w apps/control-plane`: regenerates the committed openapi.json. */
async function main(): Promise<void> {
  const app = await createOpenApiApp();
  const file = resolve(__dirname, '../../../openapi.json');
  writeFileSync(file, openApiText(buildControlPlaneOpenApi(app)));
  await app.close();
  console.log(`wrote ${file}`);
}

void main();
