import type { FormClass } from '@squirret/squat';
import { AI_TRAINER_DIR, datasetDir, forEachRecording, readLabels, type Recording3d, type RecordingLabel, type Split } from './dataset';
import { augmentRecording, mirrorRecording, turnCamera, type AugmentSet } from './augment';
import { analyzeRecording, type AnalyzeModels, type RecordingResult, type StreamPose } from './run';

/** A labelled recording and what the analyzer made of it. */
export interface LabelledResult {
  readonly label: RecordingLabel;
  readonly truth: FormClass;
  readonly result: RecordingResult;
  /** Set on a training-time augmented copy (1-based copy number); absent on the recording itself. */
  readonly augmented?: number;
  /** Set on the recording seen by a turned camera (degrees, signed); never trained on. */
  readonly turnedDeg?: number;
  /** Set on the recording's mirror image (`mirrorRecording`), for scoring a rep and its mirror together; never trained on. */
  readonly mirrored?: true;
}

/** Options of `runSplit`. */
export interface RunSplitOptions {
  readonly datasets?: string;
  readonly models?: AnalyzeModels;
  /** 'blazepose' also streams the projected heels and toes (default 'movenet': COCO-17 only). */
  readonly pose?: StreamPose;
  readonly includeFeatures?: boolean;
  readonly limit?: number;
  /** Training-time camera copies of each recording, numbered 1.. across the sets in order. */
  readonly augment?: readonly AugmentSet[];
  /**
   * Also see each recording from a camera turned by each of these angles (degrees); the side
   * alternates with the recording's row in labels.csv, so half are seen from its left, half from its right.
   */
  readonly turned?: readonly number[];
  /** Keypoint jitter (image heights) added to each recording and turned view, never to the copies. */
  readonly jitter?: number;
  /** Also stream each recording's mirror image (`mirrored: true`). */
  readonly mirrored?: boolean;
}

/** Streams one split of ai_trainer_squat3d through the analyzer (one recording in memory at a time). */
export async function runSplit(
  split: Split,
  options: RunSplitOptions = {},
): Promise<LabelledResult[]> {
  const dir = datasetDir(AI_TRAINER_DIR, options.datasets);
  let labels = readLabels(dir, split);
  if (options.limit !== undefined) labels = labels.slice(0, options.limit);
  const byName = new Map(labels.map((l) => [l.recording, l]));
  const order = new Map(labels.map((l, i) => [l.recording, i]));
  const out: LabelledResult[] = [];
  await forEachRecording(
    dir,
    (rec) => {
      const label = byName.get(rec.recording);
      if (!label) return;
      const row = order.get(rec.recording)!;
      const analyze = (r: Recording3d, noisy = false): RecordingResult =>
        analyzeRecording(r, options.models ?? {}, options.includeFeatures ?? false, noisy && options.jitter ? { sigma: options.jitter, seed: 30000 + row } : undefined, options.pose ?? 'movenet');
      out.push({ label, truth: label.formClass, result: analyze(rec, true) });
      let n = 0;
      for (const set of options.augment ?? []) {
        // seeded by the recording's row in labels.csv, so every run makes the same copies
        for (const a of augmentRecording(rec, set.copies, set.seedBase + row, set.range, set.mirror)) {
          out.push({ label, truth: label.formClass, result: analyze(a), augmented: ++n });
        }
      }
      if (options.mirrored) out.push({ label, truth: label.formClass, result: analyze(mirrorRecording(rec), true), mirrored: true });
      for (const deg of options.turned ?? []) {
        const turnedDeg = row % 2 === 1 ? deg : -deg;
        out.push({ label, truth: label.formClass, result: analyze(turnCamera(rec, turnedDeg), true), turnedDeg });
      }
    },
    new Set(byName.keys()),
  );
  // file order is the order of labels.csv; keep results in that order for stable output
  // the sort is stable: a recording's own results keep the order they were made in (itself, copies, turned views)
  return out.sort((a, b) => order.get(a.label.recording)! - order.get(b.label.recording)!);
}
