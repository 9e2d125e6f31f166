import { InMemoryBus } from '@squirret/bus';
import { createDataSource } from '@squirret/database';
import { InProcessJobQueue, RateLimiter } from '@squirret/server-kit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createControlPlaneApp } from '../app';
import { loadControlPlaneConfig } from '../config/control-plane.config';
import { CONTROL_PLANE_DB } from '../runtime';
import type { UsageJobs } from '../usage/usage.jobs';

/**
 * The control-plane app wired to inert I/O (a data source that is never connected), enough to
 * generate the OpenAPI document without a database.
 */
export async function createOpenApiApp(): Promise<NestFastifyApplication> {
  const config = loadControlPlaneConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/none',
    SESSION_TOKEN_SECRET: 'openapi-generation-only-secret-000000',
    INFERENCE_TOKEN_SECRET: 'openapi-generation-only-secret-111111',
    LOG_LEVEL: 'silent',
  });
  return createControlPlaneApp({
    config,
    dataSource: createDataSource({ url: config.DATABASE_URL, ...CONTROL_PLANE_DB }),
    bus: new InMemoryBus(),
    jobs: new InProcessJobQueue<UsageJobs>(),
    sessionRateLimiter: new RateLimiter({ name: 'openapi', points: 1, durationSec: 1 }),
  });
}
