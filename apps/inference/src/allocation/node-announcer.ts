import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Bus } from '@squirret/bus';
import { INF_BUS, INF_CONFIG } from '../inference.tokens';
import type { InferenceConfig } from '../config/inference.config';

/**
 * The configured public base with `{nodeId}` replaced by this node's id and no trailing slash
 * (the control plane appends `/ws/<sessionId>`).
 */
export function publicWsBase(template: string, nodeId: string): string {
  return template.replaceAll('{nodeId}', encodeURIComponent(nodeId)).replace(/\/+$/, '');
}

/**
 * Announces this data-plane node on the bus (`inference.node`) every INFERENCE_HEARTBEAT_MS with a TTL of
 * INFERENCE_NODE_TTL_MS (three beats by default), so the control plane can allocate sessions to it and
 * forgets it soon after it dies; a draining node says so at once (and is skipped at once).
 */
@Injectable()
export class NodeAnnouncer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('node-announcer');
  private timer: NodeJS.Timeout | undefined;
  /** Set on shutdown: the control plane stops allocating here. */
  draining = false;
  /** Live sessions on this node (kept by the stream gateway). */
  load = 0;
  /** Whether the node can take sessions (false while the model warms up). */
  ready = true;

  constructor(
    @Inject(INF_BUS) private readonly bus: Bus,
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
    private readonly http: HttpAdapterHost,
  ) {}

  /** The configured public base, else this server's own address once it listens (undefined before). */
  publicBase(): string | undefined {
    if (this.config.INFERENCE_PUBLIC_WS_BASE) return publicWsBase(this.config.INFERENCE_PUBLIC_WS_BASE, this.config.INFERENCE_NODE_ID);
    const address: unknown = this.http.httpAdapter?.getHttpServer()?.address();
    if (typeof address !== 'object' || address === null || !('port' in address)) return undefined;
    return `ws://${this.config.HOST}:${String((address as { port: number }).port)}`;
  }

  /** True once this node has told the control plane where it is. */
  announced = false;
  /** True once a heartbeat saying `ready` has gone out (the control plane may allocate here). */
  announcedReady = false;

  async onApplicationBootstrap(): Promise<void> {
    // Announce the moment the server listens, not a heartbeat later.
    const server: unknown = this.http.httpAdapter?.getHttpServer();
    if (server && typeof (server as { once?: unknown }).once === 'function') {
      (server as { once(e: string, f: () => void): void }).once('listening', () => void this.beat());
    }
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.INFERENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.draining = true;
    await this.beat();
  }

  async beat(): Promise<void> {
    const wsBaseUrl = this.publicBase();
    // Not listening yet: nothing to announce; the next beat will.
    if (!wsBaseUrl) return;
    try {
      await this.bus.publish('inference.node', {
        nodeId: this.config.INFERENCE_NODE_ID,
        wsBaseUrl,
        capacity: this.config.INFERENCE_CAPACITY,
        load: this.load,
        ready: this.ready,
        draining: this.draining,
        ttlMs: this.config.INFERENCE_NODE_TTL_MS,
        at: Date.now(),
      });
      this.announced = true;
      this.announcedReady = this.ready && !this.draining;
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'node heartbeat failed');
    }
  }
}
