/**
 * Plane geometry on keypoints. All functions are pure and work in an isotropic image frame:
 * x to the right, y DOWN (image convention), one unit the same length on both axes.
 * MoveNet's normalised coordinates are not isotropic on a non-square frame, so callers first
 * scale x by the frame's aspect ratio (see `toIsotropic`).
 */

/** A 2D point in the isotropic image frame (y grows downwards). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

const RAD_TO_DEG = 180 / Math.PI;

/** Maps MoveNet-normalised coordinates to an isotropic frame: x is scaled by width / height. */
export function toIsotropic(x: number, y: number, aspectRatio: number): Point {
  return { x: x * aspectRatio, y };
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export function midpoint(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Interior angle ABC at vertex b in degrees, in [0, 180]. A straight limb gives 180.
 * Returns null when either segment is degenerate (zero length), which happens when two
 * keypoints collapse onto each other.
 */
export function angleAt(a: Point, b: Point, c: Point): number | null {
  const ux = a.x - b.x;
  const uy = a.y - b.y;
  const vx = c.x - b.x;
  const vy = c.y - b.y;
  const nu = Math.hypot(ux, uy);
  const nv = Math.hypot(vx, vy);
  if (nu < 1e-9 || nv < 1e-9) return null;
  const cos = clamp((ux * vx + uy * vy) / (nu * nv), -1, 1);
  return Math.acos(cos) * RAD_TO_DEG;
}

/**
 * Angle in degrees between the segment from -> to and the upward vertical, in [0, 180].
 * 0 means `to` is straight above `from`; 90 means horizontal. Null for a degenerate segment.
 */
export function angleFromVertical(from: Point, to: Point): number | null {
  const dx = to.x - from.x;
  const dy = from.y - to.y; // flip: image y grows downwards
  const n = Math.hypot(dx, dy);
  if (n < 1e-9) return null;
  return Math.acos(clamp(dy / n, -1, 1)) * RAD_TO_DEG;
}

/**
 * Lean from the vertical estimated from foreshortening: a segment of true length `reference`
 * that tilts towards or away from the camera projects to `observed` = reference * cos(lean).
 * Used in the frontal view, where forward trunk lean shows only as a shorter torso.
 */
export function leanFromForeshortening(observed: number, reference: number): number | null {
  if (!(reference > 1e-9) || !Number.isFinite(observed)) return null;
  return Math.acos(clamp(observed / reference, 0, 1)) * RAD_TO_DEG;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** a / b, or null when b is (almost) zero or either side is not finite. */
export function safeRatio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(b) < 1e-9) return null;
  return a / b;
}
