import type { Keypoint } from '@squirret/contracts';
import type { BackendInfo, BackendPreference } from './backend';
import type { ImageLimits } from './image-limits';
import type { PoseErrorShape } from './pose.errors';

/** What a pose worker is started with (its workerData). */
export interface PoseWorkerInit {
  readonly backend: BackendPreference;
  readonly limits: ImageLimits;
  readonly warmupRuns: number;
}

/** Messages the main thread sends to a pose worker. */
export type ToPoseWorker =
  /** One frame; `image` is transferred, not copied. */
  | { readonly type: 'estimate'; readonly jobId: number; readonly image: ArrayBuffer }
  /** Benchmark: decode + infer `frames` in a tight loop for `durationMs`, starting at frame `offset`. */
  | { readonly type: 'loop'; readonly frames: ArrayBuffer[]; readonly durationMs: number; readonly offset: number };

/** Per-frame timings a bare loop reports. */
export interface LoopTimings {
  readonly framesDone: number;
  readonly elapsedMs: number;
  readonly decodeMs: number[];
  readonly inferenceMs: number[];
}

/** Messages a pose worker sends back. */
export type FromPoseWorker =
  | { readonly type: 'ready'; readonly backend: BackendInfo; readonly loadMs: number; readonly warmupMs: number }
  | { readonly type: 'init-failed'; readonly error: PoseErrorShape }
  | {
      readonly type: 'result';
      readonly jobId: number;
      readonly keypoints: Keypoint[];
      readonly inferenceMs: number;
      readonly decodeMs: number;
    }
  | { readonly type: 'failed'; readonly jobId: number; readonly error: PoseErrorShape }
  | ({ readonly type: 'loop-done' } & LoopTimings)
  | { readonly type: 'loop-failed'; readonly error: PoseErrorShape };
