import type { FootKeypoint, Keypoint, Landmark, PoseModelName } from '@squirret/contracts';
import type { BackendInfo, BackendPreference } from './backend';
import { BlazePoseEstimator, type PoseTrack } from './blazepose/blazepose-estimator';
import { PoseEstimator } from './estimator';
import type { FrameSize } from './decode';
import type { ImageLimits } from './image-limits';

/** The pose of one encoded frame from whichever model runs, with where the time went. */
export interface FramePose {
  readonly keypoints: Keypoint[];
  /** Heels and toes (BlazePose only). */
  readonly feet?: FootKeypoint[];
  /** The 33 landmarks with visibility (BlazePose only). */
  readonly landmarks?: Landmark[];
  /** Tracking state for the stream's next frame (BlazePose only; absent when tracking was lost). */
  readonly track?: PoseTrack;
  /** True when the person detector ran on this frame (BlazePose only). */
  readonly detectorRan?: boolean;
  /** Size of the decoded frame the coordinates are normalised to (its width / height is the analyzer's aspect ratio). */
  readonly frame: FrameSize;
  readonly inferenceMs: number;
  readonly decodeMs: number;
}

/** A loaded pose model of any kind, as a worker thread drives it. */
export interface PoseModel {
  readonly name: PoseModelName;
  readonly backend: BackendInfo;
  readonly loadMs: number;
  warmup(runs: number): Promise<number>;
  /** Decodes and estimates one frame; `track` is the stream's previous result (ignored by MoveNet). */
  estimateImage(bytes: Uint8Array, limits: ImageLimits, track?: PoseTrack): Promise<FramePose>;
  dispose(): void;
}

/** Loads the named model (files from the installed npm packages) on the calling thread. */
export async function loadPoseModel(name: PoseModelName, backend: BackendPreference): Promise<PoseModel> {
  if (name === 'movenet-lightning') {
    const m = await PoseEstimator.load({ backend });
    return {
      name,
      backend: m.backend,
      loadMs: m.loadMs,
      warmup: (runs) => m.warmup(runs),
      estimateImage: (bytes, limits) => m.estimateImage(bytes, limits),
      dispose: () => m.dispose(),
    };
  }
  const m = await BlazePoseEstimator.load({ backend, variant: name === 'blazepose-full' ? 'full' : 'lite' });
  return {
    name,
    backend: m.backend,
    loadMs: m.loadMs,
    warmup: (runs) => m.warmup(runs),
    async estimateImage(bytes, limits, track) {
      const r = await m.estimateImage(bytes, limits, track);
      return {
        keypoints: r.keypoints,
        feet: r.feet,
        landmarks: r.landmarks,
        frame: r.frame,
        ...(r.track !== undefined ? { track: r.track } : {}),
        detectorRan: r.detectorRan,
        inferenceMs: r.inferenceMs,
        decodeMs: r.decodeMs,
      };
    },
    dispose: () => m.dispose(),
  };
}
