import 'sharp'; // keep libvips loaded in the main thread while workers use it (see pool.ts)
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { PoseModelName } from '@squirret/contracts';
import type { BackendInfo, BackendPreference } from './backend';
import { resolveImageLimits } from './image-limits';
import { fromPoseErrorShape } from './pose.errors';
import { DEFAULT_WORKER_SCRIPT, type StartingWorker, spawnWarmWorker, transferableCopy } from './worker-spawn';
import type { FromPoseWorker, LoopTimings, ToPoseWorker } from './worker-protocol';

/** A benchmark baseline: decode + the pose model in tight loops on N threads, with no service around them. */
export interface BareLoopOptions {
  /** Encoded frames (JPEG/PNG/WebP), cycled through by each worker. */
  readonly frames: readonly Buffer[];
  readonly durationMs: number;
  /**
   * Unmeasured looping before the clock starts, so the loop is measured hot (the JIT and the WASM
   * tiers take seconds to settle, as they do in a service that has been running). Default 0.
   */
  readonly warmupMs?: number;
  /** Worker threads, one model each. Default: os.availableParallelism(). */
  readonly workers?: number;
  readonly backend?: BackendPreference;
  /** The model the workers run. Default 'movenet-lightning'. */
  readonly model?: PoseModelName;
  readonly workerScript?: string;
}

/** Summary of a sample of milliseconds. */
export interface MsStats {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
}

/** What runBareLoop measured. */
export interface BareLoopResult {
  readonly workers: number;
  readonly backend: BackendInfo;
  readonly framesDone: number;
  /** Longest loop time among the workers (they start together). */
  readonly elapsedMs: number;
  readonly framesPerSecond: number;
  /**
   * CPU time of this whole process (all its threads) during the measured loop, in ms: the workers'
   * decode and inference, since the main thread only waits. Frames per CPU-second does not move with
   * how fast the machine happens to be, as frames per second does.
   */
  readonly cpuMs: number;
  /** Measured frames on which the person detector ran (BlazePose; 0 for MoveNet). */
  readonly detectorRuns: number;
  readonly decodeMs: MsStats;
  readonly inferenceMs: MsStats;
  readonly perWorker: readonly { readonly framesDone: number; readonly elapsedMs: number; readonly warmupMs: number }[];
}

export function msStats(sample: readonly number[]): MsStats {
  if (sample.length === 0) return { mean: 0, p50: 0, p95: 0 };
  const sorted = [...sample].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: at(0.5), p95: at(0.95) };
}

function runLoopOn(worker: Worker, msg: ToPoseWorker, transfer: ArrayBuffer[]): Promise<LoopTimings> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: FromPoseWorker): void => {
      if (reply.type === 'loop-done') {
        worker.off('exit', onExit);
        resolve(reply);
      } else if (reply.type === 'loop-failed') {
        worker.off('exit', onExit);
        reject(fromPoseErrorShape(reply.error));
      }
    };
    const onExit = (code: number): void => reject(new Error(`bare-loop worker exited with code ${code}`));
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.postMessage(msg, transfer);
  });
}

/**
 * Measures frames/s of decode + inference with the pool's own worker script and backend but none of
 * its queueing or messaging per frame: each worker loops over the frames on its own. Workers warm up
 * first; the clock starts when all are warm.
 */
export async function runBareLoop(options: BareLoopOptions): Promise<BareLoopResult> {
  const count = options.workers ?? availableParallelism();
  if (options.frames.length === 0) throw new RangeError('runBareLoop needs at least one frame');
  const init = { model: options.model ?? 'movenet-lightning', backend: options.backend ?? 'auto', limits: resolveImageLimits(), warmupRuns: 2 } as const;
  const started: StartingWorker[] = Array.from({ length: count }, () =>
    spawnWarmWorker(options.workerScript ?? DEFAULT_WORKER_SCRIPT, init),
  );
  try {
    const ready = await Promise.all(started.map((s) => s.ready));
    const loop = (durationMs: number): Promise<LoopTimings[]> =>
      Promise.all(
        started.map((s, i) => {
          const frames = options.frames.map((f) => transferableCopy(f));
          // Offsets spread workers over the clip so they do not decode the same frame in lockstep.
          const offset = Math.floor((i * options.frames.length) / count);
          return runLoopOn(s.worker, { type: 'loop', frames, durationMs, offset }, frames);
        }),
      );
    if ((options.warmupMs ?? 0) > 0) await loop(options.warmupMs ?? 0);
    const cpu0 = process.cpuUsage();
    const timings = await loop(options.durationMs);
    const cpu = process.cpuUsage(cpu0);
    const framesDone = timings.reduce((n, t) => n + t.framesDone, 0);
    const elapsedMs = Math.max(...timings.map((t) => t.elapsedMs));
    const first = ready[0];
    if (first === undefined) throw new RangeError('runBareLoop needs at least one worker');
    return {
      workers: count,
      backend: first.backend,
      framesDone,
      elapsedMs,
      framesPerSecond: elapsedMs > 0 ? (framesDone * 1000) / elapsedMs : 0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      detectorRuns: timings.reduce((n, t) => n + t.detectorRuns, 0),
      decodeMs: msStats(timings.flatMap((t) => t.decodeMs)),
      inferenceMs: msStats(timings.flatMap((t) => t.inferenceMs)),
      perWorker: timings.map((t, i) => ({
        framesDone: t.framesDone,
        elapsedMs: t.elapsedMs,
        warmupMs: ready[i]?.warmupMs ?? 0,
      })),
    };
  } finally {
    await Promise.all(started.map((s) => s.worker.terminate()));
  }
}
