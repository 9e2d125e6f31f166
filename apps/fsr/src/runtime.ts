import { createBus, redisConnectionsFor, type Bus, type RedisConnections } from '@squirret/bus';
import { openDatabase } from '@squirret/database';
import { RateLimiter } from '@squirret/server-kit';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { FsrConfig } from './config/fsr.config';
import type { FsrDeps } from './fsr.module';
import type { LiveStore, LiveStoreSettings } from './live/live-store';
import { MemoryLiveStore } from './live/memory-live-store';
import { RedisLiveStore } from './live/redis-live-store';
import { FSR_MIGRATIONS } from './migrations';
import { FsrSampleEntity } from './samples/fsr-sample.entity';
import { SampleJournal } from './samples/sample-journal';
import { SampleWriter } from './samples/sample-writer';
import { SamplesRepository } from './samples/samples.repository';

/** The fsr service's entities and migrations, for its data source. */
export const FSR_DB = {
  entities: [FsrSampleEntity],
  migrations: FSR_MIGRATIONS,
  migrationsTableName: 'fsr_migrations',
};

/** Opens the fsr service's database (running its migrations). */
export function openFsrDatabase(url: string): Promise<DataSource> {
  return openDatabase({ url, ...FSR_DB, applicationName: 'squirret-fsr' });
}

/** Bounds of the live state, from the config. */
export function liveStoreSettings(config: FsrConfig): LiveStoreSettings {
  return {
    windowMs: config.FSR_FEEDBACK_WINDOW_MS,
    // Twice what the rate limit lets through in a window (so it never bites a well-behaved device),
    // within [1,000, 20,000]: the feedback reads the whole window, so it must stay small.
    windowCap: Math.min(
      20_000,
      Math.max(1_000, Math.ceil((2 * config.FSR_RATE_LIMIT * config.FSR_FEEDBACK_WINDOW_MS) / (config.FSR_RATE_WINDOW_SEC * 1000))),
    ),
    latestTtlMs: config.FSR_LATEST_TTL_SEC * 1000,
    aiStatusTtlMs: config.FSR_AI_STATUS_MAX_AGE_SEC * 1000,
    tickTtlMs: config.FSR_FEEDBACK_INTERVAL_MS * 3,
  };
}

/** The live store the config asks for: Redis when there is a Redis connection, memory otherwise. */
export function createLiveStore(config: FsrConfig, redis: Redis | undefined): LiveStore {
  const settings = liveStoreSettings(config);
  return redis
    ? new RedisLiveStore(redis, config.BUS_PREFIX, { ...settings, maxFutureSkewMs: config.FSR_MAX_FUTURE_SKEW_SEC * 1000 })
    : new MemoryLiveStore(settings);
}

/** Whether the config asks for a journal (a directory, not `off`). */
export function journalDirOf(config: FsrConfig): string | undefined {
  const dir = config.FSR_JOURNAL_DIR;
  return dir === undefined || dir === 'off' ? undefined : dir;
}

/** Builds everything the fsr module needs; `close()` flushes the sample writer, then releases the rest. */
export async function createFsrDeps(
  config: FsrConfig,
  shared: { bus?: Bus; redis?: RedisConnections } = {},
): Promise<{ deps: FsrDeps; close: () => Promise<void> }> {
  const dataSource = await openFsrDatabase(config.DATABASE_URL);
  const ownRedis = shared.redis ? undefined : redisConnectionsFor(config.REDIS_URL);
  const redis = shared.redis ?? ownRedis;
  const ownBus = shared.bus ? undefined : createBus({ redis, prefix: config.BUS_PREFIX });
  const bus = shared.bus ?? ownBus!;
  // The live store gets a connection of its own that fails fast (no offline queue, 1 s per
  // command): while Redis is away, ingest still answers 202 (the rows go to PostgreSQL) and reads
  // answer 503 at once, instead of every request waiting in ioredis's queue for the outage.
  const liveRedis = redis?.failFast('squirret-fsr-live', { commandTimeoutMs: 1_000 });
  const journalDir = journalDirOf(config);
  const journalId = journalDir === undefined ? undefined : SampleJournal.idOf(journalDir);
  const repository = new SamplesRepository(dataSource, journalId);
  const writer = new SampleWriter(repository, {
    flushIntervalMs: config.FSR_FLUSH_INTERVAL_MS,
    flushMaxRows: config.FSR_FLUSH_MAX_ROWS,
    bufferMaxRows: config.FSR_BUFFER_MAX_ROWS,
    retryMaxMs: config.FSR_FLUSH_RETRY_MAX_MS,
    closeBudgetMs: config.FSR_SHUTDOWN_FLUSH_MS,
  });
  let journal: SampleJournal | undefined;
  if (journalDir !== undefined && journalId !== undefined) {
    // Replay before anything new is taken: rows after the committed mark, in journal order.
    const opened = await SampleJournal.open(
      { dir: journalDir, sync: config.FSR_JOURNAL_SYNC, segmentBytes: config.FSR_JOURNAL_SEGMENT_BYTES },
      await repository.journalMark(journalId),
    );
    journal = opened.journal;
    writer.listen({ settled: (rows) => opened.journal.settled(rows) });
    if (opened.replay.length > 0) {
      writer.enqueue(opened.replay, true);
      console.log(JSON.stringify({ level: 'info', service: 'fsr', msg: 'replaying the sample journal', rows: opened.replay.length, skippedLines: opened.skippedLines }));
    }
  }
  writer.start();
  const rateLimiter = new RateLimiter(
    { name: 'fsr-ingest', points: config.FSR_RATE_LIMIT, durationSec: config.FSR_RATE_WINDOW_SEC },
    redis?.limiter,
    `${config.BUS_PREFIX}rl`,
  );
  return {
    deps: { config, dataSource, bus, store: createLiveStore(config, liveRedis), writer, journal, rateLimiter },
    close: async () => {
      // Runs after the HTTP server closed: no request can enqueue any more, so this flush is the last.
      await writer.close();
      // With everything stored the journal is emptied; otherwise it keeps the rest for the next start.
      await journal?.close();
      await ownBus?.close();
      await ownRedis?.close();
      await dataSource.destroy();
    },
  };
}
