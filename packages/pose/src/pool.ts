// sharp must stay loaded in the main thread while workers use it: libvips is a shared library, and
// if the last thread holding it exits, glibc unloads it under the others (sharp's worker-thread note).
import 'sharp';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import type { PoseModelName } from '@squirret/contracts';
import type { BackendInfo, BackendPreference } from './backend';
import type { FramePose } from './pose-model';
import type { PoseTrack } from './blazepose/blazepose-estimator';
import { type ImageLimits, resolveImageLimits } from './image-limits';
import { PoseError, fromPoseErrorShape } from './pose.errors';
import { DEFAULT_WORKER_SCRIPT, spawnWarmWorker, transferableCopy } from './worker-spawn';
import type { FromPoseWorker, PoseWorkerInit, ToPoseWorker } from './worker-protocol';

/** How a PosePool is sized and bounded. */
export interface PosePoolOptions {
  /** The model every worker loads. Default 'movenet-lightning'. */
  readonly model?: PoseModelName;
  /** Worker threads, one model each. Default: os.availableParallelism(). */
  readonly workers?: number;
  /** Jobs allowed to wait for a worker; beyond that estimate() rejects with QUEUE_FULL. Default: 2 x workers. */
  readonly maxQueue?: number;
  /** A job running longer is rejected with INFERENCE_TIMEOUT and its worker replaced. Default 10 s. */
  readonly jobTimeoutMs?: number;
  readonly limits?: Partial<ImageLimits>;
  readonly backend?: BackendPreference;
  /** Blank inferences per worker at start. Default 2. */
  readonly warmupRuns?: number;
  /** Worker entry to run instead of dist/worker.js (bundles, test fixtures). */
  readonly workerScript?: string;
  /** Lifecycle events, for logs and metrics. Must not throw. */
  readonly onEvent?: (event: PosePoolEvent) => void;
}

/** Lifecycle events of the pool's workers. */
export type PosePoolEvent =
  | {
      readonly type: 'worker-ready';
      readonly workerId: number;
      readonly backend: BackendInfo;
      readonly loadMs: number;
      readonly warmupMs: number;
      readonly replacement: boolean;
    }
  | { readonly type: 'worker-crashed'; readonly workerId: number; readonly exitCode: number; readonly reason: string }
  | { readonly type: 'worker-start-failed'; readonly workerId: number; readonly reason: string; readonly retryInMs: number }
  | { readonly type: 'job-timeout'; readonly workerId: number; readonly jobId: number };

/** The pose of one frame from the pool (the worker's FramePose), with the time it waited for a worker. */
export interface PoseResult extends FramePose {
  /** Time waiting for a free worker. */
  readonly queueMs: number;
  readonly workerId: number;
}

/** State of one pool slot, for health endpoints and tests. */
export interface PoolWorkerInfo {
  readonly workerId: number;
  readonly state: PoolWorkerState;
  readonly backend: BackendInfo | undefined;
  readonly loadMs: number | undefined;
  readonly warmupMs: number | undefined;
  readonly jobsDone: number;
}

/** Life of a pool slot: starting (loading/warming) -> idle <-> busy; stopping after a timeout; stopped when dead or closed. */
export type PoolWorkerState = 'starting' | 'idle' | 'busy' | 'stopping' | 'stopped';

interface Job {
  readonly id: number;
  readonly image: ArrayBuffer;
  readonly track: PoseTrack | undefined;
  readonly enqueuedAt: number;
  readonly resolve: (result: PoseResult) => void;
  readonly reject: (error: PoseError) => void;
}

interface Slot {
  workerId: number;
  state: PoolWorkerState;
  worker: Worker | undefined;
  job: Job | undefined;
  dispatchedAt: number;
  jobTimer: NodeJS.Timeout | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  startFailures: number;
  lastError: Error | undefined;
  ready: { backend: BackendInfo; loadMs: number; warmupMs: number } | undefined;
  jobsDone: number;
}

const RESTART_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;

/**
 * N worker threads, each with its own MoveNet model, behind a bounded FIFO queue. Decoding happens in
 * the workers too, so the main thread only copies bytes in and keypoints out. Lifecycle:
 * start() (all workers warm) -> estimate()* -> close(). A worker that dies is replaced; the job it was
 * running is rejected with WORKER_CRASHED.
 */
