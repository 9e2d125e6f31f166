// Test support: checks on a pose that any correct MoveNet output must pass.
import assert from 'node:assert/strict';
import { COCO17, type Keypoint, type KeypointName } from '@squirret/contracts';
import { PoseError, type PoseErrorCode } from '../pose.errors';

/** 17 keypoints in COCO order, every score and coordinate a finite number in [0, 1]. */
export function assertWellFormedPose(keypoints: readonly Keypoint[], label: string): void {
  assert.deepEqual(
    keypoints.map((k) => k.name),
    [...COCO17],
    `${label}: names`,
  );
  for (const k of keypoints) {
    for (const [field, v] of [
      ['x', k.x],
      ['y', k.y],
      ['score', k.score],
    ] as const) {
      assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, `${label}: ${k.name}.${field} = ${v}`);
    }
  }
}

export function byName(keypoints: readonly Keypoint[]): Record<KeypointName, Keypoint> {
  return Object.fromEntries(keypoints.map((k) => [k.name, k])) as Record<KeypointName, Keypoint>;
}

export const meanScore = (keypoints: readonly Keypoint[]): number =>
  keypoints.reduce((sum, k) => sum + k.score, 0) / keypoints.length;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Largest |difference| of x, y and score between two poses of the same frame. */
export function maxPoseDifference(a: readonly Keypoint[], b: readonly Keypoint[]): number {
  assert.equal(a.length, b.length);
  return Math.max(
    ...a.map((k, i) => {
      const o = b[i];
      assert.ok(o !== undefined && o.name === k.name);
      return Math.max(Math.abs(k.x - o.x), Math.abs(k.y - o.y), Math.abs(k.score - o.score));
    }),
  );
}

/** Awaits `promise`, asserts it rejects with a PoseError of `code`, and returns that error. */
export async function rejectsWith(promise: Promise<unknown>, code: PoseErrorCode): Promise<PoseError> {
  let caught: PoseError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PoseError, `expected a PoseError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    caught = error;
    return true;
  });
  return caught as PoseError;
}
