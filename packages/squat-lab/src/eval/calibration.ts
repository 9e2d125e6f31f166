import type { Calibration } from '@squirret/squat';

/**
 * Isotonic calibration (pool-adjacent-violators) of a score against 0/1 outcomes, and the choice of
 * a confidence floor. Fitted on out-of-fold predictions of train only.
 */

/**
 * Fits a non-decreasing map score -> P(outcome) by pool-adjacent-violators, returned as the
 * block means at their mean scores (read piecewise-linearly by the runtime's `calibrate`).
 * `prior` pseudo-counts pull each block towards the base rate, so a block of a few samples cannot
 * claim 0 or 1.
 */
export function fitIsotonic(scores: readonly number[], outcomes: readonly boolean[], prior = 1): Calibration {
  if (scores.length !== outcomes.length) throw new Error('fitIsotonic: scores and outcomes differ in length');
  if (scores.length === 0) return { x: [], y: [] };
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const base = outcomes.filter(Boolean).length / outcomes.length;
  // blocks: sum of outcomes, count, sum of scores
  const sum: number[] = [];
  const cnt: number[] = [];
  const sx: number[] = [];
  for (const i of order) {
    sum.push(outcomes[i] ? 1 : 0);
    cnt.push(1);
    sx.push(scores[i]!);
    while (sum.length > 1 && sum[sum.length - 2]! / cnt[cnt.length - 2]! >= sum[sum.length - 1]! / cnt[cnt.length - 1]!) {
      const s = sum.pop()!;
      const c = cnt.pop()!;
      const x = sx.pop()!;
      sum[sum.length - 1]! += s;
      cnt[cnt.length - 1]! += c;
      sx[sx.length - 1]! += x;
    }
  }
  const x = sx.map((v, b) => round6(v / cnt[b]!));
  const y = sum.map((s, b) => round6((s + prior * base) / (cnt[b]! + prior)));
  // the prior can undo strict monotonicity between neighbours of different sizes: enforce it
  for (let b = 1; b < y.length; b++) if (y[b]! < y[b - 1]!) y[b] = y[b - 1]!;
  return { x, y };
}

const round6 = (v: number): number => Math.round(v * 1e6) / 1e6;

/** One candidate floor's selective figures over held-out verdicts. */
export interface FloorScore {
  /** The floor of a "bad" verdict (and of a "good" one unless `goodFloor` is set). */
  readonly floor: number;
  /** The floor of a "good" verdict, when it is not `floor`. */
  readonly goodFloor?: number;
  /** Share of the recordings still judged. */
  readonly coverage: number;
  /** Precision of the "bad" verdicts among the judged recordings (0 when none is bad). */
  readonly precision: number;
  readonly recall: number;
  /** Share of the judged verdicts that are right. */
  readonly accuracy: number;
}

/** One held-out verdict: said bad or good, with its confidence, against the truth. */
export interface HeldOutVerdict {
  readonly bad: boolean;
  readonly confidence: number;
  readonly truthBad: boolean;
}

/** Selective figures of `verdicts` when those below `floor` are withheld (good ones below `goodFloor`, when given). */
export function scoreFloor(verdicts: readonly HeldOutVerdict[], floor: number, goodFloor?: number): FloorScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let right = 0;
  let judged = 0;
  for (const v of verdicts) {
    if (v.confidence < (v.bad || goodFloor === undefined ? floor : goodFloor)) continue;
    judged++;
    if (v.bad === v.truthBad) right++;
    if (v.bad && v.truthBad) tp++;
    else if (v.bad) fp++;
    else if (v.truthBad) fn++;
  }
  return {
    floor,
    ...(goodFloor !== undefined ? { goodFloor } : {}),
    coverage: verdicts.length > 0 ? judged / verdicts.length : 0,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
    accuracy: judged > 0 ? right / judged : 0,
  };
}

/** Floors compared (0 = judge everything). */
export const CONFIDENCE_FLOOR_GRID: readonly number[] = [0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/** Coverage the floor must keep, and the precision it aims for (the selective target). */
export const MIN_COVERAGE = 0.7;
export const TARGET_PRECISION = 0.9;

/** Whether a floor's held-out verdicts reach the selective target (TARGET_PRECISION at MIN_COVERAGE or more). */
export const meetsSelectiveTarget = (s: FloorScore): boolean => s.coverage >= MIN_COVERAGE && s.precision >= TARGET_PRECISION;

/**
 * The rule, set before looking: the lowest floor of the grid whose precision reaches TARGET_PRECISION
 * while it keeps at least MIN_COVERAGE; when none does, the floor with the best precision among those
 * keeping MIN_COVERAGE (ties: the lower floor). Scored on session-held-out verdicts.
 */
export function chooseFloor(verdicts: readonly HeldOutVerdict[], grid: readonly number[] = CONFIDENCE_FLOOR_GRID): { chosen: FloorScore; all: FloorScore[] } {
  const all = grid.map((f) => scoreFloor(verdicts, f));
  const ok = all.filter((s) => s.coverage >= MIN_COVERAGE);
  const hit = ok.find((s) => s.precision >= TARGET_PRECISION);
  const chosen = hit ?? ok.reduce((b, s) => (s.precision > b.precision + 1e-12 ? s : b), ok[0] ?? all[0]!);
  return { chosen, all };
}

/** F1 of the judged "bad" verdicts of a score. */
const f1Of = (s: FloorScore): number => (s.precision + s.recall > 0 ? (2 * s.precision * s.recall) / (s.precision + s.recall) : 0);

/**
 * Separate floors for "bad" and "good" verdicts (the good floor at most the bad one), both from `grid`.
 * The rule: among the pairs keeping MIN_COVERAGE whose precision reaches TARGET_PRECISION, the one with
 * the best F1 of the judged verdicts (ties: the higher coverage); when none reaches it, one floor for
 * both as `chooseFloor` picks it (a bad floor alone would then buy precision by withholding nearly every
 * bad verdict: on MoveNet's ankle, 0.86 precision at 9% recall). Why two floors: the precision of
 * "bad" moves only with the bad floor, so one shared floor withholds sure-enough good verdicts for nothing.
 * Scored on session-held-out verdicts.
 */
export function chooseFloorPair(verdicts: readonly HeldOutVerdict[], grid: readonly number[] = CONFIDENCE_FLOOR_GRID): { chosen: FloorScore; all: FloorScore[] } {
  const all: FloorScore[] = [];
  for (const bad of grid) for (const good of grid) if (good <= bad) all.push(scoreFloor(verdicts, bad, good));
  const hit = all.filter(meetsSelectiveTarget);
  const better = (b: FloorScore, s: FloorScore): FloorScore => (f1Of(s) > f1Of(b) + 1e-12 || (Math.abs(f1Of(s) - f1Of(b)) <= 1e-12 && s.coverage > b.coverage) ? s : b);
  return { chosen: hit.length > 0 ? hit.reduce(better) : chooseFloor(verdicts, grid).chosen, all };
}
