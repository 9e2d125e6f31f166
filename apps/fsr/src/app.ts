import { Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { KitModule, createHttpApp, serveApiDocs, serveOpenApi, type LoggingOptions } from '@squirret/server-kit';
import { FSR_INGEST_ROUTES, FsrModule, type FsrDeps } from './fsr.module';
import { fsrFastRoutes } from './ingest/ingest.fast-route';
import { buildFsrOpenApi } from './openapi/fsr-openapi';

@Module({})
class FsrRootModule {}

/** The fsr service on its own: its module plus logging, metrics and health. */
export function fsrRoot(deps: FsrDeps, logging: LoggingOptions): DynamicModule {
  return {
    module: FsrRootModule,
    imports: [
      KitModule.forRoot({ logging: { unloggedPostRoutes: FSR_INGEST_ROUTES, ...logging }, internalApiKey: deps.config.INTERNAL_API_KEY }),
      FsrModule.forRoot(deps),
    ],
  };
}

/** Builds (does not start) the standalone fsr HTTP app. */
export async function createFsrApp(deps: FsrDeps, logging?: LoggingOptions): Promise<NestFastifyApplication> {
  const app = await createHttpApp(fsrRoot(deps, logging ?? { level: deps.config.LOG_LEVEL, service: 'fsr' }), {
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    trustProxy: deps.config.TRUST_PROXY,
    fastRoutes: fsrFastRoutes,
  });
  serveOpenApi(app, buildFsrOpenApi(app));
  serveApiDocs(app, { title: 'Squirret FSR service', openapi: [{ name: 'FSR service', url: '/openapi.json' }], asyncapi: true });
  return app;
}
