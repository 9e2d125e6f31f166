import type { AiStatusEvent, FsrMetrics, FsrSide } from '@squirret/contracts';
import { loadFsrConfig, type FsrConfig } from '../../src/config/fsr.config';
import type { Clock } from '../../src/fsr.tokens';
import type { LiveStoreSettings } from '../../src/live/live-store';
import type { FootSample, Ratios, SampleRow } from '../../src/samples/foot-sample';
import { SampleDataError, type SampleSink } from '../../src/samples/sample-writer';

/** Builders for fsr unit tests: plain values and fakes of the named I/O, no mocks of databases. */

export const T0 = Date.parse('2026-11-25T10:00:00Z');

/** A clock that stands still until told to move. */
export function fixedClock(at = T0): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = at;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

/**
 * Ratios with the given region shares (percent of the foot): front = forefoot (ratio1+2),
 * mid = midfoot (3+4), rear = heel (5+6); `innerOfEach` is the inner column's part of each region.
 */
export function ratiosFor(shares: { front: number; rear: number; innerOfEach?: number }): Ratios {
  const mid = 100 - shares.front - shares.rear;
  const i = shares.innerOfEach ?? 0.5;
  return [shares.front * i, shares.front * (1 - i), mid * i, mid * (1 - i), shares.rear * i, shares.rear * (1 - i)];
}

/** The contract's upload example (5.1) as ratios. */
export const SEED_RATIOS: Ratios = [12.3, 8.4, 5.1, 20.0, 32.5, 21.7];

export const foot = (side: FsrSide, at: number, ratios: Ratios = SEED_RATIOS): FootSample => ({ side, at, ratios });

/** Both feet with the same ratios, `n` samples each, `stepMs` apart, ending at `end`. */
export function bothFeet(end: number, ratios: Ratios, n = 5, stepMs = 100): FootSample[] {
  const out: FootSample[] = [];
  for (let k = n - 1; k >= 0; k--) out.push(foot('left', end - k * stepMs, ratios), foot('right', end - k * stepMs, ratios));
  return out;
}

/** Metrics that break no rule (every field can be overridden). */
export const metrics = (over: Partial<FsrMetrics> = {}): FsrMetrics => ({
  front: 30,
  rear: 45,
  inner: 50,
  outer: 50,
  heel: 45,
  innerOuterDiff: 0,
  leftRightDiff: 0,
  ...over,
});

export const aiStatus = (over: Partial<AiStatusEvent> = {}): AiStatusEvent => ({
  sessionId: null,
  lumbar: 'good',
  knee: 'good',
  ankle: 'good',
  source: 'internal-api',
  at: T0,
  ...over,
});

export const liveSettings = (over: Partial<LiveStoreSettings> = {}): LiveStoreSettings => ({
  windowMs: 10_000,
  windowCap: 1_000,
  latestTtlMs: 60_000,
  aiStatusTtlMs: 60_000,
  tickTtlMs: 30_000,
  ...over,
});

/** A config for unit tests (no process.env read). */
export const testConfig = (over: Record<string, string> = {}): FsrConfig =>
  loadFsrConfig({ DATABASE_URL: 'postgres://unit@127.0.0.1:1/none', LOG_LEVEL: 'silent', ...over });

/** A SampleSink that keeps rows, and fails while `failing` is set. */
export class FakeSink implements SampleSink {
  readonly rows: SampleRow[] = [];
  readonly statements: number[] = [];
  failing = false;
  /** When set, each insert waits for this before finishing (to hold a flush in flight). */
  gate: Promise<void> | undefined;

  /** Statements tried (failed ones included), by size. */
  readonly attempts: number[] = [];
  /** A row this returns true for makes its whole statement fail with a data error, as PostgreSQL does. */
  poison: (r: SampleRow) => boolean = () => false;

  async insertMany(rows: readonly SampleRow[]): Promise<void> {
    this.attempts.push(rows.length);
    if (this.gate) await this.gate;
    if (this.failing) throw new Error('database unavailable');
    if (rows.some(this.poison)) throw new SampleDataError('22003', '"1e-300" is out of range for type real');
    this.statements.push(rows.length);
    this.rows.push(...rows);
  }
}

export const row = (i: number, over: Partial<SampleRow> = {}): SampleRow => ({
  deviceId: 'dev-1',
  sessionId: null,
  side: i % 2 ? 'right' : 'left',
  ratios: SEED_RATIOS,
  at: T0 + i,
  receivedAt: T0 + i,
  ...over,
});
