import type { FrameFeatures } from './features';

/**
 * Features of one whole repetition, for the rep-level judge (the fitted model). While a rep is in
 * progress the analyzer keeps a compact row of numbers per frame; when the rep ends, each series is
 * summarised at fixed points of the movement (before, half-way down, bottom, half-way up, after) and
 * by its extremes. Cost: O(frames of the rep) once per rep, nothing per frame beyond one array push.
 */

/** The per-frame series every pose model gives (COCO-17 only), in row order. */
export const BODY_SERIES = [
  'depth',
  'trunkLean',
  'torsoRatio',
  'noseRatio',
  'kneeAnkleWidth',
  'kneeHipWidth',
  'ankleHipWidth',
  'ankleRise',
  'shinRatio',
  'thighRatio',
  'kneeAngle',
  'hipAngle',
  'hipShift',
  'ankleSpread',
  'shoulderWidthN',
  'hipWidthN',
  'shoulderHipWidth',
  'shoulderShift',
  'headRatio',
  'wristDrop',
  'elbowDrop',
  'wristShoulderWidth',
  'kneeWidthN',
] as const satisfies ReadonlyArray<keyof FrameFeatures>;

/** The series only a pose model with heels and toes (BlazePose) gives; null on a COCO-17-only stream. */
export const FOOT_SERIES = ['heelRise', 'toeRise', 'footPitch', 'heelOverAnkle', 'footSpan'] as const satisfies ReadonlyArray<keyof FrameFeatures>;

/**
 * The per-frame series recorded during a rep, in row order. The foot series come last, so a rep
 * buffered by an older analyzer (shorter rows, restored from a snapshot) reads them as missing.
 */
export const REP_SERIES = [...BODY_SERIES, ...FOOT_SERIES] as const;
export type RepSeriesName = (typeof REP_SERIES)[number];

/** How each series is summarised over a rep. */
export const REP_POINTS = ['pre', 'desc50', 'bottom', 'asc50', 'end', 'post', 'min', 'max', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 'dBottom', 'dMax', 'dMin'] as const;
/** Evenly spaced time points of the rep (fractions of its duration) at which each series is sampled. */
const TIME_POINTS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export type RepPointName = (typeof REP_POINTS)[number];

/** Whole-rep features beyond the per-series summaries. */
export const REP_GLOBALS = ['maxDepth', 'descentSec', 'ascentSec', 'ascentToDescent'] as const;

/** Names of the rep feature vector, in order: `<series>_<point>` for every pair, then the globals. */
export const REP_FEATURE_NAMES: readonly string[] = [
  ...REP_SERIES.flatMap((s) => REP_POINTS.map((p) => `${s}_${p}`)),
  ...REP_GLOBALS,
];

/** The MoveNet model's inputs (COCO-17 series and the globals; 464 values). */
export const MOVENET_FEATURE_NAMES: readonly string[] = [...BODY_SERIES.flatMap((s) => REP_POINTS.map((p) => `${s}_${p}`)), ...REP_GLOBALS];

/** The BlazePose model's inputs: the MoveNet ones plus the foot series (564 values). */
export const BLAZEPOSE_FEATURE_NAMES: readonly string[] = [...MOVENET_FEATURE_NAMES, ...FOOT_SERIES.flatMap((s) => REP_POINTS.map((p) => `${s}_${p}`))];

/** One recorded frame: its time and one value (or null) per `REP_SERIES` entry. */
export interface RepFrame {
  readonly tMs: number;
  readonly values: ReadonlyArray<number | null>;
}

export function repFrameOf(f: FrameFeatures, tMs: number): RepFrame {
  return { tMs, values: REP_SERIES.map((k) => f[k]) };
}

/** Summarised features of one rep: values aligned with `REP_FEATURE_NAMES` (null = not measurable). */
export interface RepFeatureVector {
  readonly names: readonly string[];
  readonly values: ReadonlyArray<number | null>;
}

