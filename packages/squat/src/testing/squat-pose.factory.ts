import { COCO17, FOOT_POINTS, type FootKeypoint, type Keypoint, type KeypointName } from '@squirret/contracts';
import { seededRandom } from '../random';

/**
 * Test builders: synthetic MoveNet-style keypoints of a squatting person, in a front or a side view,
 * on a square frame (aspect ratio 1). Not part of the public API.
 */

/** Shape of one synthetic frame. */
export interface PoseOptions {
  readonly view?: 'front' | 'side';
  /** 0 standing .. 1 deepest squat the builder makes (hip drop ~55% of its height). */
  readonly t?: number;
  /** Front view: how far each knee moves towards the midline at the bottom (frame widths). */
  readonly valgus?: number;
  /** Extra forward trunk lean at the bottom (degrees). */
  readonly extraLean?: number;
  /** How far the ankles rise (frame heights), scaled by t. */
  readonly ankleLift?: number;
  /** Score of every keypoint (default 0.9); `lowScore` names get 0.05. */
  readonly score?: number;
  readonly lowScore?: readonly KeypointName[];
  /** Uniform jitter amplitude added to every coordinate (frame units), from `rnd`. */
  readonly jitter?: number;
  readonly rnd?: () => number;
  /** Horizontal centre of the person. */
  readonly cx?: number;
  /** Foot points (front view): how far the heels / the toes rise (frame heights), scaled by t. */
  readonly heelLift?: number;
  readonly toeLift?: number;
}

const DEG = Math.PI / 180;
const ANKLE_Y = 0.9;
const SHIN = 0.2;
const THIGH = 0.21;
const TORSO = 0.3;
const NECK = 0.1;

type Pt = { x: number; y: number };

/** One frame of keypoints in COCO-17 order. */
export function squatPose(o: PoseOptions = {}): Keypoint[] {
  const t = Math.min(Math.max(o.t ?? 0, 0), 1.2);
  const cx = o.cx ?? 0.5;
  const lift = (o.ankleLift ?? 0) * t;
  const ankleY = ANKLE_Y - lift;
  const shinA = 30 * t * DEG; // shin tilt from vertical (knees forward)
  const thighA = 85 * t * DEG; // thigh tilt from vertical
  const lean = (45 * t + (o.extraLean ?? 0) * Math.min(t, 1)) * DEG;
  const kneeY = ankleY - SHIN * Math.cos(shinA);
  const hipY = kneeY - THIGH * Math.cos(thighA);
  const shoulderY = hipY - TORSO * Math.cos(lean);
  const noseY = shoulderY - NECK * Math.cos(lean);
  const pts: Partial<Record<KeypointName, Pt>> = {};
  if ((o.view ?? 'front') === 'front') {
    const ankleW = 0.07;
    const kneeOut = 0.02 * t - (o.valgus ?? 0) * t;
    const set = (side: 'left' | 'right', sign: number): void => {
      pts[`${side}_ankle`] = { x: cx + sign * ankleW, y: ankleY };
      pts[`${side}_knee`] = { x: cx + sign * (ankleW + kneeOut), y: kneeY };
      pts[`${side}_hip`] = { x: cx + sign * 0.05, y: hipY };
      pts[`${side}_shoulder`] = { x: cx + sign * 0.08, y: shoulderY };
      pts[`${side}_elbow`] = { x: cx + sign * 0.04, y: shoulderY + 0.08 };
      pts[`${side}_wrist`] = { x: cx - sign * 0.04, y: shoulderY + 0.05 };
      pts[`${side}_eye`] = { x: cx + sign * 0.015, y: noseY - 0.015 };
      pts[`${side}_ear`] = { x: cx + sign * 0.035, y: noseY - 0.01 };
    };
    set('left', 1);
    set('right', -1);
    pts.nose = { x: cx, y: noseY };
  } else {
    // facing +x: knees forward (+x), hips back
    const ankle = { x: cx, y: ankleY };
    const knee = { x: cx + SHIN * Math.sin(shinA), y: kneeY };
    const hip = { x: knee.x - THIGH * Math.sin(thighA), y: hipY };
    const shoulder = { x: hip.x + TORSO * Math.sin(lean), y: shoulderY };
    const nose = { x: shoulder.x + NECK * Math.sin(lean) + 0.03, y: noseY };
    for (const side of ['left', 'right'] as const) {
      pts[`${side}_ankle`] = ankle;
      pts[`${side}_knee`] = knee;
      pts[`${side}_hip`] = hip;
      pts[`${side}_shoulder`] = shoulder;
      pts[`${side}_elbow`] = { x: shoulder.x + 0.05, y: shoulder.y + 0.1 };
      pts[`${side}_wrist`] = { x: shoulder.x + 0.12, y: shoulder.y + 0.08 };
      pts[`${side}_eye`] = { x: nose.x - 0.01, y: nose.y - 0.015 };
      pts[`${side}_ear`] = { x: nose.x - 0.05, y: nose.y - 0.01 };
    }
    pts.nose = nose;
  }
  const jit = o.jitter ?? 0;
  const rnd = o.rnd ?? seededRandom(1);
  return COCO17.map((name) => {
    const p = pts[name]!;
    const j = (): number => (jit > 0 ? (rnd() * 2 - 1) * jit : 0);
    const low = o.lowScore?.includes(name) ?? false;
    return { name, x: p.x + j(), y: p.y + j(), score: low ? 0.05 : o.score ?? 0.9 };
  });
}

