import type Redis from 'ioredis';
import { isSaneCheckpoint, type SessionCheckpoint } from './session-checkpoint';

/**
 * Where session checkpoints live between nodes: Redis when the node runs distributed (every node
 * and its successor see the same keys), memory otherwise (all-in-one: one node, one process).
 * Injected by this class as token; checkpoints expire after the session state TTL.
 */
export abstract class SessionCheckpointStore {
  abstract readonly kind: 'memory' | 'redis';
  abstract save(checkpoint: SessionCheckpoint, ttlMs: number): Promise<void>;
  /** The stored checkpoint, or undefined when there is none or it does not look sane. */
  abstract load(sessionId: string): Promise<SessionCheckpoint | undefined>;
  abstract close(): Promise<void>;
}

/** In-process checkpoints (no REDIS_URL): survive a reconnect, not the process. */
export class MemoryCheckpointStore extends SessionCheckpointStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { json: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  async save(c: SessionCheckpoint, ttlMs: number): Promise<void> {
    const now = this.now();
    // Expired entries go on write, so the map stays bounded by the sessions of one TTL.
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    this.entries.set(c.sessionId, { json: JSON.stringify(c), expiresAt: now + ttlMs });
  }

  async load(sessionId: string): Promise<SessionCheckpoint | undefined> {
    const e = this.entries.get(sessionId);
    if (!e || e.expiresAt <= this.now()) return undefined;
    const parsed: unknown = JSON.parse(e.json);
    return isSaneCheckpoint(parsed, sessionId) ? parsed : undefined;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/**
 * Checkpoints in Redis under `<BUS_PREFIX>inference:checkpoint:<sessionId>` with a TTL. Give it a
 * fail-fast connection (no offline queue, short command timeout; `RedisConnections.failFast`): a
 * checkpoint is retried at the next frame, never queued behind an outage. The connection's owner
 * closes it.
 */
export class RedisCheckpointStore extends SessionCheckpointStore {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis, private readonly prefix: string, onError: (message: string) => void = () => undefined) {
    super();
    this.redis.on('error', (err: Error) => onError(err.message));
  }

  key(sessionId: string): string {
    return `${this.prefix}inference:checkpoint:${sessionId}`;
  }

  /**
   * Without an offline queue a command fails while the connection is (re)established; waits for
   * it a short, bounded moment instead (the first restore right after boot, a reconnect).
   */
  private async ready(timeoutMs = 1_000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new Error(`checkpoint store not connected (${this.redis.status})`));
      }, timeoutMs);
      timer.unref();
      this.redis.once('ready', onReady);
    });
  }

  async save(c: SessionCheckpoint, ttlMs: number): Promise<void> {
    await this.ready();
    await this.redis.set(this.key(c.sessionId), JSON.stringify(c), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async load(sessionId: string): Promise<SessionCheckpoint | undefined> {
    await this.ready();
    const raw = await this.redis.get(this.key(sessionId));
    if (raw === null) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
    return isSaneCheckpoint(parsed, sessionId) ? parsed : undefined;
  }

  async close(): Promise<void> {
    // The connection belongs to the process's RedisConnections, which closes it.
  }
}
