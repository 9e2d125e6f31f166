import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildOpenApi, serveOpenApi, type OpenApiInfo } from '@squirret/server-kit';
import type { OpenAPIObject } from '@nestjs/swagger';

export const CONTROL_PLANE_OPENAPI: OpenApiInfo = {
  title: 'Squirret control plane',
  description: 'Sessions, tokens, upgrade, inference allocation, refresh, finish and internal admin endpoints (docs/contracts/ios-api.md).',
};

/** The control plane's OpenAPI document. */
export function buildControlPlaneOpenApi(app: INestApplication): OpenAPIObject {
  return buildOpenApi(app, CONTROL_PLANE_OPENAPI);
}

/** Serves the app's OpenAPI document (its own, or the all-in-one process's) at `GET /openapi.json`. */
export function serveControlPlaneOpenApi(app: NestFastifyApplication): void {
  serveOpenApi(app, buildControlPlaneOpenApi(app));
}
