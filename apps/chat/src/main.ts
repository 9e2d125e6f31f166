import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { KitModule, createHttpApp, runMain, serve, serveApiDocs } from '@squirret/server-kit';
import { ChatModule } from './chat.module';
import { loadChatConfig } from './config/chat.config';
import { createChatDeps } from './runtime';

@Module({})
class ChatRootModule {}

/** Standalone chat service (distributed mode). */
runMain(async () => {
  const config = loadChatConfig(process.env);
  const { deps, close } = await createChatDeps(config);
  const app = await createHttpApp(
    {
      module: ChatRootModule,
      imports: [KitModule.forRoot({ logging: { level: config.LOG_LEVEL, service: 'chat' }, internalApiKey: undefined }), ChatModule.forRoot(deps)],
    },
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: config.TRUST_PROXY },
  );
  // chat has no OpenAPI document of its own yet (its REST routes are in the all-in-one process's)
  serveApiDocs(app, { title: 'Squirret chat service', openapi: [], asyncapi: true });
  await serve(app, { name: 'chat', host: config.HOST, port: config.PORT, onClose: close });
});
