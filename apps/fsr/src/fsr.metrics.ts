import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import { MetricsService } from '@squirret/server-kit';
import { Gauge, type Counter } from 'prom-client';
import { FSR_SAMPLE_JOURNAL, FSR_SAMPLE_WRITER } from './fsr.tokens';
import type { SampleJournal } from './samples/sample-journal';
import type { SampleWriter } from './samples/sample-writer';

/** How an ingest request is sent. */
export type IngestForm = 'single' | 'batch';

/** Why an ingest request ended the way it did (a label of `fsr_ingest_requests_total`). */
export type IngestOutcome = 'accepted' | 'invalid' | 'unauthorized' | 'forbidden' | 'rate_limited' | 'overloaded' | 'unavailable' | 'error';

const OUTCOME_BY_CODE: Readonly<Partial<Record<AppError['code'], IngestOutcome>>> = {
  VALIDATION_ERROR: 'invalid',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  RATE_LIMITED: 'rate_limited',
  INGEST_OVERLOADED: 'overloaded',
  DEPENDENCY_UNAVAILABLE: 'unavailable',
};

/** Every series the fsr service exports besides the kit's (dashboards and alert rules name these; the metrics e2e checks each is served). */
export const FSR_METRICS = {
  requests: 'fsr_ingest_requests_total',
  samples: 'fsr_ingest_samples_total',
  persisted: 'fsr_samples_persisted_total',
  persistFailures: 'fsr_samples_persist_failures_total',
  lost: 'fsr_samples_lost_total',
  rejected: 'fsr_samples_rejected_total',
  flushFailures: 'fsr_writer_flush_failures_total',
  streamMessages: 'fsr_stream_messages_total',
  slowConsumers: 'fsr_stream_slow_consumers_total',
  feedbackPublished: 'fsr_feedback_published_total',
  subscribers: 'fsr_stream_subscribers',
  buffered: 'fsr_writer_buffered_rows',
  bufferMax: 'fsr_writer_buffer_max_rows',
} as const;

/** The fsr service's Prometheus series: ingest, storage, stream, feedback. */
@Injectable()
export class FsrMetrics {
  private readonly logger = new Logger('fsr-writer');
  readonly requests: Counter<'form' | 'outcome'>;
  readonly samples: Counter<'form'>;
  readonly persisted: Counter;
  readonly persistFailures: Counter;
  readonly lost: Counter;
  readonly rejected: Counter;
  readonly flushFailures: Counter;
  readonly streamMessages: Counter;
  readonly slowConsumers: Counter;
  readonly feedbackPublished: Counter;
  readonly subscribers: Gauge;

  constructor(
    metrics: MetricsService,
    @Inject(FSR_SAMPLE_WRITER) writer: SampleWriter,
    @Inject(FSR_SAMPLE_JOURNAL) journal: SampleJournal | null = null,
  ) {
    this.requests = metrics.counter({ name: 'fsr_ingest_requests_total', help: 'FSR ingest requests by form and outcome', labelNames: ['form', 'outcome'] });
    this.samples = metrics.counter({ name: 'fsr_ingest_samples_total', help: 'FSR samples accepted (answered 202)', labelNames: ['form'] });
    this.persisted = metrics.counter({ name: 'fsr_samples_persisted_total', help: 'FSR samples written to PostgreSQL' });
    this.persistFailures = metrics.counter({ name: 'fsr_samples_persist_failures_total', help: 'FSR samples in batches that failed to write (retried)' });
    this.lost = metrics.counter({ name: 'fsr_samples_lost_total', help: 'FSR samples that could not be written before shutdown (without a journal: gone)' });
    this.rejected = metrics.counter({ name: 'fsr_samples_rejected_total', help: 'FSR samples PostgreSQL refused one by one, set aside so the rest commit' });
    this.flushFailures = metrics.counter({ name: 'fsr_writer_flush_failures_total', help: 'Writer statements that failed for the database (retried with backoff)' });
    this.streamMessages = metrics.counter({ name: 'fsr_stream_messages_total', help: 'Messages sent to /ws/fsr-data subscribers' });
    this.slowConsumers = metrics.counter({ name: 'fsr_stream_slow_consumers_total', help: 'Stream subscribers closed with 4008 (send buffer overflow)' });
    this.feedbackPublished = metrics.counter({ name: 'fsr_feedback_published_total', help: 'fsr.feedback events published' });
    this.subscribers = gauge(metrics, 'fsr_stream_subscribers', 'Open /ws/fsr-data connections');
    gauge(metrics, 'fsr_writer_buffered_rows', 'FSR samples held in memory waiting for PostgreSQL', function (this: Gauge) {
      this.set(writer.stats().buffered);
    });
    gauge(metrics, FSR_METRICS.bufferMax, 'Rows the writer holds at most (FSR_BUFFER_MAX_ROWS); past it ingest answers 503', function (this: Gauge) {
      this.set(writer.maxRows);
    });
    writer.listen({
      persisted: (n) => this.persisted.inc(n),
      failed: (n, err) => {
        this.persistFailures.inc(n);
        this.flushFailures.inc();
        // Only the error's text: never the statement's parameters (device ids, values).
        this.logger.warn({ rows: n, err: errorText(err), retryInMs: writer.retryInMs() }, 'sample batch failed; will retry with backoff');
      },
      rejected: (rows, err) => {
        this.rejected.inc(rows.length);
        this.logger.error({ rows: rows.length, sqlState: err.sqlState, err: err.message }, 'samples refused by PostgreSQL were set aside; the rest of the batch is stored');
      },
      lost: (n, err) => {
        this.lost.inc(n);
        this.logger.error(
          { rows: n, err: errorText(err), journal: journal !== null },
          journal ? 'samples not stored before shutdown; kept in the journal for the next start' : 'samples could not be written before shutdown',
        );
      },
    });
  }

  /** Counts one ingest request that ended with `err` (or was accepted). */
  outcome(form: IngestForm, err?: unknown): void {
    const outcome: IngestOutcome = err === undefined ? 'accepted' : err instanceof AppError ? (OUTCOME_BY_CODE[err.code] ?? 'error') : 'error';
    this.requests.inc({ form, outcome });
  }
}

function gauge(metrics: MetricsService, name: string, help: string, collect?: (this: Gauge) => void): Gauge {
  const found = metrics.registry.getSingleMetric(name);
  if (found instanceof Gauge) return found;
  return new Gauge({ name, help, registers: [metrics.registry], ...(collect ? { collect } : {}) });
}

/** A failed query's message, first line only (never its parameters). */
function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
}
