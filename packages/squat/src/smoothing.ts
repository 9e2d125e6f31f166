/**
 * Smoothing against keypoint jitter. MoveNet's points jump by a few pixels from frame to frame even
 * when the person is still; the One Euro filter (Casiez et al., CHI 2012) removes that jitter at low
 * speed while keeping lag small when the joint moves fast, and it takes the real frame interval, so
 * it behaves the same at 10 and at 30 fps.
 */

/** Tuning of a One Euro filter: cut-off in Hz at rest, speed coefficient, cut-off for the derivative. */
export interface OneEuroParams {
  readonly minCutoffHz: number;
  readonly beta: number;
  readonly derivativeCutoffHz: number;
}

/** Serialisable state of one One Euro filter. */
export interface OneEuroState {
  value: number;
  derivative: number;
  tMs: number;
}

function smoothingFactor(dtSec: number, cutoffHz: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtSec);
}

/** Smallest frame interval assumed when two frames carry the same (or a decreasing) timestamp. */
const MIN_DT_SEC = 1 / 120;

/** One scalar One Euro filter. The first sample passes through unchanged. */
export class OneEuroFilter {
  private state: OneEuroState | null = null;

  constructor(private readonly params: OneEuroParams) {}

  filter(value: number, tMs: number): number {
    const s = this.state;
    if (s === null) {
      this.state = { value, derivative: 0, tMs };
      return value;
    }
    const dt = Math.max((tMs - s.tMs) / 1000, MIN_DT_SEC);
    const rawDerivative = (value - s.value) / dt;
    const aD = smoothingFactor(dt, this.params.derivativeCutoffHz);
    const derivative = s.derivative + aD * (rawDerivative - s.derivative);
    const cutoff = this.params.minCutoffHz + this.params.beta * Math.abs(derivative);
    const a = smoothingFactor(dt, cutoff);
    const out = s.value + a * (value - s.value);
    this.state = { value: out, derivative, tMs: Math.max(tMs, s.tMs) };
    return out;
  }

  get current(): number | null {
    return this.state?.value ?? null;
  }

  reset(): void {
    this.state = null;
  }

  snapshot(): OneEuroState | null {
    return this.state === null ? null : { ...this.state };
  }

  restore(state: OneEuroState | null): void {
    this.state = state === null ? null : { ...state };
  }
}

/** One keypoint after smoothing; `present` is false when it was never seen or was lost too long ago. */
export interface SmoothedPoint {
  readonly x: number;
  readonly y: number;
  /** The detector score of the last confident observation (decays while the point is held). */
  readonly score: number;
  readonly present: boolean;
}

/** Tuning of the keypoint smoother. */
export interface KeypointSmootherOptions {
  readonly filter: OneEuroParams;
  /** Observations with a score below this are ignored. */
  readonly minScore: number;
  /** A point missing for at most this long keeps its last smoothed position (brief occlusions). */
  readonly holdMs: number;
}

/** Coordinates are image-normalised, so a joint moving at ~1 frame-height/s gets almost no lag. */
export const DEFAULT_SMOOTHER_OPTIONS: KeypointSmootherOptions = {
  filter: { minCutoffHz: 1, beta: 4, derivativeCutoffHz: 1 },
  minScore: 0.3,
  holdMs: 250,
};

/** Serialisable state of a `KeypointSmoother`. */
export interface KeypointSmootherState {
  points: Array<{ x: OneEuroState | null; y: OneEuroState | null; score: number; lastSeenMs: number | null }>;
}

/** A raw observation of one joint: coordinates in any frame, score in [0, 1]. */
export interface RawPoint {
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/**
 * Smooths a fixed-size set of points (17 for COCO) with one One Euro filter per coordinate and gates
 * them by confidence: unconfident observations are dropped, a dropped point is held for `holdMs`, and
 * after that it is reported absent and its filter restarts on the next confident observation (so an
 * old position never drags the new one).
 */
export class KeypointSmoother {
  private readonly xs: OneEuroFilter[];
  private readonly ys: OneEuroFilter[];
  private readonly scores: number[];
  private readonly lastSeen: Array<number | null>;

  constructor(
    private readonly size: number,
    private readonly options: KeypointSmootherOptions = DEFAULT_SMOOTHER_OPTIONS,
  ) {
    this.xs = Array.from({ length: size }, () => new OneEuroFilter(options.filter));
    this.ys = Array.from({ length: size }, () => new OneEuroFilter(options.filter));
    this.scores = new Array<number>(size).fill(0);
    this.lastSeen = new Array<number | null>(size).fill(null);
  }

  /** `points[i]` may be undefined when the detector did not report joint i at all. */
  push(points: ReadonlyArray<RawPoint | undefined>, tMs: number): SmoothedPoint[] {
    const out: SmoothedPoint[] = [];
    for (let i = 0; i < this.size; i++) {
      const p = points[i];
      const fx = this.xs[i]!;
      const fy = this.ys[i]!;
      const confident = p !== undefined && p.score >= this.options.minScore && Number.isFinite(p.x) && Number.isFinite(p.y);
      if (confident) {
        const last = this.lastSeen[i] ?? null;
        if (last !== null && tMs - last > this.options.holdMs) {
          fx.reset();
          fy.reset();
        }
        const x = fx.filter(p.x, tMs);
        const y = fy.filter(p.y, tMs);
        this.scores[i] = p.score;
        this.lastSeen[i] = tMs;
        out.push({ x, y, score: p.score, present: true });
        continue;
      }
      const last = this.lastSeen[i] ?? null;
      const cx = fx.current;
      const cy = fy.current;
      if (last !== null && cx !== null && cy !== null && tMs - last <= this.options.holdMs) {
        out.push({ x: cx, y: cy, score: this.scores[i]!, present: true });
      } else {
        out.push({ x: 0, y: 0, score: 0, present: false });
      }
    }
    return out;
  }

  reset(): void {
    for (let i = 0; i < this.size; i++) {
      this.xs[i]!.reset();
      this.ys[i]!.reset();
      this.scores[i] = 0;
      this.lastSeen[i] = null;
    }
  }

  snapshot(): KeypointSmootherState {
    return {
      points: this.xs.map((fx, i) => ({
        x: fx.snapshot(),
        y: this.ys[i]!.snapshot(),
        score: this.scores[i]!,
        lastSeenMs: this.lastSeen[i] ?? null,
      })),
    };
  }

  restore(state: KeypointSmootherState): void {
    if (state.points.length !== this.size) {
      throw new Error(`smoother snapshot has ${state.points.length} points, expected ${this.size}`);
    }
    state.points.forEach((p, i) => {
      this.xs[i]!.restore(p.x);
      this.ys[i]!.restore(p.y);
      this.scores[i] = p.score;
      this.lastSeen[i] = p.lastSeenMs;
    });
  }
}

/** Exponential moving average with a time constant, for scalar signals at irregular frame times. */
export function emaStep(previous: number, value: number, dtMs: number, timeConstantMs: number): number {
  if (!(dtMs > 0)) return previous;
  const a = 1 - Math.exp(-dtMs / timeConstantMs);
  return previous + a * (value - previous);
}
