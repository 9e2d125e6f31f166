import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { HealthRegistry } from '@squirret/server-kit';
import { NodeAnnouncer } from './allocation/node-announcer';
import type { InferenceConfig } from './config/inference.config';
import { INF_BUS, INF_CONFIG } from './inference.tokens';

/** The data plane's I/O, built by its own main or by the all-in-one process. */
export interface InferenceDeps {
  readonly config: InferenceConfig;
  readonly bus: Bus;
}

class InferenceHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(INF_BUS) private readonly bus: Bus,
    private readonly announcer: NodeAnnouncer,
  ) {}

  onModuleInit(): void {
    this.health.register('inference.bus', () => this.bus.ping());
    this.health.register('inference.announced', async () => {
      if (!this.announcer.announced) throw new Error('not yet announced for allocation');
    });
  }
}

/**
 * The inference data plane. In this version it announces itself for allocation; the frame
 * WebSocket, the pose model and the analyzer come with the data-plane issue.
 */
@Module({})
export class InferenceModule {
  static forRoot(deps: InferenceDeps): DynamicModule {
    return {
      module: InferenceModule,
      providers: [
        { provide: INF_CONFIG, useValue: deps.config },
        { provide: INF_BUS, useValue: deps.bus },
        NodeAnnouncer,
        InferenceHealth,
      ],
      exports: [NodeAnnouncer],
    };
  }
}
