import { Global, Module, type DynamicModule } from '@nestjs/common';
import { HealthController, HealthRegistry } from './health/health';
import { loggerModule, type LoggingOptions } from './logging/logger';
import { MetricsController, MetricsService } from './metrics/metrics';
import { INTERNAL_API_KEY, InternalKeyGuard } from './security/internal-key.guard';
import { WsUpgradeRouter } from './ws/upgrade-router';

/** Options of the kit module: logging and the internal API key. */
export interface KitOptions {
  readonly logging: LoggingOptions;
  readonly internalApiKey: string | undefined;
}

/**
 * Imported once by each process's root module: logging, metrics, health, the internal-key guard.
 * Feature modules inject HealthRegistry and MetricsService from here.
 */
@Global()
@Module({})
export class KitModule {
  static forRoot(options: KitOptions): DynamicModule {
    return {
      module: KitModule,
      imports: [loggerModule(options.logging)],
      controllers: [HealthController, MetricsController],
      providers: [MetricsService, HealthRegistry, InternalKeyGuard, WsUpgradeRouter, { provide: INTERNAL_API_KEY, useValue: options.internalApiKey }],
      exports: [MetricsService, HealthRegistry, InternalKeyGuard, WsUpgradeRouter, INTERNAL_API_KEY],
    };
  }
}
