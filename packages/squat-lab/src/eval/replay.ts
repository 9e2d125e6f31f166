import {
  CONFIDENCE_JOINTS,
  FAULT_CLASSES,
  FORM_CLASSES,
  confidenceScore,
  judgeRepWithProbabilities,
  type Calibration,
  type ConfidenceJoint,
  type FittedModel,
  type FormClass,
  type RepFeatureVector,
  type RepJudgement,
} from '@squirret/squat';
import { fitIsotonic, type HeldOutVerdict } from './calibration';
import type { OutOfFold } from './cv';

/**
 * Replays the analyzer's rep judge on out-of-fold probabilities: what each train recording would have
 * been told by a model that never saw its capture session. The calibration applied to a fold is
 * fitted on the OTHER folds' held-out predictions (cross-fitted), so the confidence figures are not
 * read off the data they were fitted on.
 */

const probsOf = (p: readonly number[]): Record<FormClass, number> => Object.fromEntries(FORM_CLASSES.map((c, i) => [c, p[i] ?? 0])) as Record<FormClass, number>;

/** Per joint, the isotonic calibration of its confidence score (`confidenceScore`, as the judge reads it), fitted on `oof`. */
export function fitCalibrations(oof: readonly OutOfFold[], features: ReadonlyMap<string, RepFeatureVector>, model: FittedModel): Record<ConfidenceJoint, Calibration> {
  const out = {} as Record<ConfidenceJoint, Calibration>;
  const vector = (o: OutOfFold): RepFeatureVector => {
    const v = features.get(o.recording);
    if (!v) throw new Error(`calibration: no rep features for ${o.recording}`);
    return v;
  };
  for (const j of CONFIDENCE_JOINTS) {
    const faults: readonly FormClass[] = FAULT_CLASSES[j];
    out[j] = fitIsotonic(
      oof.map((o) => confidenceScore(probsOf(o.p), j, vector(o), model)),
      oof.map((o) => faults.includes(FORM_CLASSES[o.y]!)),
    );
  }
  return out;
}

/** One recording's replayed verdict. */
export interface Replayed {
  readonly recording: string;
  readonly truth: FormClass;
  readonly judgement: RepJudgement;
}

/**
 * The judge of `model` (its thresholds, joint floors and confidence floors) on each held-out
 * prediction, with calibrations cross-fitted over the folds. `features` gives each recording's rep vector.
 */
export function replayOutOfFold(oof: readonly OutOfFold[], features: ReadonlyMap<string, RepFeatureVector>, model: FittedModel): Replayed[] {
  const folds = [...new Set(oof.map((o) => o.fold ?? 0))];
  const calOf = new Map(folds.map((f) => [f, fitCalibrations(oof.filter((o) => (o.fold ?? 0) !== f), features, model)]));
  const out: Replayed[] = [];
  for (const o of oof) {
    const v = features.get(o.recording);
    if (!v) throw new Error(`replay: no rep features for ${o.recording}`);
    const judgement = judgeRepWithProbabilities({ features: v, view: 'front' }, o.p, { ...model, calibration: calOf.get(o.fold ?? 0)! });
    out.push({ recording: o.recording, truth: FORM_CLASSES[o.y]!, judgement });
  }
  return out;
}

/**
 * Per joint, the replayed verdicts with their confidences (for choosing the floors; run without floors).
 * A rule-flagged bad verdict is never withheld (confidence Infinity) unless its joint is in `withholdRules`
 * (as the judge does with the model file's `floorWithholdsRules`).
 */
export function heldOutVerdicts(replayed: readonly Replayed[], withholdRules: readonly ConfidenceJoint[] = []): Record<ConfidenceJoint, HeldOutVerdict[]> {
  const out = { lumbar: [], knee: [], ankle: [] } as Record<ConfidenceJoint, HeldOutVerdict[]>;
  for (const r of replayed) {
    for (const j of CONFIDENCE_JOINTS) {
      const verdict = r.judgement[j];
      const c = r.judgement.confidence?.[j];
      if (verdict === 'null' || c === null || c === undefined) continue;
      const faults: readonly FormClass[] = FAULT_CLASSES[j];
      // a rule-flagged bad verdict is never withheld by the floor (see judgeRepWithProbabilities)
      const kept = verdict === 'bad' && (r.judgement.ruleFlagged ?? []).includes(j) && !withholdRules.includes(j);
      out[j].push({ bad: verdict === 'bad', confidence: kept ? Infinity : c, truthBad: faults.includes(r.truth) });
    }
  }
  return out;
}
