import { createBus, redisConnectionsFor, type Bus, type RedisConnections } from '@squirret/bus';
import { RateLimiter } from '@squirret/server-kit';
import { openDatabase } from '@squirret/database';
import type { ChatConfig } from './config/chat.config';
import type { ChatDeps } from './chat.module';
import { CHAT_MIGRATIONS } from './migrations';

/** Builds what the chat module needs; `close()` releases it. */
export async function createChatDeps(config: ChatConfig, shared: { bus?: Bus; redis?: RedisConnections } = {}): Promise<{ deps: ChatDeps; close: () => Promise<void> }> {
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    entities: [],
    migrations: CHAT_MIGRATIONS,
    migrationsTableName: 'chat_migrations',
    applicationName: 'squirret-chat',
  });
  const ownRedis = shared.redis ? undefined : redisConnectionsFor(config.REDIS_URL);
  const redis = shared.redis ?? ownRedis;
  const ownBus = shared.bus ? undefined : createBus({ redis, prefix: config.BUS_PREFIX });
  const bus = shared.bus ?? ownBus!;
  // Shared by every instance through Redis when there is Redis, else per process.
  const messageRateLimiter = new RateLimiter(
    { name: 'chat-messages', points: config.CHAT_RATE_LIMIT, durationSec: config.CHAT_RATE_WINDOW_SEC },
    redis?.limiter,
    `${config.BUS_PREFIX}rl`,
  );
  return {
    deps: { config, bus, dataSource, messageRateLimiter },
    close: async () => {
      await ownBus?.close();
      await ownRedis?.close();
      await dataSource.destroy();
    },
  };
}
