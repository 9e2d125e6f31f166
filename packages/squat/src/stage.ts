import type { SquatStage } from '@squirret/contracts';

/**
 * Stage machine and rep counter. It runs on one view-independent signal, the depth: how far the hip
 * has dropped towards the ankles, as a fraction of the standing hip height (0 standing, ~0.5-0.7 at
 * the bottom of a full squat). The same number works in a frontal and in a side view.
 *
 * Hysteresis, so that jitter cannot count a rep twice:
 * - a rep starts only when depth rises above `descentEnter`, and it ends only when depth falls back
 *   below `standingEnter` (< descentEnter); a wobble around one threshold cannot cross the other;
 * - the switch from descent/bottom to ascent needs the depth to fall `reversal` below the deepest
 *   point, and a switch back down needs it to rise `reversal` above the lowest point of the ascent;
 * - a rep counts only when its deepest point reached `minRepDepth` and it lasted `minRepMs`.
 */

/** Thresholds of the stage machine (depth is a fraction of the standing hip height). */
export interface StageOptions {
  readonly descentEnter: number;
  readonly standingEnter: number;
  readonly reversal: number;
  /** Descent becomes bottom when the depth speed falls below this (per second) past `minRepDepth`. */
  readonly bottomSpeed: number;
  /** A dip shallower than `minRepDepth` ends only once the depth speed is above minus this (per second). */
  readonly settleSpeed: number;
  readonly minRepDepth: number;
  readonly minRepMs: number;
  /** Missing depth for longer than this abandons the rep in progress (person left the frame). */
  readonly lostMs: number;
}

export const DEFAULT_STAGE_OPTIONS: StageOptions = {
  descentEnter: 0.1,
  standingEnter: 0.06,
  reversal: 0.05,
  bottomSpeed: 0.25,
  settleSpeed: 0.1,
  minRepDepth: 0.2,
  minRepMs: 500,
  lostMs: 2000,
};

/** A finished repetition as the stage machine sees it (times in the caller's ms clock). */
export interface RepTiming {
  readonly startMs: number;
  readonly bottomMs: number;
  readonly endMs: number;
  readonly maxDepth: number;
}

/** What one step of the stage machine reports. */
export interface StageUpdate {
  readonly stage: SquatStage;
  readonly reps: number;
  /** Set on the frame where a rep is counted. */
  readonly completed?: RepTiming;
  /** Set on the frame where a started rep is abandoned without being counted. */
  readonly abandoned?: boolean;
}

/** Serialisable state of a `StageMachine`. */
export interface StageState {
  stage: SquatStage;
  reps: number;
  startMs: number;
  maxDepth: number;
  bottomMs: number;
  minAscentDepth: number;
  lastDepth: number | null;
  lastMs: number | null;
  lastSeenMs: number | null;
  speed: number;
}

function initialState(): StageState {
  return {
    stage: 'standing',
    reps: 0,
    startMs: 0,
    maxDepth: 0,
    bottomMs: 0,
    minAscentDepth: 0,
    lastDepth: null,
    lastMs: null,
    lastSeenMs: null,
    speed: 0,
  };
}

/** Streaming stage machine: feed one depth value (or null when unknown) per frame. */
export class StageMachine {
  private s: StageState = initialState();

  constructor(private readonly options: StageOptions = DEFAULT_STAGE_OPTIONS) {}

  get stage(): SquatStage {
    return this.s.stage;
  }

  get reps(): number {
    return this.s.reps;
  }

  /** Start time and deepest point of the rep in progress, or null when standing. */
  get current(): { startMs: number; maxDepth: number; bottomMs: number } | null {
    return this.s.stage === 'standing' ? null : { startMs: this.s.startMs, maxDepth: this.s.maxDepth, bottomMs: this.s.bottomMs };
  }

