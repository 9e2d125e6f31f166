import { Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Bus, RedisConnections } from '@squirret/bus';
import { DependencyHealth, HealthRegistry } from '@squirret/server-kit';
import { NodeAnnouncer } from './allocation/node-announcer';
import { InferenceMetrics } from './inference.metrics';
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

/** The data plane's own readiness: the pose model warmed up and the node announced (the bus check is DependencyHealth's). */
@Injectable()
class InferenceReadiness implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly announcer: NodeAnnouncer,
    private readonly engine: PoseEngine,
  ) {}

  onModuleInit(): void {
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
        InferenceMetrics,
        PoseEngine,
        SessionRegistry,
        StreamGateway,
        DependencyHealth.provider('inference', { bus: INF_BUS }),
        InferenceReadiness,
      ],
      exports: [NodeAnnouncer],
    };
  }
}
