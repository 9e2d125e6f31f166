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
  /**
   * Jobs allowed to wait, in the pool's queue or in a worker's inbox (see pipelineDepth); beyond that
   * estimate() rejects with QUEUE_FULL. Default: 2 x workers.
   */
  readonly maxQueue?: number;
  /**
   * A job running longer is rejected with INFERENCE_TIMEOUT and its worker replaced. Counted from the
   * job's start in its worker, not from when it was posted behind another. Default 10 s.
   */
  readonly jobTimeoutMs?: number;
  /**
   * Jobs one worker may hold at once: the one it runs plus the next ones waiting in its inbox, run in
   * order. At 2 a worker starts its next frame as soon as it posts a result, instead of idling until
   * the main thread handles that result and posts the next frame (1-2 ms a frame, 3-4% of a saturated
   * worker's time on 2 cores). A crash or timeout costs every job the worker held. Idle workers are
   * always filled first. Default 2; 1 = one job per worker.
   */
  readonly pipelineDepth?: number;
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
  /** Time waiting for a worker to start it: in the pool's queue, then in a worker's inbox. */
  readonly queueMs: number;
  readonly workerId: number;
}

/** State of one pool slot, for health endpoints and tests. */
export interface PoolWorkerInfo {
  readonly workerId: number;
  readonly state: PoolWorkerState;
  /** Jobs posted to this worker and not answered: the running one plus those in its inbox. */
  readonly heldJobs: number;
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
  /** When it started in its worker, as the main thread sees it (performance.now(); see startHead()). */
  startedAt: number;
  // A promise settles once: a job answered early (POOL_CLOSED at close) ignores its later result.
  readonly resolve: (result: PoseResult) => void;
  readonly reject: (error: PoseError) => void;
}

interface Slot {
  workerId: number;
  state: PoolWorkerState;
  worker: Worker | undefined;
  /** Jobs posted to the worker, in order: [0] runs, the rest wait in its inbox (at most pipelineDepth). */
  jobs: Job[];
  /** The running job's timeout, started when that job started. */
  jobTimer: NodeJS.Timeout | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  startFailures: number;
  lastError: Error | undefined;
  ready: { backend: BackendInfo; loadMs: number; warmupMs: number } | undefined;
  jobsDone: number;
}

const RESTART_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000] as const;

/**
 * N worker threads, each with its own pose model, behind a bounded FIFO queue; each worker holds up to
 * pipelineDepth jobs and runs them in order. Decoding happens in the workers too, so the main thread
 * only copies bytes in and keypoints out. Lifecycle: start() (all workers warm) -> estimate()* ->
 * close(). A worker that dies is replaced; every job it held is rejected with WORKER_CRASHED.
 */
