import type { FormClass, JudgedJoint } from '../analysis.types';
import type { Classifier } from './classifier';

/**
 * Thresholds of the per-frame (live) rules. The front-view ones are fitted on the train split by
 * `fit`; the side-view ones are hand-set (there is no labelled side-view data) and say so.
 */
export interface LiveThresholds {
  /** lumbar bad when the trunk leans further than this from the vertical (degrees, front view). */
  readonly trunkLeanMaxDeg: number;
  /** knee bad when knee width / ankle width falls below this during a rep (front view). */
  readonly kneeAnkleWidthMin: number;
  /** ankle bad (toe lift) when the ankles rise more than this (standing hip heights). */
  readonly ankleRiseMax: number;
  /** ankle bad (heel lift) when the shin's vertical extent falls below this ratio at depth (front view). */
  readonly shinRatioMin: number;
  /** depth bad when the deepest hip drop of a rep stays below this. */
  readonly depthMin: number;
  /** Side view, hand-set: lumbar bad beyond this trunk lean (degrees). */
  readonly sideTrunkLeanMaxDeg: number;
  /** Side view, hand-set: ankle bad when the ankles rise more than this (standing hip heights). */
  readonly sideAnkleRiseMax: number;
  /** With foot points (BlazePose model only): ankle bad (HEEL_RISE) when the heels rise more than this (standing hip heights). */
  readonly heelRiseMax?: number;
  /** With foot points (BlazePose model only): ankle bad (TOE_RISE) when the toes rise more than this (standing hip heights). */
  readonly toeRiseMax?: number;
}

/** The joints whose verdicts carry a calibrated confidence. */
export const CONFIDENCE_JOINTS = ['lumbar', 'knee', 'ankle'] as const;
export type ConfidenceJoint = (typeof CONFIDENCE_JOINTS)[number];

/**
 * A monotone map from a joint's confidence score (`confidenceScore`: the model's summed fault
 * probability, +1 when a live rule flagged the joint) to the calibrated probability that the joint is at fault (isotonic regression on out-of-fold predictions of train, read as a
 * piecewise-linear curve through the points; clamped at the ends).
 */
export interface Calibration {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Which pose model's keypoints a fitted model expects: COCO-17 only, or COCO-17 plus heels and toes. */
export type ModelPose = 'movenet' | 'blazepose';

/** Everything `fit` produces: the rep-level classifier and the live thresholds. */
export interface FittedModel {
  readonly version: 1;
  /** Where and how it was fitted (human-readable provenance). */
  readonly fittedOn: string;
  readonly featureNames: readonly string[];
  readonly classes: readonly FormClass[];
  readonly classifier: Classifier;
  readonly thresholds: LiveThresholds;
  /**
   * Per joint, a probability at which the rep's joint is judged bad even when another class wins:
   * the summed probability of the classes that fault that joint (heels and toes both fault the
   * ankle). Absent (or a joint left out): the joint is bad only when its class is the top class.
   */
  readonly jointProbabilityMin?: Readonly<Partial<Record<JudgedJoint, number>>>;
  /** The keypoints it was fitted on (absent in older files: 'movenet'). */
  readonly pose?: ModelPose;
  /** Per joint, the calibration of its fault probability (absent: no confidence is given). */
  readonly calibration?: Readonly<Partial<Record<ConfidenceJoint, Calibration>>>;
  /** Per joint, the calibrated confidence below which the joint is "null" with LOW_CONFIDENCE (chosen on session-held-out CV). */
  readonly confidenceFloor?: Readonly<Partial<Record<ConfidenceJoint, number>>>;
  /**
   * Per joint, the floor for a "good" verdict when it differs from `confidenceFloor` (which then holds
   * for "bad" verdicts only). Why two: the selective target is the precision of "bad", which only the
   * bad floor moves; a good verdict needs less sureness to be worth saying. Absent: one floor for both.
   */
  readonly goodConfidenceFloor?: Readonly<Partial<Record<ConfidenceJoint, number>>>;
  /**
   * Joints whose rule-flagged bad verdict (the lumbar trunk-lean limit) the confidence floor may
   * withhold like any other verdict. Absent or a joint left out: a rule-flagged bad verdict is always
   * given, since the live frames already showed it. Set by the fit only where keeping the rule's
   * verdicts cannot reach the selective target by session and withholding them does.
   */
  readonly floorWithholdsRules?: readonly ConfidenceJoint[];
}
