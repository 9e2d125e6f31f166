import { writeFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** What an app says about itself at the top of its OpenAPI document. */
export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  readonly version?: string;
}

/** An app's OpenAPI document, generated from its controllers' decorators and the contracts' zod schemas. */
export function buildOpenApi(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version ?? '1.0.0')
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/** Stable JSON text of a document (what an app commits as its openapi.json). */
export const openApiText = (doc: OpenAPIObject): string => `${JSON.stringify(doc, null, 2)}\n`;

/** Serves `doc` at `GET /openapi.json`. */
export function serveOpenApi(app: NestFastifyApplication, doc: OpenAPIObject): void {
  app
    .getHttpAdapter()
    .getInstance()
    .get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));
}

/** Builds an app's document from an app made for the purpose, writes it to `file`, closes the app. */
export async function writeOpenApi(
  createApp: () => Promise<INestApplication>,
  build: (app: INestApplication) => OpenAPIObject,
  file: string,
): Promise<void> {
  const app = await createApp();
  try {
    writeFileSync(file, openApiText(build(app)));
  } finally {
    await app.close();
  }
  console.log(`wrote ${file}`);
}
