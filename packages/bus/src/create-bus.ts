import type { Bus, BusLogger } from './bus';
import { InMemoryBus } from './memory-bus';
import { RedisBus } from './redis-bus';

/** Local first, Redis optional: the Redis bus when a URL is configured, else the in-memory one. */
export function createBus(options: { redisUrl?: string | undefined; prefix?: string; logger?: BusLogger }): Bus {
  if (options.redisUrl) {
    return new RedisBus({
      url: options.redisUrl,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  }
  return new InMemoryBus(options.logger);
}
