import { AppError } from '@squirret/contracts';
import type { SampleRow } from './foot-sample';

/** Where the writer puts rows: one multi-row statement per call (PostgreSQL in the app, a fake in unit tests). */
export interface SampleSink {
  insertMany(rows: readonly SampleRow[]): Promise<void>;
}

/**
 * A sink's way of saying "the database refused what these rows hold" (a data error, SQLSTATE class
 * 22 or 23), as opposed to "the database is not there" (any other error). The writer splits a
 * refused batch to find the rows at fault; every other error is retried with backoff.
 */
export class SampleDataError extends Error {
  constructor(
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
    this.name = 'SampleDataError';
  }
}

/** When the writer flushes, how much it may hold, and how it backs off. */
export interface SampleWriterOptions {
  readonly flushIntervalMs: number;
  readonly flushMaxRows: number;
  /** Rows held at most (buffered + being written); beyond it `enqueue` refuses with 503. */
  readonly bufferMaxRows: number;
  /** First pause after a failed flush (default `flushIntervalMs`); doubles per failure, with jitter. */
  readonly retryBaseMs?: number;
  /** Longest pause between attempts (default 5 s; during close at most 1 s, to catch the database's return). */
  readonly retryMaxMs?: number;
  /** How long `close()` keeps trying to write what it holds (default 12 s: serve() exits by force at 15 s). */
  readonly closeBudgetMs?: number;
  /** Random source for the jitter (tests pin it). */
  readonly random?: () => number;
}

/** What the writer reports to metrics, logs and the journal. */
export interface SampleWriterListener {
  persisted?(rows: number): void;
  /** A statement failed for the database's sake (connection, shutdown…): its rows are kept and retried. */
  failed?(rows: number, err: unknown): void;
  /** Rows the database refused one by one: set aside, never retried (logged without their values). */
  rejected?(rows: readonly SampleRow[], err: SampleDataError): void;
  /** Rows that are done with, committed or set aside (the journal truncates after them). */
  settled?(rows: readonly SampleRow[]): void;
  lost?(rows: number, err: unknown): void;
}

/** Counters of a writer, for tests and metrics. */
export interface SampleWriterStats {
  readonly buffered: number;
  readonly persisted: number;
  readonly flushes: number;
  readonly failures: number;
  readonly rejected: number;
}

