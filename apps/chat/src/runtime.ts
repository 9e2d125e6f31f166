import { createBus, type Bus } from '@squirret/bus';
import { openDatabase } from '@squirret/database';
import type { ChatConfig } from './config/chat.config';
import type { ChatDeps } from './chat.module';
import { CHAT_MIGRATIONS } from './migrations';

/** Builds what the chat module needs; `close()` releases it. */
export async function createChatDeps(config: ChatConfig, shared: { bus?: Bus } = {}): Promise<{ deps: ChatDeps; close: () => Promise<void> }> {
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    entities: [],
    migrations: CHAT_MIGRATIONS,
    migrationsTableName: 'chat_migrations',
    applicationName: 'squirret-chat',
  });
  const ownBus = shared.bus ? undefined : createBus({ redisUrl: config.REDIS_URL, prefix: config.BUS_PREFIX });
  const bus = shared.bus ?? ownBus!;
  return {
    deps: { config, bus, dataSource },
    close: async () => {
      await ownBus?.close();
      await dataSource.destroy();
    },
  };
}
