import { Module, type DynamicModule } from '@nestjs/common';
import { TokenService } from '@squirret/auth';
import type { Bus } from '@squirret/bus';
import { DependencyHealth, RateLimiter, type JobQueue } from '@squirret/server-kit';
import type { DataSource } from 'typeorm';
import { SessionAdminController } from './admin/session-admin.controller';
import { ConsolePagesController } from './console/console-pages.controller';
import { SessionAdminService } from './admin/session-admin.service';
import { AiStatusController } from './ai-status/ai-status.controller';
import { NODE_ALLOCATOR } from './allocation/node-allocator';
import { NodeRegistry } from './allocation/node-registry';
import type { ControlPlaneConfig } from './config/control-plane.config';
import {
  CP_BUS,
  CP_CLOCK,
  CP_CONFIG,
  CP_DATA_SOURCE,
  CP_JOBS,
  CP_SESSION_RATE_LIMITER,
  CP_TOKENS,
  systemClock,
  type Clock,
} from './control-plane.tokens';
import { AppSessionsController } from './sessions/app-sessions.controller';
import { InferenceSessionsController } from './sessions/inference-sessions.controller';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { SESSIONS_STORE } from './sessions/sessions.store';
import { UsageRepository } from './usage/usage.repository';
import { UsageService } from './usage/usage.service';
import type { UsageJobs } from './usage/usage.jobs';
import { ControlPlaneMetrics } from './control-plane.metrics';

/** The control plane's I/O, built by its runtime (standalone) or by the all-in-one process. */
export interface ControlPlaneDeps {
  readonly config: ControlPlaneConfig;
  readonly dataSource: DataSource;
  readonly bus: Bus;
  readonly jobs: JobQueue<UsageJobs>;
  readonly sessionRateLimiter: RateLimiter;
  readonly clock?: Clock;
}


/** The control plane: sessions, tokens, upgrade, allocation, refresh, finish, usage, AI status. */
@Module({})
export class ControlPlaneModule {
  static forRoot(deps: ControlPlaneDeps): DynamicModule {
    const c = deps.config;
    return {
      module: ControlPlaneModule,
      controllers: [AppSessionsController, InferenceSessionsController, AiStatusController, SessionAdminController, ConsolePagesController],
      providers: [
        { provide: CP_CONFIG, useValue: c },
        { provide: CP_DATA_SOURCE, useValue: deps.dataSource },
        { provide: CP_BUS, useValue: deps.bus },
        { provide: CP_JOBS, useValue: deps.jobs },
        { provide: CP_CLOCK, useValue: deps.clock ?? systemClock },
        { provide: CP_SESSION_RATE_LIMITER, useValue: deps.sessionRateLimiter },
        {
          provide: CP_TOKENS,
          useValue: new TokenService({
            sessionSecret: c.SESSION_TOKEN_SECRET,
            inferenceSecret: c.INFERENCE_TOKEN_SECRET,
            sessionTtlSec: c.CONTROL_PLANE_SESSION_TOKEN_TTL_SEC,
            inferenceTtlSec: c.CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC,
            clockToleranceSec: c.TOKEN_CLOCK_SKEW_SEC,
          }),
        },
        SessionsRepository,
        { provide: SESSIONS_STORE, useExisting: SessionsRepository },
        NodeRegistry,
        { provide: NODE_ALLOCATOR, useExisting: NodeRegistry },
        UsageRepository,
        SessionAdminService,
        UsageService,
        SessionsService,
        ControlPlaneMetrics,
        DependencyHealth.provider('control-plane', { database: CP_DATA_SOURCE, bus: CP_BUS }),
      ],
    };
  }
}
