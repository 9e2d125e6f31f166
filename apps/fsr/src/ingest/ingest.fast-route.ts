import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastRoute } from '@squirret/server-kit';
import { FSR_CONFIG } from '../fsr.tokens';
import type { FsrConfig } from '../config/fsr.config';
import { IngestController } from './ingest.controller';

/**
 * `POST /api/fsr_data` (the ESP32's many-times-a-second post) as a fast route: the controller's own
 * method, called with the headers and the parsed body, without the framework's per-request
 * pipeline. The Nest route stays registered (OpenAPI, and the path used when FSR_FAST_INGEST=false);
 * ingest-fast-route.integration-spec holds both to the same answers.
 */
export function fsrFastRoutes(app: NestFastifyApplication): FastRoute[] {
  const config = app.get<FsrConfig>(FSR_CONFIG, { strict: false });
  if (!config.FSR_FAST_INGEST) return [];
  const ingest = app.get(IngestController, { strict: false });
  return [{ method: 'POST', path: '/api/fsr_data', status: 202, handle: (req) => ingest.ingestOne(req.headers, req.body) }];
}