/**
 * Batches samples in memory and writes them with one multi-row statement every `flushIntervalMs`
 * or as soon as `flushMaxRows` are waiting, never a row per request. One flush runs at a time.
 *
 * - A statement the database refuses for a row's content (SampleDataError) is split in halves
 *   until the rows at fault are alone; those are set aside (`rejected`), every other row commits.
 *   One bad sample never holds up anyone else's.
 * - Any other failure puts the rows back at the head of the buffer and the next attempt waits an
 *   exponential backoff with jitter (capped), so a database outage costs a few connection
 *   attempts, not one per request.
 * - `close()` (SIGTERM) keeps flushing with backoff until everything is written or its budget ran
 *   out; only then is the rest reported lost (with a journal, it is replayed at the next start).
 *
 * Memory is bounded by `bufferMaxRows`: when PostgreSQL cannot keep up, ingest is refused (503)
 * rather than accepted and dropped.
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
  private rejectedRows = 0;
  /** Consecutive failed attempts (0 after a success) and when the next one may start. */
  private streak = 0;
  private retryAt = 0;
  private shutdownStartedAt: number | undefined;
  private readonly random: () => number;

  constructor(
    private readonly sink: SampleSink,
    private readonly options: SampleWriterOptions,
    private listener: SampleWriterListener = {},
  ) {
    this.random = options.random ?? Math.random;
  }

  /** Sets who hears about persisted, failed, rejected and lost rows (metrics are built after the writer). */
  listen(listener: SampleWriterListener): void {
    this.listener = { ...this.listener, ...listener };
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.tick(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Whether `rows` more fit in the buffer. */
  hasRoomFor(rows: number): boolean {
    return this.buffer.length + this.inFlight + rows <= this.options.bufferMaxRows;
  }

  /** Whether the last attempt failed for the database's sake (it is down or refusing connections). */
  get databaseFailing(): boolean {
    return this.streak > 0;
  }

  /**
   * Takes rows for the next flush; throws (nothing taken) when they do not fit or the writer is
   * closed: DEPENDENCY_UNAVAILABLE while the database is failing, INGEST_OVERLOADED otherwise.
   * `force` (journal replay at start) takes them whatever the bound.
   */
  enqueue(rows: readonly SampleRow[], force = false): void {
    if (!force) this.assertRoomFor(rows.length);
    for (const r of rows) this.buffer.push(r);
    if (this.buffer.length >= this.options.flushMaxRows) this.tick();
  }

  /** Throws the 503 `enqueue` would throw for `rows` more, without taking anything. */
  assertRoomFor(rows: number): void {
    if (this.closed) throw new AppError('INGEST_OVERLOADED', 'the service is shutting down; retry shortly', { 'Retry-After': '1' });
    if (this.hasRoomFor(rows)) return;
    if (this.databaseFailing) {
      const wait = Math.max(1, Math.ceil((this.retryAt - Date.now()) / 1000));
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'sample storage is unavailable; retry shortly', { 'Retry-After': String(wait) });
    }
    throw new AppError('INGEST_OVERLOADED', 'sample storage is behind; retry shortly', { 'Retry-After': '1' });
  }

  /** Starts a flush unless one is running or the backoff after a failure has not passed. Never rejects. */
  private tick(): void {
    if (this.flushing || this.buffer.length === 0 || Date.now() < this.retryAt) return;
    void this.flush().catch(() => undefined);
  }

  /**
   * Writes what is buffered, `flushMaxRows` per statement, until the buffer is empty (ignoring the
   * backoff: callers that ask, ask now). Concurrent callers share the running flush. Rejects (after
   * putting the rows back) when a statement fails for the database's sake.
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
        await this.write(rows);
        this.streak = 0;
        this.retryAt = 0;
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /**
   * One batch: the whole statement first; on a data error, halves (left first, so commits keep the
   * buffer's order) down to single rows, which are set aside. Any other error puts every row not
   * yet committed back at the head of the buffer and rethrows.
   */
  private async write(rows: SampleRow[]): Promise<void> {
    const pending: SampleRow[][] = [rows];
    const rejected: SampleRow[] = [];
    let firstRefusal: SampleDataError | undefined;
    try {
      while (pending.length > 0) {
        const chunk = pending[0]!;
        try {
          await this.sink.insertMany(chunk);
          pending.shift();
          this.persisted += chunk.length;
          this.flushes++;
          this.listener.persisted?.(chunk.length);
          this.listener.settled?.(chunk);
        } catch (err) {
          if (!(err instanceof SampleDataError)) {
            this.buffer = pending.flat().concat(this.buffer);
            this.failures++;
            this.streak++;
            this.retryAt = Date.now() + this.backoffMs();
            this.listener.failed?.(chunk.length, err);
            throw err;
          }
          pending.shift();
          if (chunk.length === 1) {
            firstRefusal ??= err;
            rejected.push(chunk[0]!);
            this.rejectedRows++;
            this.listener.settled?.(chunk);
          } else {
            const mid = Math.ceil(chunk.length / 2);
            pending.unshift(chunk.slice(0, mid), chunk.slice(mid));
          }
        }
      }
    } finally {
      // One report per batch, however many rows were at fault.
      if (firstRefusal) this.listener.rejected?.(rejected, firstRefusal);
    }
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random; capped. */
  private backoffMs(): number {
    const base = this.options.retryBaseMs ?? this.options.flushIntervalMs;
    const cap = this.closed ? Math.min(1_000, this.options.retryMaxMs ?? 5_000) : (this.options.retryMaxMs ?? 5_000);
    const step = Math.min(cap, base * 2 ** Math.min(30, this.streak - 1));
    return step / 2 + (this.random() * step) / 2;
  }

  /** Milliseconds until the next attempt after a failure may start (0 when not backing off). */
  retryInMs(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  /** Marks the start of the shutdown (the budget of `close()` counts from here). */
  beginShutdown(now = Date.now()): void {
    this.shutdownStartedAt ??= now;
  }

  /**
   * Stops the timer, refuses new rows and flushes what is held, retrying with backoff until the
   * budget (from `beginShutdown`, else from now) runs out; what is left then is reported lost.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = (this.shutdownStartedAt ?? Date.now()) + (this.options.closeBudgetMs ?? 12_000);
    let lastError: unknown;
    for (;;) {
      try {
        await this.flushing?.catch(() => undefined);
        await this.flush();
        if (this.buffer.length === 0) return;
      } catch (err) {
        lastError = err;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(left, Math.max(10, this.retryAt - Date.now()))));
    }
    if (this.buffer.length > 0) {
      const lost = this.buffer.length;
      this.buffer = [];
      this.listener.lost?.(lost, lastError);
    }
  }

  /** The most rows held at once (past it ingest answers 503). */
  get maxRows(): number {
    return this.options.bufferMaxRows;
  }

  stats(): SampleWriterStats {
    return {
      buffered: this.buffer.length + this.inFlight,
      persisted: this.persisted,
      flushes: this.flushes,
      failures: this.failures,
      rejected: this.rejectedRows,
    };
  }
}
