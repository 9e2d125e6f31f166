import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { createBus, redisConnectionsFor } from '@squirret/bus';
import { KitModule, createHttpApp, runMain, serve, serveApiDocs } from '@squirret/server-kit';
import { loadInferenceConfig } from './config/inference.config';
import { InferenceModule } from './inference.module';

@Module({})
class InferenceRootModule {}

/** Standalone data-plane node (distributed mode): REDIS_URL makes it visible to the control plane. */
runMain(async () => {
  const config = loadInferenceConfig(process.env);
  const redis = redisConnectionsFor(config.REDIS_URL);
  const bus = createBus({ redis, prefix: config.BUS_PREFIX });
  const app = await createHttpApp(
    {
      module: InferenceRootModule,
      imports: [
        KitModule.forRoot({ logging: { level: config.LOG_LEVEL, service: 'inference' }, internalApiKey: undefined }),
        InferenceModule.forRoot({ config, bus, redis }),
      ],
    },
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: config.TRUST_PROXY },
  );
  serveApiDocs(app, { title: 'Squirret inference node', openapi: [], asyncapi: true });
  await serve(app, { name: 'inference', host: config.HOST, port: config.PORT, onClose: async () => {
      await bus.close();
      await redis?.close();
    },
  });
});
