import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import type { InferenceNodeEvent } from '@squirret/contracts';
import { CP_BUS, CP_CLOCK, type Clock } from '../control-plane.tokens';

/** A live data-plane node as the allocator sees it. */
export interface LiveNode {
  readonly nodeId: string;
  readonly wsBaseUrl: string;
  readonly capacity: number;
  readonly load: number;
}

/** Picks a data-plane node for a new inference session. */
export interface NodeAllocator {
  allocate(): LiveNode | undefined;
  liveNodes(): LiveNode[];
  /** Whether a node is alive, ready and not draining (a session placed on it can stay there). */
  isServing(nodeId: string): boolean;
}

interface Entry {
  event: InferenceNodeEvent;
  expiresAt: number;
  /** Sessions handed to the node since its last heartbeat (its reported load lags behind). */
  reserved: number;
}

/**
 * Keeps the data-plane nodes that announced themselves on the bus (`inference.node`) within their
 * TTL, and picks the least loaded one under its capacity.
 */
@Injectable()
export class NodeRegistry implements NodeAllocator, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('allocation');
  private readonly nodes = new Map<string, Entry>();
  private off: Unsubscribe | undefined;

  constructor(
    @Inject(CP_BUS) private readonly bus: Bus,
    @Inject(CP_CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.off = await this.bus.subscribe('inference.node', (e) => this.observe(e));
  }

  async onModuleDestroy(): Promise<void> {
    await this.off?.();
  }

  observe(event: InferenceNodeEvent): void {
    const known = this.nodes.get(event.nodeId);
    // A node's own "draining" (SIGTERM) takes it out of allocation at once, not a TTL later.
    if (event.draining && known && !known.event.draining) this.logger.log({ nodeId: event.nodeId }, 'inference node draining');
    this.nodes.set(event.nodeId, { event, expiresAt: this.clock.now() + event.ttlMs, reserved: 0 });
    if (!known) this.logger.log({ nodeId: event.nodeId, wsBaseUrl: event.wsBaseUrl, capacity: event.capacity }, 'inference node joined');
  }

  liveNodes(): LiveNode[] {
    const now = this.clock.now();
    const out: LiveNode[] = [];
    for (const [id, e] of this.nodes) {
      if (e.expiresAt <= now) {
        this.nodes.delete(id);
        continue;
      }
      if (!e.event.ready || e.event.draining) continue;
      out.push({ nodeId: id, wsBaseUrl: e.event.wsBaseUrl, capacity: e.event.capacity, load: e.event.load + e.reserved });
    }
    return out;
  }

  isServing(nodeId: string): boolean {
    return this.liveNodes().some((n) => n.nodeId === nodeId);
  }

  allocate(): LiveNode | undefined {
    const candidates = this.liveNodes().filter((n) => n.load < n.capacity);
    if (candidates.length === 0) return undefined;
    candidates.sort((a, b) => a.load / a.capacity - b.load / b.capacity || a.nodeId.localeCompare(b.nodeId));
    const chosen = candidates[0]!;
    const entry = this.nodes.get(chosen.nodeId);
    if (entry) entry.reserved++;
    return chosen;
  }
}
