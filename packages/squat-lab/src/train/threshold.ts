/**
 * One-feature threshold fitting for the live rules: the cut that best separates positives from
 * negatives by balanced accuracy (Youden's J), in a given direction; with `minTrueNegativeRate`, the
 * best such cut among those that keep false alarms on negatives that rare (live feedback that cries
 * wolf gets ignored).
 */

/** 'above': value > threshold is flagged; 'below': value < threshold is flagged. */
export type ThresholdDirection = 'above' | 'below';

/** A fitted cut and how well it did on the data it was fitted on. */
export interface FittedThreshold {
  readonly threshold: number;
  readonly balancedAccuracy: number;
  readonly truePositiveRate: number;
  readonly trueNegativeRate: number;
}

/** Best cut between consecutive distinct values; null values are ignored. */
export function fitThreshold(
  values: ReadonlyArray<number | null>,
  positive: readonly boolean[],
  direction: ThresholdDirection,
  minTrueNegativeRate?: number,
): FittedThreshold {
  const pts: Array<{ v: number; p: boolean }> = [];
  values.forEach((v, i) => {
    if (v !== null && Number.isFinite(v)) pts.push({ v: direction === 'above' ? v : -v, p: positive[i] === true });
  });
  const nPos = pts.filter((q) => q.p).length;
  const nNeg = pts.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error('fitThreshold needs both positives and negatives');
  pts.sort((a, b) => a.v - b.v);
  // flag v > cut: start with every value flagged and move the cut up one distinct value at a time
  let tp = nPos;
  let fp = nNeg;
  let best: FittedThreshold = { threshold: pts[0]!.v - 1, balancedAccuracy: 0.5, truePositiveRate: 1, trueNegativeRate: 0 };
  for (let i = 0; i < pts.length; i++) {
    if (pts[i]!.p) tp--;
    else fp--;
    const next = pts[i + 1];
    if (next && next.v === pts[i]!.v) continue;
    const tpr = tp / nPos;
    const tnr = 1 - fp / nNeg;
    const ba = (tpr + tnr) / 2;
    const better =
      minTrueNegativeRate === undefined
        ? ba > best.balancedAccuracy
        : tnr >= minTrueNegativeRate && (best.trueNegativeRate < minTrueNegativeRate || ba > best.balancedAccuracy);
    if (better) {
      const cut = next ? (pts[i]!.v + next.v) / 2 : pts[i]!.v;
      best = { threshold: cut, balancedAccuracy: ba, truePositiveRate: tpr, trueNegativeRate: tnr };
    }
  }
  return direction === 'above' ? best : { ...best, threshold: -best.threshold };
}
