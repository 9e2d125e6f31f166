import { seededRandom } from '../model/gbdt';
import type { Frame3d, Recording3d } from './dataset';

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
}

export const DEFAULT_AUGMENT_RANGE: AugmentRange = { yawDeg: 12, pitchDeg: 6, rollDeg: 4, distance: [0.85, 1.2] };

/** A phone placed well off-axis: up to 30 degrees round, tilted, nearer or farther. */
export const WIDE_AUGMENT_RANGE: AugmentRange = { yawDeg: 30, pitchDeg: 10, rollDeg: 6, distance: [0.75, 1.35] };

/** One batch of copies: how many per recording, how far the camera may move, and the PRNG seed base (plus the recording's row). */
export interface AugmentSet {
  readonly copies: number;
  readonly range: AugmentRange;
  readonly seedBase: number;
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

/** `count` augmented copies of a recording, deterministic for a given seed. */
export function augmentRecording(rec: Recording3d, count: number, seed: number, range: AugmentRange = DEFAULT_AUGMENT_RANGE): Recording3d[] {
  const rnd = seededRandom(seed);
  const u = (m: number): number => (2 * rnd() - 1) * m;
  const pivot = bodyCentre(rec);
  const out: Recording3d[] = [];
  for (let i = 0; i < count; i++) {
    const rotation = rotationMatrix(u(range.yawDeg), u(range.pitchDeg), u(range.rollDeg));
    const distance = range.distance[0] + rnd() * (range.distance[1] - range.distance[0]);
    out.push(applyCameraChange(rec, { rotation, pivot, distance }));
  }
  return out;
}

/**
 * The recording as a camera turned `yawDeg` round the body would see it (same height, same distance):
 * how a phone placed off to one side sees a person who faces straight ahead.
 */
export function turnCamera(rec: Recording3d, yawDeg: number): Recording3d {
  return applyCameraChange(rec, { rotation: rotationMatrix(yawDeg, 0, 0), pivot: bodyCentre(rec), distance: 1 });
}
