import type { FsrBalanceEvent } from '@squirret/contracts';
import type { FootSample } from '../samples/foot-sample';

/**
 * How far behind the newer foot's latest sample the other foot's may be and still count: a foot
 * that stopped reporting leaves the balance (it reads as all weight on the other foot) instead of
 * holding its last value for the whole latest-TTL.
 */
export const BALANCE_PAIR_MS = 5_000;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * A device's left-right balance from each foot's latest sample (pure): (left - right) / (left +
 * right) over the counted feet's summed ratios, rounded to 3 places, 0 when they sum to 0.
 * Undefined when neither foot has a sample.
 */
export function footBalance(
  deviceId: string,
  feet: { readonly left: FootSample | null; readonly right: FootSample | null },
  pairMs = BALANCE_PAIR_MS,
): FsrBalanceEvent | undefined {
  const newest = Math.max(feet.left?.at ?? -Infinity, feet.right?.at ?? -Infinity);
  if (newest === -Infinity) return undefined;
  const counts = (f: FootSample | null): f is FootSample => f !== null && newest - f.at <= pairMs;
  const left = counts(feet.left) ? feet.left : null;
  const right = counts(feet.right) ? feet.right : null;
  const l = left ? sum(left.ratios) : 0;
  const r = right ? sum(right.ratios) : 0;
  const value = l + r > 0 ? Math.round(((l - r) / (l + r)) * 1000) / 1000 : 0;
  return { deviceId, value, left: left !== null, right: right !== null, at: newest };
}
