import { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '../metrics/metrics';
import type { JobQueue } from './job-queue';

/** What the metrics read of a queue (any job map). */
export type CountedQueue = Pick<JobQueue<Record<string, never>>, 'name' | 'counts'>;

/** The job queue series (dashboards and alert rules name these). */
export const JOB_METRICS = {
  jobs: 'jobs_queue_jobs',
  failedAttempts: 'jobs_failed_attempts_total',
} as const;

/**
 * Exports a queue's depth by state (`jobs_queue_jobs{queue,state}`: waiting, active, delayed,
 * failed; read from the queue at scrape time) and the attempts that failed in this process.
 */
export function registerJobQueueMetrics(metrics: MetricsService, queue: CountedQueue): void {
  if (metrics.registry.getSingleMetric(JOB_METRICS.jobs)) return;
  let last = { waiting: 0, active: 0, delayed: 0, failed: 0, failedAttempts: 0 };
  const read = async () => {
    // a scrape while Redis is away shows the last counts rather than failing the whole scrape
    last = await queue.counts().catch(() => last);
    return last;
  };
  new Gauge({
    name: JOB_METRICS.jobs,
    help: 'Jobs in the queue by state (BullMQ: the whole queue, as every instance sees it)',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      const c = await read();
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) this.set({ queue: queue.name, state }, c[state]);
    },
  });
  // read from the queue's own count, which only grows
  new Counter({
    name: JOB_METRICS.failedAttempts,
    help: 'Job attempts that threw in this process (each retry counts)',
    labelNames: ['queue'],
    registers: [metrics.registry],
    async collect() {
      const c = await read();
      this.reset();
      this.inc({ queue: queue.name }, c.failedAttempts);
    },
  });
}
