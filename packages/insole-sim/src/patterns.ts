import type { FsrFoot, FsrSide } from '@squirret/contracts';

/**
 * Pressure patterns of a pair of insoles through a squat, pure: time in, two feet's ratio1..ratio6
 * out. The FSR service finds the stage from the heel-share trend (the load moves to the heels as the
 * hips go back) and judges a 10-second window, so each pattern moves the heel share by 16-20 points
 * between standing and the bottom, and places the average where the rules it is meant to trigger
 * fire (see PATTERN_EXPECTATIONS; apps/fsr's insole-patterns spec checks them with the service's
 * own pure rules).
 */
export const INSOLE_PATTERNS = ['squat', 'lean-front', 'lean-left'] as const;
/** A pattern name as the CLI takes it. */
export type InsolePattern = (typeof INSOLE_PATTERNS)[number];

/** One squat cycle (6 s): standing, descent, a pause at the bottom, ascent. */
export const SQUAT_CYCLE = { standingMs: 1500, descentMs: 2000, bottomMs: 500, ascentMs: 2000 } as const;
/** Length of one cycle in ms. */
export const SQUAT_CYCLE_MS = SQUAT_CYCLE.standingMs + SQUAT_CYCLE.descentMs + SQUAT_CYCLE.bottomMs + SQUAT_CYCLE.ascentMs;

/** Where the body is in the cycle. */
export type InsolePhase = 'standing' | 'descent' | 'bottom' | 'ascent';

/** Six ratios (percent of one foot's load), in order ratio1..ratio6 (forefoot in/out, midfoot in/out, heel in/out). */
export type SixRatios = readonly [number, number, number, number, number, number];

/** Phase and depth (0 standing .. 1 bottom) at `tMs` into the workout. Pure. */
export function squatPhase(tMs: number): { readonly phase: InsolePhase; readonly depth: number } {
  const { standingMs, descentMs, bottomMs } = SQUAT_CYCLE;
  const t = ((tMs % SQUAT_CYCLE_MS) + SQUAT_CYCLE_MS) % SQUAT_CYCLE_MS;
  if (t < standingMs) return { phase: 'standing', depth: 0 };
  if (t < standingMs + descentMs) return { phase: 'descent', depth: (t - standingMs) / descentMs };
  if (t < standingMs + descentMs + bottomMs) return { phase: 'bottom', depth: 1 };
  return { phase: 'ascent', depth: 1 - (t - standingMs - descentMs - bottomMs) / SQUAT_CYCLE.ascentMs };
}

/** One foot's ratios when standing and at the bottom; the pattern interpolates between them. */
interface FootKeyframes {
  readonly standing: SixRatios;
  readonly bottom: SixRatios;
}

/** Mirror of a foot's inner and outer columns (ratio1<->2, 3<->4, 5<->6). */
const mirror = (r: SixRatios): SixRatios => [r[1], r[0], r[3], r[2], r[5], r[4]];

// Good squat: front 36 -> 18, heel 42 -> 62, inner 53 / outer 47 throughout.
const GOOD: FootKeyframes = { standing: [19, 17, 12, 10, 22, 20], bottom: [10, 8, 11, 9, 32, 30] };
// Leaning forward: front 52 -> 36, heel 26 -> 42 (the heel share still rises in the descent).
const FRONT: FootKeyframes = { standing: [28, 24, 12, 10, 14, 12], bottom: [19, 17, 12, 10, 22, 20] };
// Leaning left: the left foot loads its outer column (its left side), the right foot its inner one,
// 65/35 each, so the feet's inner shares are 30 points apart while their mean stays at 50.
const LEFT_FOOT_LEANING_LEFT: FootKeyframes = { standing: [13, 23, 7, 15, 15, 27], bottom: [6, 12, 7, 13, 22, 40] };

const KEYFRAMES: Readonly<Record<InsolePattern, Readonly<Record<FsrSide, FootKeyframes>>>> = {
  squat: { left: GOOD, right: GOOD },
  'lean-front': { left: FRONT, right: FRONT },
  'lean-left': {
    left: LEFT_FOOT_LEANING_LEFT,
    right: { standing: mirror(LEFT_FOOT_LEANING_LEFT.standing), bottom: mirror(LEFT_FOOT_LEANING_LEFT.bottom) },
  },
};

/**
 * The findings of apps/fsr's rules (`FsrFinding`) each pattern is meant to produce, per stage; an
 * empty list is GOOD. The seed's DESCENT BAD ("앞쪽>40%", "뒤꿈치 부족", "좌우 불균형") and ASCENT BAD
 * ("뒤꿈치 <40%", "좌우 불균형").
 */
export const PATTERN_EXPECTATIONS: Readonly<Record<InsolePattern, { readonly DESCENT: readonly string[]; readonly ASCENT: readonly string[]; readonly what: string }>> = {
  squat: { DESCENT: [], ASCENT: [], what: 'a balanced squat: GOOD in both stages' },
  'lean-front': { DESCENT: ['FRONT_HEAVY', 'HEEL_LIGHT'], ASCENT: ['HEEL_LIGHT'], what: 'weight on the forefoot: front > 40 and heel < 40' },
  'lean-left': { DESCENT: ['LEFT_RIGHT_IMBALANCE'], ASCENT: ['LEFT_RIGHT_IMBALANCE'], what: 'weight shifted to the left: the feet differ by 30 points' },
};

/** A 32-bit integer hash to [0, 1) (mulberry32's mixer), so jitter is a pure function of its inputs. */
function unitNoise(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Options of one frame: jitter amplitude in ratio points (default 0.5), and the seed that makes it repeatable. */
export interface InsoleFrameOptions {
  readonly jitter?: number;
  readonly seed?: number;
}

/** Both feet at one instant, as an ESP32 pair would post them. */
export interface InsoleFrame {
  readonly phase: InsolePhase;
  readonly depth: number;
  readonly left: FsrFoot;
  readonly right: FsrFoot;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

function foot(side: FsrSide, k: FootKeyframes, depth: number, jitter: number, seed: number): FsrFoot {
  const raw = k.standing.map((s, i) => {
    const v = s + (k.bottom[i]! - s) * depth;
    const noise = jitter > 0 ? (unitNoise(seed * 31 + i * 7919 + (side === 'left' ? 0 : 104729)) * 2 - 1) * jitter : 0;
    return Math.max(0.1, v + noise);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  const r = raw.map((v) => round1((v / total) * 100));
  return { side, ratio1: r[0]!, ratio2: r[1]!, ratio3: r[2]!, ratio4: r[3]!, ratio5: r[4]!, ratio6: r[5]! };
}

/** The two feet of `pattern` at `tMs` into the workout. Pure and deterministic for a given seed. */
export function insoleFrame(pattern: InsolePattern, tMs: number, options: InsoleFrameOptions = {}): InsoleFrame {
  const { phase, depth } = squatPhase(tMs);
  const jitter = options.jitter ?? 0.5;
  const seed = ((options.seed ?? 1) * 1_000_003 + Math.round(tMs)) | 0;
  const k = KEYFRAMES[pattern];
  return { phase, depth, left: foot('left', k.left, depth, jitter, seed), right: foot('right', k.right, depth, jitter, seed) };
}

/** Whether a string names a pattern. */
export const isInsolePattern = (s: string): s is InsolePattern => (INSOLE_PATTERNS as readonly string[]).includes(s);
