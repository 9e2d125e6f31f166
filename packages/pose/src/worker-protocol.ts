import type { PoseModelName } from '@squirret/contracts';
import type { PoseTrack } from './blazepose/blazepose-estimator';
import type { FramePose } from './pose-model';
import type { BackendInfo, BackendPreference } from './backend';
import type { ImageLimits } from './image-limits';
import type { PoseErrorShape } from './pose.errors';

/** What a pose worker is started with (its workerData). */
export interface PoseWorkerInit {
  readonly model: PoseModelName;
  readonly backend: BackendPreference;
  readonly limits: ImageLimits;
  readonly warmupRuns: number;
}

/** Messages the main thread sends to a pose worker. */
export type ToPoseWorker =
  /** One frame; `image` is transferred, not copied. */
  | { readonly type: 'estimate'; readonly jobId: number; readonly image: ArrayBuffer; readonly track?: PoseTrack }
  /** Drop this job if it has not started (PosePool.close() with frames waiting in the worker's inbox). */
  | { readonly type: 'cancel'; readonly jobId: number }
  /**
   * Benchmark: decode + infer `frames` in a tight loop for `durationMs`, starting at frame `offset`
   * (BlazePose tracks from frame to frame, as one stream would).
   */
  | { readonly type: 'loop'; readonly frames: ArrayBuffer[]; readonly durationMs: number; readonly offset: number };

/** Per-frame timings a bare loop reports. */
export interface LoopTimings {
  readonly framesDone: number;
  readonly elapsedMs: number;
  readonly decodeMs: number[];
  readonly inferenceMs: number[];
  /** Frames on which the person detector ran (BlazePose). */
  readonly detectorRuns: number;
}

/** Messages a pose worker sends back. */
export type FromPoseWorker =
  | { readonly type: 'ready'; readonly backend: BackendInfo; readonly loadMs: number; readonly warmupMs: number }
  | { readonly type: 'init-failed'; readonly error: PoseErrorShape }
  | ({ readonly type: 'result'; readonly jobId: number } & FramePose)
  | { readonly type: 'failed'; readonly jobId: number; readonly error: PoseErrorShape }
  /** Answer to `cancel`: the job was dropped unstarted (no result follows). */
  | { readonly type: 'cancelled'; readonly jobId: number }
  | ({ readonly type: 'loop-done' } & LoopTimings)
  | { readonly type: 'loop-failed'; readonly error: PoseErrorShape };
