import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { createBus } from '@squirret/bus';
import { KitModule, createHttpApp, runMain, serve } from '@squirret/server-kit';
import { loadChatConfig } from './config/chat.config';
import { ChatModule } from './chat.module';

@Module({})
class ChatRootModule {}

/** Standalone chat service (distributed mode). */
runMain(async () => {
  const config = loadChatConfig(process.env);
  const bus = createBus({ redisUrl: config.REDIS_URL, prefix: config.BUS_PREFIX });
  const app = await createHttpApp(
    {
      module: ChatRootModule,
      imports: [
        KitModule.forRoot({ logging: { level: config.LOG_LEVEL, service: 'chat' }, internalApiKey: undefined }),
        ChatModule.forRoot({ config, bus }),
      ],
    },
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: config.TRUST_PROXY },
  );
  await serve(app, { name: 'chat', host: config.HOST, port: config.PORT, onClose: () => bus.close() });
});
