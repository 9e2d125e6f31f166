import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { AppError, FSR_SAMPLE_TIME_MIN_MS, fsrSampleTimeMs, type FsrBatchSample, type FsrSampleRequest } from '@squirret/contracts';
import type { FsrConfig } from '../config/fsr.config';
import { footBalance } from '../feedback/balance';
import { FSR_BUS, FSR_CLOCK, FSR_CONFIG, FSR_LIVE_STORE, FSR_SAMPLE_JOURNAL, FSR_SAMPLE_WRITER, type Clock } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';
import { ratiosOf, type FootSample, type SampleRow } from '../samples/foot-sample';
import type { SampleJournal } from '../samples/sample-journal';
import type { SampleWriter } from '../samples/sample-writer';
import { IngestErrors } from './ingest.errors';

/** A device's samples as the controller hands them over (device resolved, caller authorized). */
export interface IngestBatch {
  readonly deviceId: string;
  readonly sessionId: string | null;
  readonly samples: readonly FootSample[];
}

/** Epoch ms of a batch sample's `ts` (Unix seconds or ISO-8601). */
export function sampleTimeMs(ts: FsrBatchSample['ts']): number {
  return fsrSampleTimeMs(ts);
}

/**
 * Takes samples in: into the PostgreSQL writer's buffer first (so a 202 means the row will be
 * written, even on shutdown), then into the live state every instance reads (latest, window),
 * then onto the bus as `fsr.sample` for the streams of every instance.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('fsr-ingest');

  constructor(
    @Inject(FSR_SAMPLE_WRITER) private readonly writer: SampleWriter,
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
    @Inject(FSR_BUS) private readonly bus: Bus,
    @Inject(FSR_CLOCK) private readonly clock: Clock,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
    @Inject(FSR_SAMPLE_JOURNAL) private readonly journal: SampleJournal | null = null,
  ) {}

  /** One sample of the contract's form, taken now. */
  async ingestOne(deviceId: string, sessionId: string | null, sample: Omit<FsrSampleRequest, 'deviceId' | 'sessionId'>): Promise<number> {
    const now = this.clock.now();
    return this.accept({ deviceId, sessionId, samples: [{ side: sample.side, ratios: ratiosOf(sample), at: now }] }, now);
  }

  /** Timestamped samples a device buffered; refuses samples dated beyond the allowed clock skew. */
  async ingestBatch(deviceId: string, sessionId: string | null, samples: readonly FsrBatchSample[]): Promise<number> {
    const now = this.clock.now();
    const latestAllowed = now + this.config.FSR_MAX_FUTURE_SKEW_SEC * 1000;
    const feet = samples.map((s, i): FootSample => {
      const at = sampleTimeMs(s.ts);
      // The schema refused times before 2000; this also keeps a NaN out of the writer.
      if (!(at >= FSR_SAMPLE_TIME_MIN_MS)) throw IngestErrors.tooOld(i);
      if (at > latestAllowed) throw IngestErrors.inFuture(i, this.config.FSR_MAX_FUTURE_SKEW_SEC);
      return { side: s.side, ratios: ratiosOf(s), at };
    });
    feet.sort((a, b) => a.at - b.at);
    return this.accept({ deviceId, sessionId, samples: feet }, now);
  }

  private async accept(batch: IngestBatch, now: number): Promise<number> {
    const { deviceId, sessionId } = batch;
    const rows: SampleRow[] = batch.samples.map((s) => ({ side: s.side, ratios: s.ratios, at: s.at, deviceId, sessionId, receivedAt: now }));
    // Throws 503 (INGEST_OVERLOADED / DEPENDENCY_UNAVAILABLE) with nothing taken when PostgreSQL is
    // too far behind. Then journal and buffer in the same tick, so the writer holds rows in journal
    // order (the journal's mark relies on it).
    this.writer.assertRoomFor(rows.length);
    const journaled = this.journal?.append(rows);
    this.writer.enqueue(journaled?.rows ?? rows);
    const [fresh] = await Promise.all([
      // The rows are taken (buffered, journaled): from here the answer is 202 whatever the live
      // store says. Latest / window are best effort: while Redis is away they fall behind for the
      // outage, and a 5xx here would only make the device resend a row that will be stored (a
      // duplicate) — so a live-store failure is logged, never answered.
      this.store.record({ deviceId, sessionId, samples: batch.samples, now }).catch((err: unknown) => {
        this.liveStoreFailed(err);
        return [] as FootSample[];
      }),
      journaled?.durable.catch((err: unknown) => {
        this.logger.error({ err: String(err) }, 'sample journal write failed');
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'sample journal unavailable; retry shortly', { 'Retry-After': '1' });
      }),
    ]);
    // The stream is best effort: a bus failure must not turn an accepted sample into an error, and
    // the answer does not wait for the bus (one Redis round trip less per request). Order per
    // device holds: publishes go out in call order on the bus's one connection.
    for (const s of fresh) void this.publish(deviceId, s);
    if (fresh.length > 0) void this.publishBalance(deviceId);
    return rows.length;
  }

  private liveFailures = 0;

  /** One warning per burst of live-store failures (an outage fails every request). */
  private liveStoreFailed(err: unknown): void {
    if (this.liveFailures++ % 1000 === 0) {
      this.logger.warn({ err: String(err), failures: this.liveFailures }, 'live store not updated (samples are still stored)');
    }
  }

  /**
   * `fsr.balance` from the device's latest feet (the session channel forwards it; it computes
   * nothing). Off the answer's path; never rejects. Two of these may cross on the bus: each
   * carries the time of its newest sample and a consumer keeps the newer.
   */
  private async publishBalance(deviceId: string): Promise<void> {
    let feet;
    try {
      feet = await this.store.latest(deviceId);
    } catch (err) {
      this.liveStoreFailed(err);
      return;
    }
    const balance = footBalance(deviceId, feet);
    if (!balance) return;
    await this.bus.publish('fsr.balance', balance).catch((err: unknown) => this.logger.warn({ deviceId, err: String(err) }, 'fsr.balance not published'));
  }

  /** `fsr.sample` for one fresh sample; never rejects (a failure is logged). */
  private publish(deviceId: string, s: FootSample): Promise<void> {
    return this.bus
      .publish('fsr.sample', { deviceId, side: s.side, ratios: [...s.ratios], at: s.at })
      .catch((err: unknown) => this.logger.warn({ deviceId, err: String(err) }, 'fsr.sample not published'));
  }
}
