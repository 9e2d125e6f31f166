import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryBus } from '@squirret/bus';
import { createDataSource } from '@squirret/database';
import { RateLimiter } from '@squirret/server-kit';
import { createFsrApp } from '../app';
import { loadFsrConfig } from '../config/fsr.config';
import { MemoryLiveStore } from '../live/memory-live-store';
import { FSR_DB, liveStoreSettings } from '../runtime';
import { SampleWriter } from '../samples/sample-writer';
import { SamplesRepository } from '../samples/samples.repository';

/**
 * The fsr app wired to inert I/O (a data source that is never connected, a writer that is never
 * started), enough to generate the OpenAPI document without a database.
 */
export async function createFsrOpenApiApp(): Promise<NestFastifyApplication> {
  const config = loadFsrConfig({ DATABASE_URL: 'postgres://openapi@127.0.0.1:1/none', LOG_LEVEL: 'silent' });
  const dataSource = createDataSource({ url: config.DATABASE_URL, ...FSR_DB });
  return createFsrApp(
    {
      config,
      dataSource,
      bus: new InMemoryBus(),
      store: new MemoryLiveStore(liveStoreSettings(config)),
      writer: new SampleWriter(new SamplesRepository(dataSource), { flushIntervalMs: 1000, flushMaxRows: 1, bufferMaxRows: 1 }),
      rateLimiter: new RateLimiter({ name: 'openapi', points: 1, durationSec: 1 }),
    },
    { level: 'silent', service: 'fsr-openapi' },
  );
}
