import type { FormClass } from '../analysis.types';
import type { FittedModel } from '../model/model.types';
import { AI_TRAINER_DIR, datasetDir, forEachRecording, readLabels, type RecordingLabel, type Split } from './dataset';
import { augmentRecording } from './augment';
import { analyzeRecording, type RecordingResult } from './run';

/** A labelled recording and what the analyzer made of it. */
export interface LabelledResult {
  readonly label: RecordingLabel;
  readonly truth: FormClass;
  readonly result: RecordingResult;
  /** Set on a training-time augmented copy (1-based copy number); absent on the recording itself. */
  readonly augmented?: number;
}

/** Streams one split of ai_trainer_squat3d through the analyzer (one recording in memory at a time). */
export async function runSplit(
  split: Split,
  options: { datasets?: string; model?: FittedModel; includeFeatures?: boolean; limit?: number; augment?: number } = {},
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
      out.push({ label, truth: label.formClass, result: analyzeRecording(rec, options.model, options.includeFeatures ?? false) });
      const copies = options.augment ?? 0;
      if (copies > 0) {
        // seeded by the recording's row in labels.csv, so every run makes the same copies
        augmentRecording(rec, copies, 1000 + order.get(rec.recording)!).forEach((a, i) =>
          out.push({ label, truth: label.formClass, result: analyzeRecording(a, options.model, options.includeFeatures ?? false), augmented: i + 1 }),
        );
      }
    },
    new Set(byName.keys()),
  );
  // file order is the order of labels.csv; keep results in that order for stable output
  return out.sort((a, b) => order.get(a.label.recording)! - order.get(b.label.recording)! || (a.augmented ?? 0) - (b.augmented ?? 0));
}
