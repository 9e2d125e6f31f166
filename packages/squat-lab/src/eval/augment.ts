import { seededRandom } from '@squirret/squat';
import { AI_TRAINER_JOINTS, type AiTrainerJoint, type Frame3d, type Recording3d } from './dataset';
import { FRAME_MS } from './run';

/**
 * Training-time augmentation of a 3D recording: the same movement seen by a slightly different camera
 * (yaw, pitch, roll about the body, and a nearer or farther camera), so the 2D projection changes the
 * way a real phone placement would. Used only when fitting; the held-out data and the live path never
 * see it.
 */

/** How far each camera perturbation may go (uniform in +/- the value; distance as a factor range). */
export interface AugmentRange {
  readonly yawDeg: number;
  readonly pitchDeg: number;
  readonly rollDeg: number;
  readonly distance: readonly [number, number];
  /**
   * Another body: each segment (shin, thigh, torso, upper arm, forearm, head) and the shoulder and hip
   * widths scaled by a factor within 1 +/- this, drawn per copy (0 or absent: the recording's own body).
   */
  readonly proportions?: number;
  /** Another pace: the copy played at `FRAME_MS` times a factor within [1 / tempo, tempo] (log-uniform; absent: as captured). */
  readonly tempo?: number;
}

export const DEFAULT_AUGMENT_RANGE: AugmentRange = { yawDeg: 12, pitchDeg: 6, rollDeg: 4, distance: [0.85, 1.2] };

/** A phone placed well off-axis: up to 30 degrees round, tilted, nearer or farther. */
export const WIDE_AUGMENT_RANGE: AugmentRange = { yawDeg: 30, pitchDeg: 10, rollDeg: 6, distance: [0.75, 1.35] };

/** One batch of copies: how many per recording, how far the camera may move, and the PRNG seed base (plus the recording's row). */
export interface AugmentSet {
  readonly copies: number;
  readonly range: AugmentRange;
  readonly seedBase: number;
  /** 'alternate': every second copy (2nd, 4th, ...) is also mirrored left-right (`mirrorRecording`); absent: none. */
  readonly mirror?: 'alternate';
}

/** A rigid camera change: rotation (row-major 3x3) about `pivot`, then the pivot's depth scaled by `distance`. */
export interface CameraChange {
  readonly rotation: readonly number[];
  readonly pivot: readonly [number, number, number];
  readonly distance: number;
}

