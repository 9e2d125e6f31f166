import { FORM_CLASSES, type FormClass, type JudgedJoint } from '@squirret/squat';
import { FAULT_CLASSES } from '@squirret/squat';
import type { RecordingResult } from './run';

/** The four faults scored per recording (a joint each, in report order), and the label classes that make each one "bad". */
export type Fault = JudgedJoint;
export const FAULTS: Readonly<Record<Fault, readonly FormClass[]>> = {
  knee: FAULT_CLASSES.knee,
  ankle: FAULT_CLASSES.ankle,
  lumbar: FAULT_CLASSES.lumbar,
  depth: FAULT_CLASSES.depth,
};

/**
 * Precision / recall of one fault (a recording is positive when that judgement is 'bad'), over the
 * recordings where the joint was judged; `coverage` is their share (a joint "null" for low confidence
 * is not judged). Recall counts the faulty recordings among the judged ones.
 */
export interface FaultMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
  readonly predicted: number;
  readonly coverage: number;
  /** Share of the judged recordings whose verdict (good or bad) is right. */
  readonly accuracy: number;
}

/** The evaluation's figures for one split. */
export interface EvalReport {
  readonly split: string;
  readonly recordings: number;
  readonly accuracy6: number;
  /** Recall of each of the 6 classes. */
  readonly perClassRecall: Readonly<Record<FormClass, number>>;
  readonly faults: Readonly<Record<Fault, FaultMetrics>>;
  readonly repCountAccuracy: number;
  readonly repsFromFlush: number;
  readonly confusion: Readonly<Record<FormClass, Readonly<Record<FormClass | 'none', number>>>>;
}

const round4 = (v: number): number => Math.round(v * 10000) / 10000;

/** The rep's judgement of one fault's joint ('null' when there is no rep). */
function judgementOf(r: RecordingResult, fault: Fault): 'good' | 'bad' | 'null' {
  const s = r.summary;
  if (!s) return 'null';
  switch (fault) {
    case 'knee':
      return s.knee;
    case 'ankle':
      return s.ankle;
    case 'lumbar':
      return s.lumbar;
    case 'depth':
      return s.depthJudgement;
  }
}

export function evaluate(split: string, results: ReadonlyArray<{ truth: FormClass; result: RecordingResult }>): EvalReport {
  const n = results.length;
  const confusion = Object.fromEntries(
    FORM_CLASSES.map((t) => [t, Object.fromEntries([...FORM_CLASSES, 'none'].map((p) => [p, 0]))]),
  ) as Record<FormClass, Record<FormClass | 'none', number>>;
  let correct = 0;
  let repsOk = 0;
  let flushed = 0;
  for (const { truth, result } of results) {
    const p = result.summary?.formClass ?? 'none';
    confusion[truth][p]++;
    if (p === truth) correct++;
    if (result.reps === 1) repsOk++;
    if (result.fromFlush) flushed++;
  }
  const faults = Object.fromEntries(
    (Object.keys(FAULTS) as Fault[]).map((fault) => {
      const positives: readonly FormClass[] = FAULTS[fault];
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      let judged = 0;
      for (const { truth, result } of results) {
        const actual = positives.includes(truth);
        const j = judgementOf(result, fault);
        // no rep at all counts as judged good (a missed fault), as before; a joint left null is not judged
        if (j === 'null' && result.summary) continue;
        judged++;
        const pred = j === 'bad';
        if (actual && pred) tp++;
        else if (pred) fp++;
        else if (actual) fn++;
        else tn++;
      }
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
      const m: FaultMetrics = {
        precision: round4(precision),
        recall: round4(recall),
        f1: round4(precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0),
        support: tp + fn,
        predicted: tp + fp,
        coverage: round4(n > 0 ? judged / n : 0),
        accuracy: round4(judged > 0 ? (tp + tn) / judged : 0),
      };
      return [fault, m];
    }),
  ) as Record<Fault, FaultMetrics>;
  return {
    split,
    recordings: n,
    accuracy6: round4(n > 0 ? correct / n : 0),
    perClassRecall: Object.fromEntries(
      FORM_CLASSES.map((c) => {
        const row = confusion[c];
        const total = Object.values(row).reduce((a, b) => a + b, 0);
        return [c, round4(total > 0 ? row[c] / total : 0)];
      }),
    ) as Record<FormClass, number>,
    faults,
    repCountAccuracy: round4(n > 0 ? repsOk / n : 0),
    repsFromFlush: flushed,
    confusion,
  };
}
