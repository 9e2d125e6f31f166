import type { FsrMetrics, FsrSide } from '@squirret/contracts';
import type { FootSample, Ratios } from '../samples/foot-sample';

/**
 * Where each ratio sits on the insole (0-based indexes into ratio1..ratio6), a 3 x 2 grid:
 *
 *   ratio1 forefoot inner (big toe, 1st metatarsal)   ratio2 forefoot outer (4th-5th metatarsal)
 *   ratio3 midfoot inner (medial arch)                ratio4 midfoot outer (lateral arch)
 *   ratio5 heel inner                                 ratio6 heel outer
 *
 * front = forefoot, rear = heel (the contract reports both `rear` and `heel`; they are the same region),
 * inner = the medial column, outer = the lateral column. The midfoot counts in inner / outer only.
 */
export const REGIONS = {
  front: [0, 1],
  mid: [2, 3],
  rear: [4, 5],
  inner: [0, 2, 4],
  outer: [1, 3, 5],
} as const;

/** Shares (percent of the foot's load) of each region of one foot. */
export interface RegionShares {
  readonly front: number;
  readonly mid: number;
  readonly rear: number;
  readonly inner: number;
  readonly outer: number;
}

const sumAt = (r: Ratios, idx: readonly number[]): number => idx.reduce((acc, i) => acc + r[i]!, 0);

/**
 * Region shares of one sample. Ratios are normalised by their sum, so a device that sends shares
 * that do not add up to exactly 100 (rounding, raw percentages) is read the same way. A foot with
 * no load at all (sum 0: lifted) carries no distribution and gives null.
 */
export function regionShares(r: Ratios): RegionShares | null {
  const total = r.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const pct = (idx: readonly number[]) => (sumAt(r, idx) / total) * 100;
  return { front: pct(REGIONS.front), mid: pct(REGIONS.mid), rear: pct(REGIONS.rear), inner: pct(REGIONS.inner), outer: pct(REGIONS.outer) };
}

/** Mean region shares of one foot over its samples (each usable sample weighs the same); null when none is usable. */
export function footAverage(samples: readonly FootSample[]): RegionShares | null {
  let n = 0;
  const acc = { front: 0, mid: 0, rear: 0, inner: 0, outer: 0 };
  for (const s of samples) {
    const shares = regionShares(s.ratios);
    if (!shares) continue;
    n++;
    acc.front += shares.front;
    acc.mid += shares.mid;
    acc.rear += shares.rear;
    acc.inner += shares.inner;
    acc.outer += shares.outer;
  }
  if (n === 0) return null;
  return { front: acc.front / n, mid: acc.mid / n, rear: acc.rear / n, inner: acc.inner / n, outer: acc.outer / n };
}

/** Rounds to one decimal, as the contract shows metrics (and as the rules then judge them). */
export const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Samples of a window that fall in [from, to]. */
export function inWindow(samples: readonly FootSample[], from: number, to: number): FootSample[] {
  return samples.filter((s) => s.at >= from && s.at <= to);
}

/**
 * The contract's metrics for a window: each foot averaged over its own samples first (so a foot that
 * reports more often does not outweigh the other), then the two feet averaged.
 * `innerOuterDiff` is |inner - outer|; `leftRightDiff` is the largest difference between the two
 * feet's front, rear, inner or outer shares (0 when only one foot has data). Null when no sample
 * of the window is usable (NO_DATA).
 */
export function windowMetrics(samples: readonly FootSample[]): FsrMetrics | null {
  const bySide = (side: FsrSide) => footAverage(samples.filter((s) => s.side === side));
  const left = bySide('left');
  const right = bySide('right');
  const feet = [left, right].filter((f): f is RegionShares => f !== null);
  if (feet.length === 0) return null;
  const mean = (k: keyof RegionShares) => feet.reduce((acc, f) => acc + f[k], 0) / feet.length;
  const front = round1(mean('front'));
  const rear = round1(mean('rear'));
  const inner = round1(mean('inner'));
  const outer = round1(mean('outer'));
  const leftRightDiff =
    left && right ? Math.max(...(['front', 'rear', 'inner', 'outer'] as const).map((k) => Math.abs(left[k] - right[k]))) : 0;
  return {
    front,
    rear,
    inner,
    outer,
    heel: rear,
    innerOuterDiff: round1(Math.abs(inner - outer)),
    leftRightDiff: round1(leftRightDiff),
  };
}
