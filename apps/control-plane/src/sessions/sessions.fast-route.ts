import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CreateInferenceSessionRequestSchema } from '@squirret/contracts';
import { parseOrThrow, type FastRoute } from '@squirret/server-kit';
import type { ControlPlaneConfig } from '../config/control-plane.config';
import { CP_CONFIG } from '../control-plane.tokens';
import { InferenceSessionsController } from './inference-sessions.controller';

/**
 * `POST /api/session` (every stream starts here) as a fast route: the controller's own steps
 * (rate limit on the client address, allocation, the INSERT, the token), called with the
 * validated body, without the framework's per-request pipeline, which cost about as much as the
 * route's own work (bench/control-plane). The Nest route stays registered (OpenAPI, and the path
 * used when CONTROL_PLANE_FAST_SESSION=false); session-fast-route.integration-spec holds both to
 * the same answers.
 */
export function controlPlaneFastRoutes(app: NestFastifyApplication): FastRoute[] {
  const config = app.get<ControlPlaneConfig>(CP_CONFIG, { strict: false });
  if (!config.CONTROL_PLANE_FAST_SESSION) return [];
  const sessions = app.get(InferenceSessionsController, { strict: false });
  return [
    {
      method: 'POST',
      path: '/api/session',
      status: 200,
      handle: (req) => sessions.createFor(req.ip, parseOrThrow(CreateInferenceSessionRequestSchema, req.body)),
    },
  ];
}
