import { Logger } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import type { DataSource } from 'typeorm';

/** Where token generations are kept for good (PostgreSQL in the service; a map in unit tests). */
export interface GenerationSink {
  /** Every device whose generation is above 0. */
  loadAll(): Promise<ReadonlyArray<{ deviceId: string; generation: number }>>;
  /** The device's generation now (0 for a device never revoked). */
  current(deviceId: string): Promise<number>;
  /** Moves the device one generation on and returns the new one. */
  increment(deviceId: string): Promise<number>;
}

/** `fsr_devices` in PostgreSQL. */
export class PgGenerationSink implements GenerationSink {
  constructor(private readonly ds: DataSource) {}

  async loadAll(): Promise<ReadonlyArray<{ deviceId: string; generation: number }>> {
    const rows: Array<{ device_id: string; token_generation: number }> = await this.ds.query(
      'SELECT device_id, token_generation FROM fsr_devices WHERE token_generation > 0',
    );
    return rows.map((r) => ({ deviceId: r.device_id, generation: r.token_generation }));
  }

  async current(deviceId: string): Promise<number> {
    const rows: Array<{ token_generation: number }> = await this.ds.query('SELECT token_generation FROM fsr_devices WHERE device_id = $1', [deviceId]);
    return rows[0]?.token_generation ?? 0;
  }

  async increment(deviceId: string): Promise<number> {
    const rows: Array<{ token_generation: number }> = await this.ds.query(
      `INSERT INTO fsr_devices (device_id, token_generation) VALUES ($1, 1)
       ON CONFLICT (device_id) DO UPDATE SET token_generation = fsr_devices.token_generation + 1, updated_at = now()
       RETURNING token_generation`,
      [deviceId],
    );
    return rows[0]!.token_generation;
  }
}

/**
 * Device-token generations, for revocation. A token carries the generation its device had when it
 * was issued; revoking a device increments the generation in PostgreSQL, so every token issued
 * before stops working. Ingest checks against an in-memory copy (a map lookup, no round trip on the
 * hot path), loaded at start, moved by `fsr.device` events from whichever instance revoked, and
 * reloaded every `refreshMs` in case an event was missed (a Redis reconnect).
 */
export class TokenGenerations {
  private readonly logger = new Logger('fsr-devices');
  private readonly known = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly sink: GenerationSink,
    private readonly bus: Bus,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads what PostgreSQL holds and starts following the other instances. */
  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe('fsr.device', (e) => this.raise(e.deviceId, e.tokenGeneration));
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'token generations not reloaded'));
    }, this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** The generation a device's token must carry (0 for a device never revoked). */
  of(deviceId: string): number {
    return this.known.get(deviceId) ?? 0;
  }

  /** The device's generation as PostgreSQL has it (for issuing: never behind a revocation elsewhere). */
  async current(deviceId: string): Promise<number> {
    const g = await this.sink.current(deviceId);
    this.raise(deviceId, g);
    return g;
  }

  /** Revokes every token the device holds; returns the new generation. */
  async revoke(deviceId: string): Promise<number> {
    const g = await this.sink.increment(deviceId);
    this.raise(deviceId, g);
    await this.bus
      .publish('fsr.device', { deviceId, tokenGeneration: g, at: this.now() })
      .catch((err: unknown) => this.logger.warn({ deviceId, err: String(err) }, 'fsr.device not published; other instances catch up on their next reload'));
    return g;
  }

  /** Generations only move forward (an old event or a stale read never undoes a revocation). */
  private raise(deviceId: string, generation: number): void {
    if (generation > (this.known.get(deviceId) ?? 0)) this.known.set(deviceId, generation);
  }

  private async reload(): Promise<void> {
    for (const { deviceId, generation } of await this.sink.loadAll()) this.raise(deviceId, generation);
  }
}
