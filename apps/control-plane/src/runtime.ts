import { createBus, redisConnectionsFor, type Bus, type RedisConnections } from '@squirret/bus';
import { openDatabase } from '@squirret/database';
import { BullMqJobQueue, InProcessJobQueue, RateLimiter, type JobQueue } from '@squirret/server-kit';
import type { DataSource } from 'typeorm';
import type { ControlPlaneConfig } from './config/control-plane.config';
import type { ControlPlaneDeps } from './control-plane.module';
import { CONTROL_PLANE_MIGRATIONS } from './migrations';
import { SessionEntity } from './sessions/session.entity';
import { SessionUsageEntity } from './usage/session-usage.entity';
import { CONTROL_PLANE_QUEUE, type UsageJobs } from './usage/usage.jobs';

/** The control plane's entities and migrations, for its data source. */
export const CONTROL_PLANE_DB = {
  entities: [SessionEntity, SessionUsageEntity],
  migrations: CONTROL_PLANE_MIGRATIONS,
  migrationsTableName: 'cp_migrations',
};

/** Opens the control plane's database (running its migrations). */
export function openControlPlaneDatabase(url: string): Promise<DataSource> {
  return openDatabase({ url, ...CONTROL_PLANE_DB, applicationName: 'squirret-control-plane' });
}

/** Builds everything the control plane's module needs; `close()` releases it in reverse order. */
export async function createControlPlaneDeps(
  config: ControlPlaneConfig,
  shared: { bus?: Bus; redis?: RedisConnections } = {},
): Promise<{ deps: ControlPlaneDeps; close: () => Promise<void> }> {
  const dataSource = await openControlPlaneDatabase(config.DATABASE_URL);
  const ownRedis = shared.redis ? undefined : redisConnectionsFor(config.REDIS_URL);
  const redis = shared.redis ?? ownRedis;
  const ownBus = shared.bus ? undefined : createBus({ redis, prefix: config.BUS_PREFIX });
  const bus = shared.bus ?? ownBus!;
  const jobs: JobQueue<UsageJobs> = config.REDIS_URL
    ? new BullMqJobQueue<UsageJobs>({ redisUrl: config.REDIS_URL, queueName: CONTROL_PLANE_QUEUE, prefix: `${config.BUS_PREFIX}bull` })
    : new InProcessJobQueue<UsageJobs>(undefined, CONTROL_PLANE_QUEUE);
  const sessionRateLimiter = new RateLimiter(
    { name: 'session-issue', points: config.CONTROL_PLANE_SESSION_RATE_LIMIT, durationSec: config.CONTROL_PLANE_SESSION_RATE_WINDOW_SEC },
    redis?.limiter,
    `${config.BUS_PREFIX}rl`,
  );
  return {
    deps: { config, dataSource, bus, jobs, sessionRateLimiter },
    close: async () => {
      await jobs.close();
      await ownBus?.close();
      await ownRedis?.close();
      await dataSource.destroy();
    },
  };
}
