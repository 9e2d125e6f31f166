import type { FormClass, RepSummary } from '../analysis.types';
import { SquatAnalyzer } from '../analyzer';
import type { FittedModel } from '../model/model.types';
import type { Recording3d } from './dataset';
import { PROJECTED_ASPECT_RATIO, projectFrame } from './project';

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

/**
 * Runs the analyzer over one recording exactly as the live service does: projected COCO-17
 * keypoints, one `push` per frame, then `flush` at the end of the stream.
 */
export function analyzeRecording(rec: Recording3d, model?: FittedModel, includeFeatures = false): RecordingResult {
  const analyzer = new SquatAnalyzer({ aspectRatio: PROJECTED_ASPECT_RATIO, includeFeatures, ...(model ? { model } : {}) });
  let first: RepSummary | null = null;
  let reps = 0;
  rec.frames.forEach((frame, i) => {
    const a = analyzer.push(projectFrame(frame), i * FRAME_MS);
    reps = a.reps;
    if (a.repCompleted && first === null) first = a.repCompleted;
  });
  let fromFlush = false;
  if (first === null) {
    first = analyzer.flush(rec.frames.length * FRAME_MS);
    fromFlush = first !== null;
  }
  return { recording: rec.recording, reps, summary: first, fromFlush, frames: rec.frames.length };
}

/** The class the evaluation reads off a result ('none' when no rep was found at all). */
export function predictedClass(r: RecordingResult): FormClass | 'none' {
  return r.summary?.formClass ?? 'none';
}