/** Rotation matrix Rz(roll) * Rx(pitch) * Ry(yaw), angles in degrees. */
export function rotationMatrix(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const [a, b, c] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const ry = [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  const mul = (p: number[], q: number[]): number[] =>
    Array.from({ length: 9 }, (_, k) => {
      const i = Math.floor(k / 3);
      const j = k % 3;
      return p[3 * i]! * q[j]! + p[3 * i + 1]! * q[3 + j]! + p[3 * i + 2]! * q[6 + j]!;
    });
  return mul(rz, mul(rx, ry));
}

/** Median of the finite values (0 when there are none). */
function median(values: number[]): number {
  const s = values.filter(Number.isFinite).sort((p, q) => p - q);
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median position of all triangulated joints over the recording (the body centre). */
export function bodyCentre(rec: Recording3d): [number, number, number] {
  const xs: number[][] = [[], [], []];
  for (const f of rec.frames) for (let i = 0; i < f.length; i++) xs[i % 3]!.push(f[i]!);
  return [median(xs[0]!), median(xs[1]!), median(xs[2]!)];
}

/** Applies a camera change to every joint of every frame (missing joints stay missing). */
export function applyCameraChange(rec: Recording3d, c: CameraChange): Recording3d {
  const R = c.rotation;
  const [px, py, pz] = c.pivot;
  const frames = rec.frames.map((f): Frame3d => {
    const out = new Float64Array(f.length);
    for (let j = 0; j + 2 < f.length; j += 3) {
      const x = f[j]! - px;
      const y = f[j + 1]! - py;
      const z = f[j + 2]! - pz;
      out[j] = R[0]! * x + R[1]! * y + R[2]! * z + px;
      out[j + 1] = R[3]! * x + R[4]! * y + R[5]! * z + py;
      out[j + 2] = R[6]! * x + R[7]! * y + R[8]! * z + pz * c.distance;
    }
    return out;
  });
  return { recording: rec.recording, frames };
}

/** Length factors of a body's segments (1 = as recorded). */
export interface BodyProportions {
  readonly shin: number;
  readonly thigh: number;
  readonly hipWidth: number;
  readonly torso: number;
  readonly shoulderWidth: number;
  readonly upperArm: number;
  readonly forearm: number;
  readonly head: number;
}

const J = Object.fromEntries(AI_TRAINER_JOINTS.map((n, i) => [n, 3 * i])) as Record<AiTrainerJoint, number>;

/**
 * The same movement made by a body with other proportions: every frame is rebuilt from the ankles up
 * (the feet stay where they are, so ankle and heel rise are unchanged), each joint placed from its
 * parent along the recorded segment direction, the segment's length scaled. The two hips are placed
 * about the midpoint of what the two legs give (so the hip width stays a width), which keeps the knee
 * angles within about a degree; the other joint angles are kept exactly. A joint whose segment cannot
 * be measured in a frame (a point missing) moves with its parent.
 */
export function rescaleBody(rec: Recording3d, p: BodyProportions): Recording3d {
  const frames = rec.frames.map((f): Frame3d => {
    const out = new Float64Array(f);
    const at = (j: number): [number, number, number] => [f[j]!, f[j + 1]!, f[j + 2]!];
    const ok = (v: readonly number[]): boolean => v.every(Number.isFinite);
    const mid = (a: number, b: number): [number, number, number] => {
      const [p1, p2] = [at(a), at(b)];
      return [(p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2, (p1[2] + p2[2]) / 2];
    };
    // displacement of a child = parent's displacement + (factor - 1) * (child - parent)
    const step = (parentDisp: readonly number[], child: readonly number[], parent: readonly number[], factor: number): number[] =>
      ok(child) && ok(parent) ? parentDisp.map((d, c) => d + (factor - 1) * (child[c]! - parent[c]!)) : [...parentDisp];
    const place = (j: number, disp: readonly number[]): void => {
      for (let c = 0; c < 3; c++) out[j + c] = f[j + c]! + disp[c]!;
    };
    const zero = [0, 0, 0];
    const hipDisp: number[][] = [];
    for (const side of ['left', 'right'] as const) {
      const [a, k, h] = [J[`${side}_ankle`], J[`${side}_knee`], J[`${side}_hip`]];
      const kneeDisp = step(zero, at(k), at(a), p.shin);
      place(k, kneeDisp);
      hipDisp.push(step(kneeDisp, at(h), at(k), p.thigh));
    }
    const hipMid = mid(J.left_hip, J.right_hip);
    const hipMidDisp = [0, 1, 2].map((c) => (hipDisp[0]![c]! + hipDisp[1]![c]!) / 2);
    for (const h of [J.left_hip, J.right_hip]) place(h, step(hipMidDisp, at(h), hipMid, p.hipWidth));
    const shoulderMid = mid(J.left_shoulder, J.right_shoulder);
    const shoulderMidDisp = step(hipMidDisp, shoulderMid, hipMid, p.torso);
    for (const side of ['left', 'right'] as const) {
      const [s, e, w] = [J[`${side}_shoulder`], J[`${side}_elbow`], J[`${side}_wrist`]];
      const sDisp = step(shoulderMidDisp, at(s), shoulderMid, p.shoulderWidth);
      place(s, sDisp);
      const eDisp = step(sDisp, at(e), at(s), p.upperArm);
      place(e, eDisp);
      place(w, step(eDisp, at(w), at(e), p.forearm));
    }
    for (const j of [J.nose, J.mouth_left, J.mouth_right]) place(j, step(shoulderMidDisp, at(j), shoulderMid, p.head));
    return out;
  });
  return { recording: rec.recording, frames };
}

/** Index of each joint's left-right counterpart (itself for the nose). */
const MIRROR_OF: readonly number[] = AI_TRAINER_JOINTS.map((n) => {
  const other = n.startsWith('left_') ? n.replace('left_', 'right_') : n.startsWith('right_') ? n.replace('right_', 'left_') : n.endsWith('_left') ? n.replace('_left', '_right') : n.endsWith('_right') ? n.replace('_right', '_left') : n;
  return AI_TRAINER_JOINTS.indexOf(other as AiTrainerJoint);
});

/**
 * The recording as its mirror image would show it: the camera's x negated (the image flipped left to
 * right) and each left joint swapped with its right one, so the mirrored person is again a person
 * (their left leg is the one on the image's right). A squat's class does not change in a mirror.
 */
export function mirrorRecording(rec: Recording3d): Recording3d {
  const frames = rec.frames.map((f): Frame3d => {
    const out = new Float64Array(f.length);
    for (let j = 0; j < MIRROR_OF.length; j++) {
      const [a, b] = [3 * j, 3 * MIRROR_OF[j]!];
      out[a] = -f[b]!;
      out[a + 1] = f[b + 1]!;
      out[a + 2] = f[b + 2]!;
    }
    return out;
  });
  return { ...rec, frames };
}

/** `count` augmented copies of a recording, deterministic for a given seed (`mirror`: see `AugmentSet`). */
export function augmentRecording(rec: Recording3d, count: number, seed: number, range: AugmentRange = DEFAULT_AUGMENT_RANGE, mirror?: AugmentSet['mirror']): Recording3d[] {
  const rnd = seededRandom(seed);
  const u = (m: number): number => (2 * rnd() - 1) * m;
  const pivot = bodyCentre(rec);
  const out: Recording3d[] = [];
  for (let i = 0; i < count; i++) {
    const rotation = rotationMatrix(u(range.yawDeg), u(range.pitchDeg), u(range.rollDeg));
    const distance = range.distance[0] + rnd() * (range.distance[1] - range.distance[0]);
    const body = range.proportions ? rescaleBody(rec, randomProportions(range.proportions, u)) : rec;
    const turned = applyCameraChange(body, { rotation, pivot, distance });
    const moved = mirror === 'alternate' && i % 2 === 1 ? mirrorRecording(turned) : turned;
    out.push(range.tempo ? { ...moved, frameMs: FRAME_MS * Math.exp(u(Math.log(range.tempo))) } : moved);
  }
  return out;
}

function randomProportions(spread: number, u: (m: number) => number): BodyProportions {
  const f = (): number => 1 + u(spread);
  return { shin: f(), thigh: f(), hipWidth: f(), torso: f(), shoulderWidth: f(), upperArm: f(), forearm: f(), head: f() };
}

/**
 * The recording as a camera turned `yawDeg` round the body would see it (same height, same distance):
 * how a phone placed off to one side sees a person who faces straight ahead.
 */
export function turnCamera(rec: Recording3d, yawDeg: number): Recording3d {
  return applyCameraChange(rec, { rotation: rotationMatrix(yawDeg, 0, 0), pivot: bodyCentre(rec), distance: 1 });
}