  push(depth: number | null, tMs: number): StageUpdate {
    const s = this.s;
    const o = this.options;
    if (depth === null || !Number.isFinite(depth)) {
      if (s.stage !== 'standing' && s.lastSeenMs !== null && tMs - s.lastSeenMs > o.lostMs) {
        this.s = { ...initialState(), reps: s.reps };
        return { stage: 'standing', reps: s.reps, abandoned: true };
      }
      return { stage: s.stage, reps: s.reps };
    }

    // depth speed (per second), lightly smoothed so one jittery frame does not look like a stop
    if (s.lastDepth !== null && s.lastMs !== null && tMs > s.lastMs) {
      const raw = ((depth - s.lastDepth) * 1000) / (tMs - s.lastMs);
      s.speed = s.speed + 0.5 * (raw - s.speed);
    }
    s.lastDepth = depth;
    s.lastMs = tMs;
    s.lastSeenMs = tMs;

    switch (s.stage) {
      case 'standing':
        if (depth > o.descentEnter) {
          s.stage = 'descent';
          s.startMs = tMs;
          s.maxDepth = depth;
          s.bottomMs = tMs;
        }
        break;
      case 'descent':
      case 'bottom':
        if (depth > s.maxDepth) {
          s.maxDepth = depth;
          s.bottomMs = tMs;
        }
        if (depth < o.standingEnter && this.mayEnd()) return this.finish(tMs);
        if (depth < s.maxDepth - o.reversal) {
          s.stage = 'ascent';
          s.minAscentDepth = depth;
        } else if (s.stage === 'descent' && s.maxDepth >= o.minRepDepth && s.speed < o.bottomSpeed) {
          s.stage = 'bottom';
        }
        break;
      case 'ascent':
        if (depth < o.standingEnter && this.mayEnd()) return this.finish(tMs);
        if (depth < s.minAscentDepth) s.minAscentDepth = depth;
        if (depth > s.minAscentDepth + o.reversal) {
          // went back down without standing up: the same rep, not a new one
          s.stage = depth > s.maxDepth || s.maxDepth < o.minRepDepth ? 'descent' : 'bottom';
          if (depth > s.maxDepth) {
            s.maxDepth = depth;
            s.bottomMs = tMs;
          }
        }
        break;
    }
    return { stage: s.stage, reps: s.reps };
  }

  /**
   * The standing reference was raised to a taller pose (the stream began with the person slightly
   * crouched, or they came closer): the depths kept for the rep in progress are re-expressed against
   * the new reference, so the rep is measured from full standing. `scale` is the old standing hip
   * height over the new one (0 < scale <= 1): a depth d becomes 1 - (1 - d) * scale. Standing, it
   * only moves the last depth (the speed estimate); it never starts a rep by itself, so standing up
   * from a crouch the stream began in (setting the phone down) is not counted.
   */
  rebase(scale: number): void {
    if (!(scale > 0 && scale <= 1)) return;
    const s = this.s;
    const re = (d: number): number => 1 - (1 - d) * scale;
    if (s.lastDepth !== null) s.lastDepth = re(s.lastDepth);
    if (s.stage === 'standing') return;
    s.maxDepth = re(s.maxDepth);
    if (s.stage === 'ascent') s.minAscentDepth = re(s.minAscentDepth);
  }

  /**
   * Ends the session: a rep that went deep enough and is on its way up (or at the bottom) is counted
   * as if the person had stood up. Returns its timing, or null when there was nothing to close.
   */
  flush(tMs: number): RepTiming | null {
    const s = this.s;
    if (s.stage === 'standing' || s.stage === 'descent') return null;
    const u = this.finish(tMs);
    return u.completed ?? null;
  }

  /**
   * Back above the standing threshold: a rep deep enough to count ends at once; a shallower one ends
   * only once the rise has slowed, so that a person still rising past a reference taken in a crouch
   * reaches full height first (the reference is then raised and the rep re-measured, see `rebase`).
   */
  private mayEnd(): boolean {
    return this.s.maxDepth >= this.options.minRepDepth || this.s.speed > -this.options.settleSpeed;
  }

  private finish(tMs: number): StageUpdate {
    const s = this.s;
    const counted = s.maxDepth >= this.options.minRepDepth && tMs - s.startMs >= this.options.minRepMs;
    const timing: RepTiming = { startMs: s.startMs, bottomMs: s.bottomMs, endMs: tMs, maxDepth: s.maxDepth };
    const reps = counted ? s.reps + 1 : s.reps;
    this.s = { ...initialState(), reps, lastDepth: s.lastDepth, lastMs: s.lastMs, lastSeenMs: s.lastSeenMs, speed: s.speed };
    return counted ? { stage: 'standing', reps, completed: timing } : { stage: 'standing', reps, abandoned: true };
  }

  /**
   * Drops the rep in progress without counting it and goes back to standing; the rep count and
   * nothing else is kept (the depths the machine holds belong to a geometry that no longer applies,
   * e.g. the camera frame changed shape).
   */
  abandon(): void {
    this.s = { ...initialState(), reps: this.s.reps };
  }

  reset(): void {
    this.s = initialState();
  }

  snapshot(): StageState {
    return { ...this.s };
  }

  restore(state: StageState): void {
    this.s = { ...state };
  }
}
