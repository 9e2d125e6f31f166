import { AppError } from '@squirret/contracts';
import type { SampleRow } from './foot-sample';

/** Where the writer puts rows: one multi-row statement per call (PostgreSQL in the app, a fake in unit tests). */
export interface SampleSink {
  insertMany(rows: readonly SampleRow[]): Promise<void>;
}

/** When the writer flushes and how much it may hold. */
export interface SampleWriterOptions {
  readonly flushIntervalMs: number;
  readonly flushMaxRows: number;
  /** Rows held at most (buffered + being written); beyond it `enqueue` refuses with INGEST_OVERLOADED. */
  readonly bufferMaxRows: number;
  /** Attempts of the final flush on close before giving up (a pause of `flushIntervalMs` between them). */
  readonly closeAttempts?: number;
}

/** What the writer reports to metrics and logs. */
export interface SampleWriterListener {
  persisted?(rows: number): void;
  failed?(rows: number, err: unknown): void;
  lost?(rows: number, err: unknown): void;
}

/** Counters of a writer, for tests and metrics. */
export interface SampleWriterStats {
  readonly buffered: number;
  readonly persisted: number;
  readonly flushes: number;
  readonly failures: number;
}

/**
 * Batches samples in memory and writes them with one multi-row statement every `flushIntervalMs`
 * or as soon as `flushMaxRows` are waiting, never a row per request. One flush runs at a time; a
 * failed flush puts its rows back at the head of the buffer and is retried at the next tick, so a
 * database hiccup delays rows instead of losing them. Ingest calls `enqueue` before answering 202,
 * and `close()` (SIGTERM) flushes everything still held; that is the "nothing answered 202 is lost
 * on a clean shutdown" guarantee. Memory is bounded by `bufferMaxRows`: when PostgreSQL cannot keep
 * up, ingest is refused (503) rather than accepted and dropped.
 */
export class SampleWriter {
  private buffer: SampleRow[] = [];
  private inFlight = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private persisted = 0;
  private flushes = 0;
  private failures = 0;

  constructor(
    private readonly sink: SampleSink,
    private readonly options: SampleWriterOptions,
    private listener: SampleWriterListener = {},
  ) {}

  /** Sets who hears about persisted, failed and lost rows (metrics are built after the writer). */
  listen(listener: SampleWriterListener): void {
    this.listener = listener;
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Whether `rows` more fit in the buffer. */
  hasRoomFor(rows: number): boolean {
    return this.buffer.length + this.inFlight + rows <= this.options.bufferMaxRows;
  }

  /** Takes rows for the next flush; throws INGEST_OVERLOADED (nothing taken) when they do not fit or the writer is closed. */
  enqueue(rows: readonly SampleRow[]): void {
    if (this.closed) throw new AppError('INGEST_OVERLOADED', 'the service is shutting down; retry shortly');
    if (!this.hasRoomFor(rows.length)) {
      throw new AppError('INGEST_OVERLOADED', 'sample storage is behind; retry shortly', { 'Retry-After': '1' });
    }
    for (const r of rows) this.buffer.push(r);
    if (this.buffer.length >= this.options.flushMaxRows && !this.flushing) void this.flush().catch(() => undefined);
  }

  /**
   * Writes what is buffered, `flushMaxRows` per statement, until the buffer is empty. Concurrent
   * callers share the running flush. Rejects (after putting the rows back) when a statement fails.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return Promise.resolve();
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const rows = this.buffer.splice(0, this.options.flushMaxRows);
      this.inFlight = rows.length;
      try {
        await this.sink.insertMany(rows);
        this.persisted += rows.length;
        this.flushes++;
        this.listener.persisted?.(rows.length);
      } catch (err) {
        this.failures++;
        this.buffer = rows.concat(this.buffer);
        this.listener.failed?.(rows.length, err);
        throw err;
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /** Stops the timer, refuses new rows and flushes what is held, retrying a few times before reporting the rest lost. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const attempts = this.options.closeAttempts ?? 5;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        await this.flushing?.catch(() => undefined);
        await this.flush();
        if (this.buffer.length === 0) return;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, this.options.flushIntervalMs));
      }
    }
    if (this.buffer.length > 0) {
      const lost = this.buffer.length;
      this.buffer = [];
      this.listener.lost?.(lost, lastError);
    }
  }

  stats(): SampleWriterStats {
    return { buffered: this.buffer.length + this.inFlight, persisted: this.persisted, flushes: this.flushes, failures: this.failures };
  }
}
