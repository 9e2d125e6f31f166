import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { createBus } from '@squirret/bus';
import { KitModule, createHttpApp, runMain, serve } from '@squirret/server-kit';
import { loadFsrConfig } from './config/fsr.config';
import { FsrModule } from './fsr.module';

@Module({})
class FsrRootModule {}

/** Standalone fsr service (distributed mode). */
runMain(async () => {
  const config = loadFsrConfig(process.env);
  const bus = createBus({ redisUrl: config.REDIS_URL, prefix: config.BUS_PREFIX });
  const app = await createHttpApp(
    {
      module: FsrRootModule,
      imports: [
        KitModule.forRoot({ logging: { level: config.LOG_LEVEL, service: 'fsr' }, internalApiKey: undefined }),
        FsrModule.forRoot({ config, bus }),
      ],
    },
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: config.TRUST_PROXY },
  );
  await serve(app, { name: 'fsr', host: config.HOST, port: config.PORT, onClose: () => bus.close() });
});
