import type { Bus, BusLogger } from './bus';
import { InMemoryBus } from './memory-bus';
import { RedisBus } from './redis-bus';
import type { RedisConnections } from './redis-connections';

/** Local first, Redis optional: the Redis bus on the process's connections when there are some, else the in-memory one. */
export function createBus(options: { redis: RedisConnections | undefined; prefix?: string; logger?: BusLogger }): Bus {
  if (options.redis) {
    return new RedisBus({
      connections: options.redis,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  }
  return new InMemoryBus(options.logger);
}
