import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Bus, RedisConnections } from '@squirret/bus';
import { HealthRegistry } from '@squirret/server-kit';
import { NodeAnnouncer } from './allocation/node-announcer';
import { checkpointProviders } from './checkpoint/checkpoint.provider';
import { PoseEngine } from './pose/pose-engine';
import { SessionRegistry } from './stream/session-registry';
import { StreamGateway } from './stream/stream.gateway';
import type { InferenceConfig } from './config/inference.config';
import { INF_BUS, INF_CONFIG } from './inference.tokens';

/** The data plane's I/O, built by its own main or by the all-in-one process. */
export interface InferenceDeps {
  readonly config: InferenceConfig;
  readonly bus: Bus;
  /** The process's Redis connections (none in memory mode); the checkpoint store uses one. */
  readonly redis?: RedisConnections | undefined;
}

class InferenceHealth implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(INF_BUS) private readonly bus: Bus,
    private readonly announcer: NodeAnnouncer,
    private readonly engine: PoseEngine,
  ) {}

  onModuleInit(): void {
    this.health.register('inference.bus', () => this.bus.ping());
    if (this.engine.enabled) {
      // Not ready (and not announced as ready) until every pose worker has warmed up.
      this.announcer.ready = false;
      void this.engine.warmed.then(() => {
        this.announcer.ready = true;
        void this.announcer.beat();
      });
      this.health.register('inference.model', async () => {
        if (!this.engine.ready) throw new Error(this.engine.problem ?? 'pose model warming up');
        if (!this.announcer.announcedReady) throw new Error('not yet announced as ready');
      });
    }
    this.health.register('inference.announced', async () => {
      if (!this.announcer.announced) throw new Error('not yet announced for allocation');
    });
  }
}

/**
 * The inference data plane: announces itself for allocation, serves `/ws/{sessionId}`, runs
 * MoveNet in a worker pool and the squat analyzer per session.
 */
@Module({})
export class InferenceModule {
  static forRoot(deps: InferenceDeps): DynamicModule {
    return {
      module: InferenceModule,
      providers: [
        { provide: INF_CONFIG, useValue: deps.config },
        { provide: INF_BUS, useValue: deps.bus },
        ...checkpointProviders(deps.config, deps.redis),
        NodeAnnouncer,
        PoseEngine,
        SessionRegistry,
        StreamGateway,
        InferenceHealth,
      ],
      exports: [NodeAnnouncer],
    };
  }
}
