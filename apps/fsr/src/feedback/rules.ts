import type { FeedbackStatus, FsrMetrics, FsrStage } from '@squirret/contracts';
import { FSR_MESSAGES, type FsrFinding } from './messages';

/**
 * Thresholds of the contract's rules (percent / percentage points). Every comparison is strict, as the
 * seed words them: "over 40%" means 40.0 is still fine and 40.1 is not. Metrics carry one decimal,
 * so the rules judge exactly the numbers the response shows. The front-rear limit is ours: the contract
 * names the imbalance without a number.
 */
export const FSR_THRESHOLDS = {
  /** DESCENT: more than this on the forefoot is leaning forward. */
  frontMaxDescent: 40,
  /** Either side column carrying more than this. */
  sideMax: 60,
  /** Less than this on the heel (DESCENT "heel too light", ASCENT "heel under 40%"). */
  heelMin: 40,
  /** ASCENT: forefoot and heel shares further apart than this. */
  frontRearMaxDiff: 30,
  /** The two feet's region shares further apart than this. */
  leftRightMax: 15,
} as const;

/** One rule: a finding for these metrics, or null. Pure. */
export type FsrRule = (m: FsrMetrics) => FsrFinding | null;

export const frontHeavy: FsrRule = (m) => (m.front > FSR_THRESHOLDS.frontMaxDescent ? 'FRONT_HEAVY' : null);
export const heelLight: FsrRule = (m) => (m.heel < FSR_THRESHOLDS.heelMin ? 'HEEL_LIGHT' : null);
export const innerHeavy: FsrRule = (m) => (m.inner > FSR_THRESHOLDS.sideMax ? 'INNER_HEAVY' : null);
export const outerHeavy: FsrRule = (m) => (m.outer > FSR_THRESHOLDS.sideMax ? 'OUTER_HEAVY' : null);
export const leftRightImbalance: FsrRule = (m) => (m.leftRightDiff > FSR_THRESHOLDS.leftRightMax ? 'LEFT_RIGHT_IMBALANCE' : null);
export const frontRearImbalance: FsrRule = (m) => {
  const diff = Math.round((m.front - m.rear) * 10) / 10;
  if (Math.abs(diff) <= FSR_THRESHOLDS.frontRearMaxDiff) return null;
  return diff > 0 ? 'FRONT_REAR_FORWARD' : 'FRONT_REAR_BACKWARD';
};

/** Which rules apply in each stage. Without a stage only the stage-independent ones do. */
export const RULES_BY_STAGE: Readonly<Record<FsrStage, readonly FsrRule[]>> = {
  DESCENT: [frontHeavy, heelLight, innerHeavy, outerHeavy, leftRightImbalance],
  ASCENT: [heelLight, innerHeavy, outerHeavy, frontRearImbalance, leftRightImbalance],
  UNKNOWN: [innerHeavy, outerHeavy, leftRightImbalance],
};

/** The verdict of one window: status, findings in rule order, and the sentences to say. */
export interface FsrVerdict {
  readonly status: Exclude<FeedbackStatus, 'NO_DATA'>;
  readonly findings: readonly FsrFinding[];
  readonly sentences: readonly string[];
}

/** Applies the stage's rules to a window's metrics. Pure. */
export function judge(stage: FsrStage, metrics: FsrMetrics): FsrVerdict {
  const findings = RULES_BY_STAGE[stage].map((rule) => rule(metrics)).filter((f): f is FsrFinding => f !== null);
  if (findings.length === 0) return { status: 'GOOD', findings, sentences: [FSR_MESSAGES.GOOD] };
  const sentences = [...new Set(findings.map((f) => FSR_MESSAGES[f]))];
  return { status: 'BAD', findings, sentences };
}
