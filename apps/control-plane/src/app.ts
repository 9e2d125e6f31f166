import { Module, type DynamicModule } from '@nestjs/common';
import { KitModule, createHttpApp, serveApiDocs, type LoggingOptions } from '@squirret/server-kit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ControlPlaneModule, type ControlPlaneDeps } from './control-plane.module';
import { serveControlPlaneOpenApi } from './openapi/build-openapi';
import { mountQueueBoard } from './queue-board/queue-board';
import { controlPlaneFastRoutes } from './sessions/sessions.fast-route';

@Module({})
class ControlPlaneRootModule {}

/** The control plane on its own: its module plus logging, metrics and health. */
export function controlPlaneRoot(deps: ControlPlaneDeps, logging: LoggingOptions): DynamicModule {
  return {
    module: ControlPlaneRootModule,
    imports: [KitModule.forRoot({ logging, internalApiKey: deps.config.INTERNAL_API_KEY }), ControlPlaneModule.forRoot(deps)],
  };
}

/** Builds (does not start) the standalone control-plane HTTP app. */
export async function createControlPlaneApp(deps: ControlPlaneDeps, logging?: LoggingOptions): Promise<NestFastifyApplication> {
  const app = await createHttpApp(controlPlaneRoot(deps, logging ?? { level: deps.config.LOG_LEVEL, service: 'control-plane' }), {
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    trustProxy: deps.config.TRUST_PROXY,
    fastRoutes: controlPlaneFastRoutes,
  });
  serveControlPlaneOpenApi(app);
  await mountQueueBoard(app, [deps.jobs], deps.config.INTERNAL_API_KEY);
  serveApiDocs(app, { title: 'Squirret control plane', openapi: [{ name: 'Control plane', url: '/openapi.json' }], asyncapi: true });
  return app;
}
