import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** The control plane's OpenAPI document, generated from its controllers and the contracts' schemas. */
export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Squirret control plane')
    .setDescription('Sessions, tokens, upgrade, inference allocation, refresh, finish and internal admin endpoints (seed 004).')
    .setVersion('1.0.0')
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/** Stable JSON text of the document (what is committed as openapi.json). */
export const openApiText = (doc: OpenAPIObject): string => `${JSON.stringify(doc, null, 2)}\n`;
