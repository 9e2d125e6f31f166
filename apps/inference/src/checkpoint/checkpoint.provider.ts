import { Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { RedisConnections } from '@squirret/bus';
import type { InferenceConfig } from '../config/inference.config';
import { MemoryCheckpointStore, RedisCheckpointStore, SessionCheckpointStore } from './checkpoint-store';

/** Redis (a fail-fast connection of its own name, keys under BUS_PREFIX) when the process has Redis, memory otherwise. */
export function createCheckpointStore(config: Pick<InferenceConfig, 'BUS_PREFIX'>, redis: RedisConnections | undefined): SessionCheckpointStore {
  if (!redis) return new MemoryCheckpointStore();
  const logger = new Logger('checkpoints');
  let last = 0;
  const connection = redis.failFast('squirret-inference-checkpoints', { commandTimeoutMs: 1_000 });
  return new RedisCheckpointStore(connection, config.BUS_PREFIX, (message) => {
    // One line per 10 s at most while Redis is away.
    if (Date.now() - last > 10_000) {
      last = Date.now();
      logger.warn({ err: message }, 'checkpoint store connection error');
    }
  });
}

/** Closes the store last (after the drain has written its checkpoints). */
@Injectable()
export class CheckpointStoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly store: SessionCheckpointStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

export const checkpointProviders = (config: InferenceConfig, redis: RedisConnections | undefined): Provider[] => [
  { provide: SessionCheckpointStore, useFactory: () => createCheckpointStore(config, redis) },
  CheckpointStoreLifecycle,
];