/** BlazePose's extra points for one front-view frame: heels just below and behind the ankles, toes in front. */
export function feetPose(o: PoseOptions = {}): FootKeypoint[] {
  const t = Math.min(Math.max(o.t ?? 0, 0), 1.2);
  const cx = o.cx ?? 0.5;
  const ankleY = ANKLE_Y - (o.ankleLift ?? 0) * t;
  const heelY = ankleY + 0.02 - (o.heelLift ?? 0) * t;
  const toeY = ankleY + 0.05 - (o.toeLift ?? 0) * t;
  const at = { left_heel: { x: cx + 0.07, y: heelY }, right_heel: { x: cx - 0.07, y: heelY }, left_foot_index: { x: cx + 0.09, y: toeY }, right_foot_index: { x: cx - 0.09, y: toeY } };
  return FOOT_POINTS.map((name) => ({ name, ...at[name], score: o.score ?? 0.9 }));
}

/** A timed frame of a synthetic sequence (with the foot points when the sequence asks for them). */
export interface TimedPose {
  readonly keypoints: Keypoint[];
  readonly tMs: number;
  readonly feet?: FootKeypoint[];
}

/** Shape of a synthetic sequence of reps. */
export interface RepSequenceOptions extends Omit<PoseOptions, 't' | 'rnd'> {
  readonly reps?: number;
  readonly fps?: number;
  /** Seconds standing before the first rep and between reps. */
  readonly standSec?: number;
  readonly descentSec?: number;
  readonly bottomSec?: number;
  readonly ascentSec?: number;
  /** Deepest t of each rep (see PoseOptions.t). */
  readonly depth?: number;
  readonly seed?: number;
  readonly startMs?: number;
  /** Also give BlazePose's heels and toes on every frame. */
  readonly withFeet?: boolean;
}

/** Standing, then `reps` x (descent, bottom hold, ascent, standing). Deterministic for a seed. */
export function repSequence(o: RepSequenceOptions = {}): TimedPose[] {
  const fps = o.fps ?? 30;
  const dt = 1000 / fps;
  const rnd = seededRandom(o.seed ?? 42);
  const depth = o.depth ?? 1;
  const phases: Array<[number, (u: number) => number]> = [];
  const stand = o.standSec ?? 1;
  phases.push([stand, () => 0]);
  for (let r = 0; r < (o.reps ?? 1); r++) {
    phases.push([o.descentSec ?? 1, (u) => depth * (0.5 - 0.5 * Math.cos(Math.PI * u))]);
    phases.push([o.bottomSec ?? 0.3, () => depth]);
    phases.push([o.ascentSec ?? 1, (u) => depth * (0.5 + 0.5 * Math.cos(Math.PI * u))]);
    phases.push([stand, () => 0]);
  }
  const out: TimedPose[] = [];
  let tMs = o.startMs ?? 0;
  for (const [sec, f] of phases) {
    const n = Math.max(1, Math.round(sec * fps));
    for (let i = 0; i < n; i++) {
      const t = f(i / n);
      out.push({ keypoints: squatPose({ ...o, t, rnd }), tMs: Math.round(tMs), ...(o.withFeet ? { feet: feetPose({ ...o, t }) } : {}) });
      tMs += dt;
    }
  }
  return out;
}
