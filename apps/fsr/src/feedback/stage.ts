import type { FsrSide, FsrStage, SquatStage } from '@squirret/contracts';
import type { FootSample } from '../samples/foot-sample';
import { regionShares } from './window-math';

/**
 * Stage from the pressure trend, a heuristic: as the hips go back in a descent the load moves to
 * the heels; in the ascent it moves forward again. Over the last `spanMs` before the newest
 * sample, the heel share of the newer half is compared with the older half, per foot, then the
 * feet are averaged. A shift of at least `minHeelShift` points names the stage.
 */
export const TREND = {
  spanMs: 2_000,
  minSamplesPerHalf: 2,
  minHeelShift: 5,
} as const;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** DESCENT or ASCENT from the heel-share trend, or undefined when the trend says nothing. Pure. */
export function stageFromTrend(samples: readonly FootSample[]): FsrStage | undefined {
  if (samples.length === 0) return undefined;
  const newest = Math.max(...samples.map((s) => s.at));
  const from = newest - TREND.spanMs;
  const middle = newest - TREND.spanMs / 2;
  const shifts: number[] = [];
  for (const side of ['left', 'right'] as const satisfies readonly FsrSide[]) {
    const older: number[] = [];
    const newer: number[] = [];
    for (const s of samples) {
      if (s.side !== side || s.at < from) continue;
      const shares = regionShares(s.ratios);
      if (!shares) continue;
      (s.at < middle ? older : newer).push(shares.rear);
    }
    if (older.length >= TREND.minSamplesPerHalf && newer.length >= TREND.minSamplesPerHalf) shifts.push(mean(newer) - mean(older));
  }
  if (shifts.length === 0) return undefined;
  const shift = mean(shifts);
  if (shift >= TREND.minHeelShift) return 'DESCENT';
  if (shift <= -TREND.minHeelShift) return 'ASCENT';
  return undefined;
}

/** The AI's stage in the FSR's words: the bottom still loads like a descent; standing has no phase. */
export function stageFromAi(stage: SquatStage): FsrStage {
  switch (stage) {
    case 'descent':
    case 'bottom':
      return 'DESCENT';
    case 'ascent':
      return 'ASCENT';
    case 'standing':
      return 'UNKNOWN';
  }
}

/**
 * The stage of a window: the AI's latest stage for the session when it has one (and it is not older
 * than the window), else the pressure trend, else UNKNOWN. Pure.
 */
export function resolveStage(
  ai: { readonly stage?: SquatStage | undefined; readonly at: number } | undefined,
  samples: readonly FootSample[],
  now: number,
  windowMs: number,
): FsrStage {
  if (ai?.stage !== undefined && ai.at >= now - windowMs) return stageFromAi(ai.stage);
  return stageFromTrend(samples) ?? 'UNKNOWN';
}