export class PosePool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly init: PoseWorkerInit;
  private readonly script: string;
  private readonly maxQueue: number;
  private readonly jobTimeoutMs: number;
  private readonly limits: ImageLimits;
  private nextWorkerId = 0;
  private nextJobId = 0;
  private restartCount = 0;
  private started = false;
  private closed = false;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private drainWaiters: Array<() => void> = [];

  constructor(private readonly options: PosePoolOptions = {}) {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be an integer >= 1, got ${workers}`);
    this.maxQueue = options.maxQueue ?? workers * 2;
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) throw new RangeError(`maxQueue must be an integer >= 0`);
    this.jobTimeoutMs = options.jobTimeoutMs ?? 10_000;
    this.limits = resolveImageLimits(options.limits);
    this.init = { model: options.model ?? 'movenet-lightning', backend: options.backend ?? 'auto', limits: this.limits, warmupRuns: options.warmupRuns ?? 2 };
    this.script = options.workerScript ?? DEFAULT_WORKER_SCRIPT;
    this.slots = Array.from({ length: workers }, () => ({
      workerId: 0,
      state: 'stopped' as PoolWorkerState,
      worker: undefined,
      job: undefined,
      dispatchedAt: 0,
      jobTimer: undefined,
      restartTimer: undefined,
      startFailures: 0,
      lastError: undefined,
      ready: undefined,
      jobsDone: 0,
    }));
  }

  /** Number of worker threads. */
  get size(): number {
    return this.slots.length;
  }

  /** Workers currently running a job. */
  get busy(): number {
    return this.slots.filter((s) => s.state === 'busy').length;
  }

  /** Jobs waiting for a worker. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Most jobs that may wait; one more is rejected with QUEUE_FULL. */
  get capacity(): number {
    return this.maxQueue;
  }

  /** Backend of the first warm worker (all workers resolve the same preference the same way). */
  get backend(): BackendInfo | undefined {
    return this.slots.find((s) => s.ready !== undefined)?.ready?.backend;
  }

  /** Workers replaced after a crash or a timeout since start. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Per-slot state, backend and warm-up/load ms (a replaced worker gets a new workerId). */
  get workers(): readonly PoolWorkerInfo[] {
    return this.slots.map((s) => ({
      workerId: s.workerId,
      state: s.state,
      backend: s.ready?.backend,
      loadMs: s.ready?.loadMs,
      warmupMs: s.ready?.warmupMs,
      jobsDone: s.jobsDone,
    }));
  }

  /** Starts every worker; resolves when all are warm, rejects with MODEL_LOAD_FAILED (and closes) if one fails. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new PoseError('POOL_CLOSED', 'pose pool is closed'));
    this.starting ??= this.startAll();
    return this.starting;
  }

  /** The model the workers run. */
  get model(): PoseModelName {
    return this.init.model;
  }

  /**
   * Decodes and estimates one encoded JPEG/PNG/WebP frame on a free worker. `track` is the
   * `track` of the same stream's previous result (BlazePose follows the person from it; any
   * worker can take it, the workers keep no per-stream state).
   */
  estimate(image: Uint8Array, track?: PoseTrack): Promise<PoseResult> {
    if (this.closed) return Promise.reject(new PoseError('POOL_CLOSED', 'pose pool is closed'));
    if (!this.started) return Promise.reject(new PoseError('POOL_NOT_STARTED', 'call start() and await it first'));
    if (image.byteLength > this.limits.maxBytes) {
      return Promise.reject(
        new PoseError('IMAGE_TOO_LARGE', `image is ${image.byteLength} bytes, the limit is ${this.limits.maxBytes}`),
      );
    }
    const idle = this.slots.find((s) => s.state === 'idle');
    if (idle === undefined && this.queue.length >= this.maxQueue) {
      return Promise.reject(new PoseError('QUEUE_FULL', `${this.queue.length} frames already wait for a pose worker`));
    }
    return new Promise<PoseResult>((resolve, reject) => {
      // Copy now so the caller may reuse its buffer at once; the copy is transferred, not cloned.
      const job: Job = { id: ++this.nextJobId, image: transferableCopy(image), track, enqueuedAt: performance.now(), resolve, reject };
      if (idle !== undefined) this.dispatch(idle, job);
      else this.queue.push(job);
    });
  }

  /** Rejects waiting jobs with POOL_CLOSED, lets running jobs finish, then terminates every worker. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async startAll(): Promise<void> {
    const results = await Promise.allSettled(this.slots.map((slot) => this.spawnInto(slot, false)));
    if (this.closed) throw new PoseError('POOL_CLOSED', 'pose pool was closed while starting');
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await this.close();
      const reason: unknown = failure.reason;
      throw reason instanceof PoseError ? reason : new PoseError('MODEL_LOAD_FAILED', String(reason));
    }
    this.started = true;
  }

  private async spawnInto(slot: Slot, replacement: boolean): Promise<void> {
    const { worker, ready } = spawnWarmWorker(this.script, this.init);
    slot.workerId = ++this.nextWorkerId;
    slot.state = 'starting';
    slot.worker = worker;
    slot.lastError = undefined;
    slot.ready = undefined;
    worker.on('error', (error: Error) => {
      slot.lastError = error;
    });
    let report: Awaited<typeof ready>;
    try {
      report = await ready;
    } catch (error) {
      if (slot.worker === worker) {
        slot.worker = undefined;
        slot.state = 'stopped';
      }
      throw error;
    }
    if (this.closed || slot.worker !== worker) {
      await worker.terminate();
      return;
    }
    worker.on('message', (msg: FromPoseWorker) => this.onMessage(slot, msg));
    worker.on('exit', (code: number) => this.onExit(slot, worker, code));
    slot.state = 'idle';
    slot.startFailures = 0;
    slot.ready = { backend: report.backend, loadMs: report.loadMs, warmupMs: report.warmupMs };
    this.emit({ type: 'worker-ready', workerId: slot.workerId, ...slot.ready, replacement });
    this.pump();
  }

  private replace(slot: Slot): void {
    if (this.closed) return;
    this.restartCount++;
    this.respawn(slot);
  }

  private respawn(slot: Slot): void {
    this.spawnInto(slot, true).catch((error: unknown) => {
      if (this.closed) return;
      const retryInMs = RESTART_BACKOFF_MS[Math.min(slot.startFailures, RESTART_BACKOFF_MS.length - 1)] ?? 30_000;
      slot.startFailures++;
      this.emit({ type: 'worker-start-failed', workerId: slot.workerId, reason: String((error as Error).message), retryInMs });
      // With no warm worker left, waiting jobs would wait for a restart that may never come.
      if (!this.slots.some((s) => s.state === 'idle' || s.state === 'busy')) {
        this.rejectQueued(new PoseError('WORKER_CRASHED', 'no pose worker is running; replacements are failing to start'));
      }
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        if (!this.closed) this.respawn(slot);
      }, retryInMs);
    });
  }

  private dispatch(slot: Slot, job: Job): void {
    const worker = slot.worker;
    if (worker === undefined) throw new Error('dispatch to a slot without a worker');
    slot.state = 'busy';
    slot.job = job;
    slot.dispatchedAt = performance.now();
    slot.jobTimer = setTimeout(() => this.onTimeout(slot, job), this.jobTimeoutMs);
    const msg: ToPoseWorker = { type: 'estimate', jobId: job.id, image: job.image, ...(job.track !== undefined ? { track: job.track } : {}) };
    worker.postMessage(msg, [job.image]);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const job = this.queue.shift();
      if (job !== undefined) this.dispatch(slot, job);
    }
  }

  private takeJob(slot: Slot): Job | undefined {
    const job = slot.job;
    slot.job = undefined;
    if (slot.jobTimer !== undefined) clearTimeout(slot.jobTimer);
    slot.jobTimer = undefined;
    return job;
  }

  private onMessage(slot: Slot, msg: FromPoseWorker): void {
    if (msg.type !== 'result' && msg.type !== 'failed') return;
    if (slot.job?.id !== msg.jobId) return; // a reply to a job that already timed out
    const queueMs = slot.dispatchedAt - slot.job.enqueuedAt;
    const job = this.takeJob(slot);
    slot.state = 'idle';
    slot.jobsDone++;
    this.pump();
    this.notifyIfDrained();
    if (job === undefined) return;
    if (msg.type === 'result') {
      job.resolve({
        keypoints: msg.keypoints,
        ...(msg.feet !== undefined ? { feet: msg.feet } : {}),
        ...(msg.landmarks !== undefined ? { landmarks: msg.landmarks } : {}),
        ...(msg.track !== undefined ? { track: msg.track } : {}),
        ...(msg.detectorRan !== undefined ? { detectorRan: msg.detectorRan } : {}),
        frame: msg.frame,
        inferenceMs: msg.inferenceMs,
        decodeMs: msg.decodeMs,
        queueMs,
        workerId: slot.workerId,
      });
    } else {
      job.reject(fromPoseErrorShape(msg.error));
    }
  }

  private onTimeout(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.takeJob(slot);
    slot.state = 'stopping';
    this.emit({ type: 'job-timeout', workerId: slot.workerId, jobId: job.id });
    job.reject(new PoseError('INFERENCE_TIMEOUT', `pose worker ${slot.workerId} took over ${this.jobTimeoutMs} ms`));
    this.notifyIfDrained();
    // A hung worker cannot be trusted with the next frame: terminate it; onExit replaces it.
    void slot.worker?.terminate();
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const job = this.takeJob(slot);
    const wasStopping = slot.state === 'stopping';
    slot.state = 'stopped';
    slot.ready = undefined;
    if (this.closed && job === undefined) return;
    const why = slot.lastError ? `: ${slot.lastError.message}` : '';
    const reason = `pose worker ${slot.workerId} exited with code ${code}${why}`;
    if (!wasStopping) this.emit({ type: 'worker-crashed', workerId: slot.workerId, exitCode: code, reason });
    job?.reject(new PoseError('WORKER_CRASHED', `${reason} while estimating a frame`));
    this.notifyIfDrained();
    this.replace(slot);
  }

  private rejectQueued(error: PoseError): void {
    for (const job of this.queue.splice(0)) job.reject(error);
  }

  private notifyIfDrained(): void {
    if (this.slots.some((s) => s.job !== undefined)) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private async closeAll(): Promise<void> {
    this.closed = true;
    this.rejectQueued(new PoseError('POOL_CLOSED', 'pose pool closed before this frame was estimated'));
    for (const slot of this.slots) {
      if (slot.restartTimer !== undefined) clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
    }
    // Running jobs finish (each is bounded by jobTimeoutMs); terminating a worker inside a libvips
    // call can take the whole process down.
    if (this.slots.some((s) => s.job !== undefined)) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = undefined;
        slot.state = 'stopped';
        if (worker !== undefined) await worker.terminate();
      }),
    );
  }

  private emit(event: PosePoolEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // An observer must not break the pool.
    }
  }
}