export class PosePool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private readonly init: PoseWorkerInit;
  private readonly script: string;
  private readonly maxQueue: number;
  private readonly jobTimeoutMs: number;
  private readonly pipelineDepth: number;
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
    this.pipelineDepth = options.pipelineDepth ?? 2;
    if (!Number.isInteger(this.pipelineDepth) || this.pipelineDepth < 1) throw new RangeError(`pipelineDepth must be an integer >= 1, got ${this.pipelineDepth}`);
    this.limits = resolveImageLimits(options.limits);
    this.init = { model: options.model ?? 'movenet-lightning', backend: options.backend ?? 'auto', limits: this.limits, warmupRuns: options.warmupRuns ?? 2 };
    this.script = options.workerScript ?? DEFAULT_WORKER_SCRIPT;
    this.slots = Array.from({ length: workers }, () => ({
      workerId: 0,
      state: 'stopped' as PoolWorkerState,
      worker: undefined,
      jobs: [],
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

  /** Jobs accepted and not started: in the pool's queue or in a worker's inbox behind its running job. */
  get queueDepth(): number {
    return this.queue.length + this.slots.reduce((n, s) => n + Math.max(0, s.jobs.length - 1), 0);
  }

  /** Jobs one worker may hold at once (the running one included). */
  get depth(): number {
    return this.pipelineDepth;
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
      heldJobs: s.jobs.length,
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
    const slot = this.freeSlot();
    // A job that cannot start at once waits, in the queue or in a worker's inbox: maxQueue bounds both.
    if ((slot === undefined || slot.jobs.length > 0) && this.queueDepth >= this.maxQueue) {
      return Promise.reject(new PoseError('QUEUE_FULL', `${this.queueDepth} frames already wait for a pose worker`));
    }
    return new Promise<PoseResult>((resolve, reject) => {
      // Copy now so the caller may reuse its buffer at once; the copy is transferred, not cloned.
      const job: Job = { id: ++this.nextJobId, image: transferableCopy(image), track, enqueuedAt: performance.now(), startedAt: 0, resolve, reject };
      if (slot !== undefined) this.dispatch(slot, job);
      else this.queue.push(job);
    });
  }

  /**
   * Rejects waiting jobs (queued, or in a worker's inbox) with POOL_CLOSED, lets running jobs finish,
   * then terminates every worker.
   */
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

  /** The warm worker holding the fewest jobs, if one has room (idle workers before pipelining). */
  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.worker === undefined || (s.state !== 'idle' && s.state !== 'busy') || s.jobs.length >= this.pipelineDepth) continue;
      if (best === undefined || s.jobs.length < best.jobs.length) best = s;
    }
    return best;
  }

  private dispatch(slot: Slot, job: Job): void {
    const worker = slot.worker;
    if (worker === undefined) throw new Error('dispatch to a slot without a worker');
    slot.state = 'busy';
    slot.jobs.push(job);
    if (slot.jobs.length === 1) this.startHead(slot);
    const msg: ToPoseWorker = { type: 'estimate', jobId: job.id, image: job.image, ...(job.track !== undefined ? { track: job.track } : {}) };
    worker.postMessage(msg, [job.image]);
  }

  /**
   * Marks the slot's first job started and starts its timeout. A job behind another starts in the
   * worker as the one before it is answered; the main thread dates it when it sees that answer, so
   * its clock (and its queueMs) never starts early and is late by no more than that message's latency.
   */
  private startHead(slot: Slot): void {
    const job = slot.jobs[0];
    if (job === undefined) return;
    job.startedAt = performance.now();
    slot.jobTimer = setTimeout(() => this.onTimeout(slot, job), this.jobTimeoutMs);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      const job = slot === undefined ? undefined : this.queue.shift();
      if (slot === undefined || job === undefined) return;
      this.dispatch(slot, job);
    }
  }

  /** Every job the slot holds, its timer stopped. */
  private takeJobs(slot: Slot): Job[] {
    if (slot.jobTimer !== undefined) clearTimeout(slot.jobTimer);
    slot.jobTimer = undefined;
    return slot.jobs.splice(0);
  }

  private onMessage(slot: Slot, msg: FromPoseWorker): void {
    if (msg.type !== 'result' && msg.type !== 'failed' && msg.type !== 'cancelled') return;
    const at = slot.jobs.findIndex((j) => j.id === msg.jobId);
    if (at < 0) return; // a reply from a worker whose jobs were answered when it timed out
    const [job] = slot.jobs.splice(at, 1);
    if (at === 0) {
      // The worker runs its inbox in order: the next job started as this one was answered.
      if (slot.jobTimer !== undefined) clearTimeout(slot.jobTimer);
      slot.jobTimer = undefined;
      this.startHead(slot);
    }
    slot.state = slot.jobs.length > 0 ? 'busy' : 'idle';
    if (msg.type !== 'cancelled') slot.jobsDone++;
    this.pump();
    this.notifyIfDrained();
    if (job === undefined || msg.type === 'cancelled') return;
    // Waiting for a worker: in the pool's queue, then in the worker's inbox.
    const queueMs = job.startedAt - job.enqueuedAt;
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
    if (slot.jobs[0] !== job) return;
    const [, ...behind] = this.takeJobs(slot);
    slot.state = 'stopping';
    this.emit({ type: 'job-timeout', workerId: slot.workerId, jobId: job.id });
    job.reject(new PoseError('INFERENCE_TIMEOUT', `pose worker ${slot.workerId} took over ${this.jobTimeoutMs} ms`));
    // Frames in its inbox never started; their bytes went to the worker, so they cannot move to another.
    for (const other of behind) {
      other.reject(new PoseError('INFERENCE_TIMEOUT', `pose worker ${slot.workerId} was stopped: the frame ahead of this one took over ${this.jobTimeoutMs} ms`));
    }
    this.notifyIfDrained();
    // A hung worker cannot be trusted with the next frame: terminate it; onExit replaces it.
    void slot.worker?.terminate();
  }

  private onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const held = this.takeJobs(slot);
    const wasStopping = slot.state === 'stopping';
    slot.state = 'stopped';
    slot.ready = undefined;
    if (this.closed && held.length === 0) return;
    const why = slot.lastError ? `: ${slot.lastError.message}` : '';
    const reason = `pose worker ${slot.workerId} exited with code ${code}${why}`;
    if (!wasStopping) this.emit({ type: 'worker-crashed', workerId: slot.workerId, exitCode: code, reason });
    held.forEach((job, i) => job.reject(new PoseError('WORKER_CRASHED', `${reason} ${i === 0 ? 'while estimating this frame' : 'with this frame in its inbox'}`)));
    this.notifyIfDrained();
    this.replace(slot);
  }

  private rejectQueued(error: PoseError): void {
    for (const job of this.queue.splice(0)) job.reject(error);
  }

  private notifyIfDrained(): void {
    if (this.slots.some((s) => s.jobs.length > 0)) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private async closeAll(): Promise<void> {
    this.closed = true;
    this.rejectQueued(new PoseError('POOL_CLOSED', 'pose pool closed before this frame was estimated'));
    for (const slot of this.slots) {
      if (slot.restartTimer !== undefined) clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
    }
    // Frames in a worker's inbox are answered now and dropped there unstarted ('cancelled'); one the
    // worker started before the cancel arrived runs to its end like the others.
    for (const slot of this.slots) {
      for (const job of slot.jobs.slice(1)) {
        job.reject(new PoseError('POOL_CLOSED', 'pose pool closed before this frame was estimated'));
        slot.worker?.postMessage({ type: 'cancel', jobId: job.id } satisfies ToPoseWorker);
      }
    }
    // Running jobs finish (each is bounded by jobTimeoutMs); terminating a worker inside a libvips
    // call can take the whole process down.
    if (this.slots.some((s) => s.jobs.length > 0)) {
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