function mean(values: ReadonlyArray<number | null>): number | null {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (v !== null && Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : null;
}

/** Mean of series `k` over frames [from, to) (clamped). */
function meanAt(frames: readonly RepFrame[], k: number, from: number, to: number): number | null {
  const a = Math.max(0, from);
  const b = Math.min(frames.length, to);
  const vals: Array<number | null> = [];
  for (let i = a; i < b; i++) vals.push(frames[i]!.values[k] ?? null);
  return mean(vals);
}

const DEPTH = REP_SERIES.indexOf('depth');
/** Frames within this much depth of the deepest point count as "the bottom". */
const BOTTOM_BAND = 0.05;

/**
 * Summarises one rep. `pre` are standing frames just before the rep started, `frames` the rep from
 * the start of the descent to the return to standing, `post` the frames after it (may be empty).
 */
export function summarizeRep(pre: readonly RepFrame[], frames: readonly RepFrame[], post: readonly RepFrame[] = []): RepFeatureVector {
  const n = frames.length;
  let maxDepth = -Infinity;
  let iBottom = 0;
  for (let i = 0; i < n; i++) {
    const d = frames[i]!.values[DEPTH];
    if (d !== null && d !== undefined && d > maxDepth) {
      maxDepth = d;
      iBottom = i;
    }
  }
  if (!Number.isFinite(maxDepth)) maxDepth = 0;
  const half = maxDepth / 2;
  let iDesc = 0;
  while (iDesc < iBottom && (frames[iDesc]!.values[DEPTH] ?? -1) < half) iDesc++;
  let iAsc = n - 1;
  while (iAsc > iBottom && (frames[iAsc]!.values[DEPTH] ?? -1) < half) iAsc--;
  const inBottom: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = frames[i]!.values[DEPTH];
    if (d !== null && d !== undefined && d >= maxDepth - BOTTOM_BAND) inBottom.push(i);
  }

  const values: Array<number | null> = [];
  REP_SERIES.forEach((_, k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const f of frames) {
      const v = f.values[k];
      if (v !== null && v !== undefined && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    const before = pre.length > 0 ? meanAt(pre, k, 0, pre.length) : meanAt(frames, k, 0, 2);
    const bottom = mean(inBottom.map((i) => frames[i]!.values[k] ?? null));
    const minus = (a: number | null): number | null => (a !== null && before !== null ? a - before : null);
    values.push(
      before,
      meanAt(frames, k, iDesc - 1, iDesc + 2),
      bottom,
      meanAt(frames, k, iAsc - 1, iAsc + 2),
      meanAt(frames, k, n - 3, n),
      post.length > 0 ? meanAt(post, k, 0, post.length) : null,
      Number.isFinite(lo) ? lo : null,
      Number.isFinite(hi) ? hi : null,
      ...TIME_POINTS.map((q) => {
        const c = Math.round(q * (n - 1));
        return meanAt(frames, k, c - 1, c + 2);
      }),
      // change from standing: how far the rep moved each series away from the person's own start
      minus(bottom),
      minus(Number.isFinite(hi) ? hi : null),
      minus(Number.isFinite(lo) ? lo : null),
    );
  });
  const t0 = frames[0]?.tMs ?? 0;
  const tB = frames[iBottom]?.tMs ?? t0;
  const tE = frames[n - 1]?.tMs ?? tB;
  const descentSec = (tB - t0) / 1000;
  const ascentSec = (tE - tB) / 1000;
  values.push(maxDepth, descentSec, ascentSec, descentSec > 0 ? ascentSec / descentSec : null);
  return { names: REP_FEATURE_NAMES, values };
}

/** Serialisable state of a `RepRecorder`. */
export interface RepRecorderState {
  phase: 'idle' | 'rep' | 'post';
  pre: RepFrame[];
  frames: RepFrame[];
  post: RepFrame[];
  stride: number;
  skip: number;
}

/** Standing frames kept as the "before" of the next rep. */
const PRE_FRAMES = 6;
/** A longer rep is decimated (every other frame dropped) so memory stays bounded. */
const MAX_FRAMES = 600;
/** Bound on the frames kept after a rep (the post window is short; this only guards memory). */
const MAX_POST_FRAMES = 120;

function idleState(pre: RepFrame[] = []): RepRecorderState {
  return { phase: 'idle', pre, frames: [], post: [], stride: 1, skip: 0 };
}

/**
 * Buffers the frames of the rep in progress, a few standing frames before it and, once it has ended,
 * the frames of a short window after it (how the person settles back often shows a foot lift).
 */
export class RepRecorder {
  private s: RepRecorderState = idleState();

  get phase(): RepRecorderState['phase'] {
    return this.s.phase;
  }

  /** Feeds one frame; `inRep` says whether the stage machine is inside a rep on this frame. */
  push(frame: RepFrame, inRep: boolean): void {
    const s = this.s;
    if (s.phase === 'post') {
      if (s.post.length < MAX_POST_FRAMES) s.post.push(frame);
      return;
    }
    if (!inRep) {
      if (s.phase === 'idle') {
        s.pre.push(frame);
        if (s.pre.length > PRE_FRAMES) s.pre.shift();
      }
      return;
    }
    if (s.phase === 'idle') {
      s.phase = 'rep';
      s.frames = [];
      s.stride = 1;
      s.skip = 0;
    }
    if (s.skip > 0) {
      s.skip--;
      return;
    }
    s.frames.push(frame);
    s.skip = s.stride - 1;
    if (s.frames.length >= MAX_FRAMES) {
      s.frames = s.frames.filter((_, i) => i % 2 === 0);
      s.stride *= 2;
    }
  }

  /** The rep has been counted (on `lastFrame`, if given); the following frames go to the post window. */
  endRep(lastFrame: RepFrame | null): void {
    const s = this.s;
    if (s.phase !== 'rep') s.frames = [];
    if (lastFrame) s.frames.push(lastFrame);
    s.phase = 'post';
    s.post = [];
  }

  /** Summarises the rep (with whatever post window has been collected) and goes back to idle. */
  finish(): RepFeatureVector {
    const s = this.s;
    const summary = summarizeRep(s.pre, s.frames, s.post);
    this.s = idleState(s.post.slice(-PRE_FRAMES));
    return summary;
  }

  discard(): void {
    this.s = idleState();
  }

  snapshot(): RepRecorderState {
    const s = this.s;
    return { ...s, pre: [...s.pre], frames: [...s.frames], post: [...s.post] };
  }

  restore(state: RepRecorderState): void {
    this.s = { ...state, pre: [...state.pre], frames: [...state.frames], post: [...state.post] };
  }
}
