/** Options of one enqueued job. `jobId` makes enqueueing idempotent (a second add with the same id is ignored). */
export interface EnqueueOptions {
  readonly jobId?: string;
  readonly attempts?: number;
  readonly backoffMs?: number;
}

/** Handler of one job kind. Throwing makes the job retry (up to its attempts). */
export type JobHandler<D> = (data: D) => Promise<void>;

/** How many jobs a queue holds by state, and the attempts that failed in this process (metrics). */
export interface JobCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  /** Jobs that used up their attempts (BullMQ keeps them for a day). */
  readonly failed: number;
  /** Attempts that threw in this process since it started (each retry counts). */
  readonly failedAttempts: number;
}

/**
 * A durable background job queue with one typed interface: BullMQ on Redis in production, an
 * in-process runner when no Redis is configured. `J` maps job names to their data.
 */
export interface JobQueue<J extends Record<string, unknown>> {
  readonly kind: 'bullmq' | 'in-process';
  enqueue<K extends keyof J & string>(name: K, data: J[K], options?: EnqueueOptions): Promise<void>;
  process<K extends keyof J & string>(name: K, handler: JobHandler<J[K]>): void;
  /** The queue's name (a metrics label). */
  readonly name: string;
  /** Jobs by state (BullMQ: the whole queue in Redis, every instance's). */
  counts(): Promise<JobCounts>;
  /** Resolves when no job is waiting or running (tests, graceful shutdown). */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
