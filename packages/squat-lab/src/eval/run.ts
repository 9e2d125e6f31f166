import type { FormClass, RepSummary } from '@squirret/squat';
import { SquatAnalyzer } from '@squirret/squat';
import type { FittedModel } from '@squirret/squat';
import type { FootKeypoint, Keypoint } from '@squirret/contracts';
import { gaussian, seededRandom } from '@squirret/squat';
import type { Recording3d } from './dataset';
import { PROJECTED_ASPECT_RATIO, projectFeet, projectFrame } from './project';

/** The capture rate is not stated; the authors' GIFs of the same recordings play at 80 ms/frame. */
export const FRAME_MS = 80;

/** What the analyzer made of one recording. */
export interface RecordingResult {
  readonly recording: string;
  /** Reps counted by the streaming counter (the flush at the end is not counted here). */
  readonly reps: number;
  /** The first counted rep, or the rep closed by `flush()` when none was counted while streaming. */
  readonly summary: RepSummary | null;
  readonly fromFlush: boolean;
  readonly frames: number;
}

/** Independent Gaussian noise on every projected keypoint: `sigma` in image heights, seeded. */
export interface KeypointJitter {
  readonly sigma: number;
  readonly seed: number;
}

/** Adds `jitter` to the detected keypoints of one frame (same pixel scale on both axes). */
function jittered<K extends Keypoint | FootKeypoint>(kps: K[], sigma: number, rnd: () => number): K[] {
  return kps.map((k) => (k.score > 0 ? { ...k, x: k.x + (gaussian(rnd) * sigma) / PROJECTED_ASPECT_RATIO, y: k.y + gaussian(rnd) * sigma } : k));
}

/**
 * Runs the analyzer over one recording exactly as the live service does: projected COCO-17
 * keypoints, one `push` per frame, then `flush` at the end of the stream. `jitter` adds pose-model-like
 * noise to the keypoints first (the projected data itself has almost none).
 */
/** Which pose model the stream imitates: COCO-17 only (MoveNet) or COCO-17 plus heels and toes (BlazePose). */
export type StreamPose = 'movenet' | 'blazepose';

/** Models to analyse with instead of the shipped ones (a CV fold's, or a model being fitted). */
export interface AnalyzeModels {
  readonly model?: FittedModel;
  readonly feetModel?: FittedModel;
}

export function analyzeRecording(rec: Recording3d, models: AnalyzeModels = {}, includeFeatures = false, jitter?: KeypointJitter, pose: StreamPose = 'movenet'): RecordingResult {
  const analyzer = new SquatAnalyzer({
    aspectRatio: PROJECTED_ASPECT_RATIO,
    includeFeatures,
    ...(models.model ? { model: models.model } : {}),
    ...(models.feetModel ? { feetModel: models.feetModel } : {}),
    ...(pose === 'movenet' ? { feet: 'ignore' as const } : {}),
  });
  const noise = jitter ? { sigma: jitter.sigma, rnd: seededRandom(jitter.seed) } : null;
  const frameMs = rec.frameMs ?? FRAME_MS;
  let first: RepSummary | null = null;
  let reps = 0;
  rec.frames.forEach((frame, i) => {
    const kps = projectFrame(frame);
    const feet = pose === 'blazepose' ? projectFeet(frame) : undefined;
    const a = analyzer.push(noise ? jittered(kps, noise.sigma, noise.rnd) : kps, i * frameMs, feet && noise ? jittered(feet, noise.sigma, noise.rnd) : feet);
    reps = a.reps;
    if (a.repCompleted && first === null) first = a.repCompleted;
  });
  let fromFlush = false;
  if (first === null) {
    first = analyzer.flush(rec.frames.length * frameMs);
    fromFlush = first !== null;
  }
  return { recording: rec.recording, reps, summary: first, fromFlush, frames: rec.frames.length };
}

/** The class the evaluation reads off a result ('none' when no rep was found at all). */
export function predictedClass(r: RecordingResult): FormClass | 'none' {
  return r.summary?.formClass ?? 'none';
}
