import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { EnqueueOptions, JobCounts, JobHandler, JobQueue } from './job-queue';

/** Options of the BullMQ queue: one BullMQ queue per logical queue name, on the configured Redis. */
export interface BullMqQueueOptions {
  readonly redisUrl: string;
  readonly queueName: string;
  readonly prefix?: string;
  readonly concurrency?: number;
  readonly onFailed?: (name: string, err: unknown) => void;
}

function connectionFromUrl(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

/** Durable jobs on Redis through BullMQ; one worker in this process handles every registered job name. */
export class BullMqJobQueue<J extends Record<string, unknown>> implements JobQueue<J> {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  private readonly connection: ConnectionOptions;
  private failedAttempts = 0;

  constructor(private readonly options: BullMqQueueOptions) {
    this.connection = connectionFromUrl(options.redisUrl);
    const common = { connection: this.connection, prefix: options.prefix ?? 'squirret:bull' };
    this.queue = new Queue(options.queueName, common);
  }

  get name(): string {
    return this.options.queueName;
  }

  /** The BullMQ queue itself (read-only views such as the queue board). */
  get bullQueue(): Queue {
    return this.queue;
  }

  async counts(): Promise<JobCounts> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, failedAttempts: this.failedAttempts };
  }

  async enqueue<K extends keyof J & string>(name: K, data: J[K], options: EnqueueOptions = {}): Promise<void> {
    await this.queue.add(name, data, {
      ...(options.jobId !== undefined ? { jobId: `${name}-${options.jobId}` } : {}),
      attempts: options.attempts ?? 5,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 200 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    });
  }

  process<K extends keyof J & string>(name: K, handler: JobHandler<J[K]>): void {
    this.handlers.set(name, handler as JobHandler<unknown>);
    if (this.worker) return;
    this.worker = new Worker(
      this.options.queueName,
      async (job) => {
        const h = this.handlers.get(job.name);
        if (!h) throw new Error(`no handler for job ${job.name}`);
        await h(job.data);
      },
      { connection: this.connection, prefix: this.options.prefix ?? 'squirret:bull', concurrency: this.options.concurrency ?? 4 },
    );
    this.worker.on('failed', (job, err) => {
      this.failedAttempts++;
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) this.options.onFailed?.(job.name, err);
    });
  }

  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > deadline) throw new Error('job queue did not drain in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
