import { FORM_CLASSES, type FormClass, type JudgedJoint } from '../analysis.types';
import { FAULT_CLASSES } from '../judge';
import type { RecordingResult } from './run';

/** The four faults scored per recording (a joint each, in report order), and the label classes that make each one "bad". */
export type Fault = JudgedJoint;
export const FAULTS: Readonly<Record<Fault, readonly FormClass[]>> = {
  knee: FAULT_CLASSES.knee,
  ankle: FAULT_CLASSES.ankle,
  lumbar: FAULT_CLASSES.lumbar,
  depth: FAULT_CLASSES.depth,
};

/** Precision / recall of one fault (a recording is positive when that judgement is 'bad'). */
export interface FaultMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly support: number;
  readonly predicted: number;
}

/** The evaluation's figures for one split. */
export interface EvalReport {
  readonly split: string;
  readonly recordings: number;
  readonly accuracy6: number;
  readonly faults: Readonly<Record<Fault, FaultMetrics>>;
  readonly repCountAccuracy: number;
  readonly repsFromFlush: number;
  readonly confusion: Readonly<Record<FormClass, Readonly<Record<FormClass | 'none', number>>>>;
}

const round4 = (v: number): number => Math.round(v * 10000) / 10000;

function isBad(r: RecordingResult, fault: Fault): boolean {
  const s = r.summary;
  if (!s) return false;
  switch (fault) {
    case 'knee':
      return s.knee === 'bad';
    case 'ankle':
      return s.ankle === 'bad';
    case 'lumbar':
      return s.lumbar === 'bad';
    case 'depth':
      return s.depthJudgement === 'bad';
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
      for (const { truth, result } of results) {
        const actual = positives.includes(truth);
        const pred = isBad(result, fault);
        if (actual && pred) tp++;
        else if (pred) fp++;
        else if (actual) fn++;
      }
      const m: FaultMetrics = {
        precision: round4(tp + fp > 0 ? tp / (tp + fp) : 0),
        recall: round4(tp + fn > 0 ? tp / (tp + fn) : 0),
        support: tp + fn,
        predicted: tp + fp,
      };
      return [fault, m];
    }),
  ) as Record<Fault, FaultMetrics>;
  return {
    split,
    recordings: n,
    accuracy6: round4(n > 0 ? correct / n : 0),
    faults,
    repCountAccuracy: round4(n > 0 ? repsOk / n : 0),
    repsFromFlush: flushed,
    confusion,
  };
}
