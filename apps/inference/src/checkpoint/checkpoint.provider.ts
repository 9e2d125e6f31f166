import { Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { InferenceConfig } from '../config/inference.config';
import { MemoryCheckpointStore, RedisCheckpointStore, SessionCheckpointStore } from './checkpoint-store';

/** Redis (own connection, keys under BUS_PREFIX) when REDIS_URL is set, memory otherwise. */
export function createCheckpointStore(config: Pick<InferenceConfig, 'REDIS_URL' | 'BUS_PREFIX'>): SessionCheckpointStore {
  if (!config.REDIS_URL) return new MemoryCheckpointStore();
  const logger = new Logger('checkpoints');
  let last = 0;
  return new RedisCheckpointStore(config.REDIS_URL, config.BUS_PREFIX, (message) => {
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

export const checkpointProviders = (config: InferenceConfig): Provider[] => [
  { provide: SessionCheckpointStore, useFactory: () => createCheckpointStore(config) },
  CheckpointStoreLifecycle,
];
