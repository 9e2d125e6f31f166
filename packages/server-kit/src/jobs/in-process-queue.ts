import type { EnqueueOptions, JobCounts, JobHandler, JobQueue } from './job-queue';

interface PendingJob {
  readonly name: string;
  readonly data: unknown;
  attemptsLeft: number;
  readonly backoffMs: number;
}

/**
 * In-process job runner for the all-in-one start: same contract as BullMQ (idempotent job ids,
 * retries with backoff), without durability across restarts.
 */
export class InProcessJobQueue<J extends Record<string, unknown>> implements JobQueue<J> {
  readonly kind = 'in-process' as const;
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  private readonly seenIds = new Set<string>();
  private readonly waiting: PendingJob[] = [];
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private delayed = 0;
  private failed = 0;
  private failedAttempts = 0;

  constructor(
    private readonly onFailed: (name: string, err: unknown) => void = () => undefined,
    readonly name = 'in-process',
  ) {}

  async counts(): Promise<JobCounts> {
    return { waiting: this.waiting.length, active: this.running - this.delayed, delayed: this.delayed, failed: this.failed, failedAttempts: this.failedAttempts };
  }

  async enqueue<K extends keyof J & string>(name: K, data: J[K], options: EnqueueOptions = {}): Promise<void> {
    if (this.closed) throw new Error('job queue is closed');
    if (options.jobId !== undefined) {
      const key = `${name}:${options.jobId}`;
      if (this.seenIds.has(key)) return;
      this.seenIds.add(key);
    }
    this.waiting.push({ name, data: structuredClone(data), attemptsLeft: options.attempts ?? 5, backoffMs: options.backoffMs ?? 200 });
    setImmediate(() => this.pump());
  }

  process<K extends keyof J & string>(name: K, handler: JobHandler<J[K]>): void {
    this.handlers.set(name, handler as JobHandler<unknown>);
    setImmediate(() => this.pump());
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const job = this.waiting[i]!;
      const handler = this.handlers.get(job.name);
      if (!handler) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running++;
      handler(job.data)
        .catch((err: unknown) => {
          job.attemptsLeft--;
          this.failedAttempts++;
          if (job.attemptsLeft > 0 && !this.closed) {
            this.running++;
            this.delayed++;
            setTimeout(() => {
              this.running--;
              this.delayed--;
              this.waiting.push(job);
              this.pump();
            }, job.backoffMs).unref();
          } else {
            this.failed++;
            this.onFailed(job.name, err);
          }
        })
        .finally(() => {
          this.running--;
          this.notifyIdle();
        });
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    const idle = this.running === 0 && this.waiting.every((j) => !this.handlers.has(j.name));
    if (!idle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  drain(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('job queue did not drain in time')), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.notifyIdle();
    });
  }

  async close(): Promise<void> {
    await this.drain().catch(() => undefined);
    this.closed = true;
  }
}
