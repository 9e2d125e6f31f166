import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { INF_BUS, INF_CONFIG } from '../inference.tokens';
import type { InferenceConfig } from '../config/inference.config';

/**
 * Announces this data-plane node on the bus (`inference.node`) every HEARTBEAT_MS with a TTL of
 * three beats, so the control plane can allocate sessions to it and forgets it soon after it dies.
 */
@Injectable()
export class NodeAnnouncer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('node-announcer');
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  /** Live sessions on this node (kept by the stream gateway). */
  load = 0;
  ready = true;

  constructor(
    @Inject(INF_BUS) private readonly bus: Bus,
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.HEARTBEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.draining = true;
    await this.beat();
  }

  async beat(): Promise<void> {
    try {
      await this.bus.publish('inference.node', {
        nodeId: this.config.NODE_ID,
        wsBaseUrl: this.config.PUBLIC_WS_BASE,
        capacity: this.config.CAPACITY,
        load: this.load,
        ready: this.ready,
        draining: this.draining,
        ttlMs: this.config.HEARTBEAT_MS * 3,
        at: Date.now(),
      });
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'node heartbeat failed');
    }
  }
}
