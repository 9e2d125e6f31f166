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
}

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
}
