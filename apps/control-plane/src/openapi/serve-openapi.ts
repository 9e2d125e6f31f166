import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildOpenApi } from './build-openapi';

/** Serves the app's OpenAPI document at `GET /openapi.json`. */
export function serveOpenApi(app: NestFastifyApplication): void {
  const doc = buildOpenApi(app);
  app
    .getHttpAdapter()
    .getInstance()
    .get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));
}
