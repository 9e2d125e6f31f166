import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApi } from '@squirret/server-kit';

/** The fsr service's OpenAPI document (committed as apps/fsr/openapi.json, served at /openapi.json). */
export function buildFsrOpenApi(app: INestApplication): OpenAPIObject {
  return buildOpenApi(app, {
    title: 'Squirret FSR service',
    description:
      'ESP32 insole ingest (single and batch), latest feet, 10-second and combined AI + FSR feedback, device tokens (docs/contracts/ios-api.md section 5). ' +
      'The live stream is a plain WebSocket at /ws/fsr-data (see apps/fsr/README.md).',
  });
}
