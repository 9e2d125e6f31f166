import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Keypoint, KeypointName } from '@squirret/contracts';
import { cocoIndex, computeFeatures, detectView, frameLengths, type BodyReference, type Pose } from './features';
import { squatPose, type PoseOptions } from './testing/squat-pose.factory';

/** Builder: a smoothed pose straight from synthetic keypoints (scores below 0.3 are absent). */
function poseOf(kps: readonly Keypoint[]): Pose {
  return kps.map((k) => ({ x: k.x, y: k.y, score: k.score, present: k.score >= 0.3 }));
}

function referenceOf(o: PoseOptions = {}): BodyReference {
  const l = frameLengths(poseOf(squatPose({ ...o, t: 0 })))!;
  return { ...l };
}

const near = (v: number | null, expected: number, eps: number): void => {
  assert.ok(v !== null, `expected ~${expected}, got null`);
  assert.ok(Math.abs(v - expected) <= eps, `expected ${expected} ± ${eps}, got ${v}`);
};

describe('cocoIndex', () => {
  it('follows MoveNet order', () => {
    assert.equal(cocoIndex('nose'), 0);
    assert.equal(cocoIndex('left_hip'), 11);
    assert.equal(cocoIndex('right_ankle'), 16);
  });
});

describe('frameLengths', () => {
  it('measures the standing person', () => {
    const l = frameLengths(poseOf(squatPose({ t: 0 })))!;
    near(l.legHeight, 0.41, 1e-9);
    near(l.shinHeight, 0.2, 1e-9);
    near(l.thighHeight, 0.21, 1e-9);
    near(l.torsoLength, 0.3, 1e-9);
    near(l.ankleY, 0.9, 1e-9);
    near(l.ankleWidth, 0.14, 1e-9);
  });

  it('is null without hips or ankles', () => {
    const kps = squatPose({ lowScore: ['left_ankle', 'right_ankle'] });
    assert.equal(frameLengths(poseOf(kps)), null);
  });

  it('uses the visible side alone when one side is hidden', () => {
    const hidden: KeypointName[] = ['right_hip', 'right_knee', 'right_ankle', 'right_shoulder'];
    const l = frameLengths(poseOf(squatPose({ lowScore: hidden })))!;
    near(l.legHeight, 0.41, 1e-9);
    assert.equal(l.ankleWidth, null);
  });
});

describe('detectView', () => {
  it('sees a front view', () => {
    assert.equal(detectView(poseOf(squatPose({ view: 'front' })), null, 'unknown'), 'front');
  });
  it('sees a side view', () => {
    assert.equal(detectView(poseOf(squatPose({ view: 'side' })), null, 'unknown'), 'side');
  });
  it('keeps the front view when the torso foreshortens in a deep forward lean', () => {
    const ref = referenceOf();
    assert.equal(detectView(poseOf(squatPose({ t: 1, extraLean: 35 })), ref, 'front'), 'front');
  });
  it('keeps the previous view without shoulders or hips', () => {
    const kps = squatPose({ lowScore: ['left_shoulder', 'right_shoulder'] });
    assert.equal(detectView(poseOf(kps), null, 'side'), 'side');
  });
  it('calls it a side view when one whole side is hidden', () => {
    const kps = squatPose({ lowScore: ['right_shoulder', 'right_hip'] });
    assert.equal(detectView(poseOf(kps), null, 'unknown'), 'side');
  });
});

describe('computeFeatures (front view)', () => {
  const ref = referenceOf();

  it('gives ~zero depth, lean and rise when standing', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 0 })), ref, 'front');
    near(f.depth, 0, 1e-9);
    near(f.trunkLean, 0, 1e-6);
    near(f.ankleRise, 0, 1e-9);
    near(f.heelLift, 0, 1e-9);
    near(f.shinRatio, 1, 1e-9);
    near(f.torsoRatio, 1, 1e-9);
    near(f.ankleSpread, 1, 1e-9);
    assert.ok(f.kneeAngleLeft! > 170, 'legs nearly straight');
  });

  it('measures apparent widths, arm carriage and head height of the standing pose', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 0 })), ref, 'front');
    near(f.shoulderWidthN, 0.16 / 0.41, 1e-9);
    near(f.hipWidthN, 0.1 / 0.41, 1e-9);
    near(f.kneeWidthN, 0.14 / 0.41, 1e-9);
    near(f.shoulderHipWidth, 1.6, 1e-9);
    near(f.shoulderShift, 0, 1e-9);
    near(f.wristDrop, 0.05 / 0.3, 1e-9);
    near(f.elbowDrop, 0.08 / 0.3, 1e-9);
    near(f.wristShoulderWidth, 0.5, 1e-9);
    assert.ok(f.headRatio !== null && f.headRatio > 0, 'nose above the shoulders');
  });

  it('leaves the width features null outside a front view', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 0 })), ref, 'side');
    assert.equal(f.shoulderWidthN, null);
    assert.equal(f.shoulderHipWidth, null);
    assert.equal(f.wristShoulderWidth, null);
  });

  it('measures depth as the hip drop over the standing hip height', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 1 })), ref, 'front');
    const hipHeight = 0.2 * Math.cos((30 * Math.PI) / 180) + 0.21 * Math.cos((85 * Math.PI) / 180);
    near(f.depth, 1 - hipHeight / 0.41, 1e-9);
  });

  it('recovers the trunk lean from foreshortening', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 1 })), ref, 'front');
    near(f.trunkLean, 45, 1e-6);
    const g = computeFeatures(poseOf(squatPose({ t: 1, extraLean: 25 })), ref, 'front');
    near(g.trunkLean, 70, 1e-6);
  });

  it('measures knee width over ankle width (valgus below 1)', () => {
    const good = computeFeatures(poseOf(squatPose({ t: 1 })), ref, 'front');
    near(good.kneeAnkleWidth, 0.18 / 0.14, 1e-9);
    const caving = computeFeatures(poseOf(squatPose({ t: 1, valgus: 0.06 })), ref, 'front');
    near(caving.kneeAnkleWidth, 0.06 / 0.14, 1e-9);
  });

  it('measures the ankle rise in hip heights and in shin heights', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 1, ankleLift: 0.02 })), ref, 'front');
    near(f.ankleRise, 0.02 / 0.41, 1e-9);
    near(f.heelLift, 0.02 / 0.2, 1e-9);
  });

  it('does not depend on where the person stands in the frame', () => {
    const a = computeFeatures(poseOf(squatPose({ t: 0.8, cx: 0.3 })), referenceOf({ cx: 0.3 }), 'front');
    const b = computeFeatures(poseOf(squatPose({ t: 0.8, cx: 0.7 })), referenceOf({ cx: 0.7 }), 'front');
    for (const k of ['depth', 'trunkLean', 'kneeAnkleWidth', 'shinRatio', 'kneeAngleLeft'] as const) near(a[k], b[k]!, 1e-9);
  });

  it('has no ratios before the reference exists, but still has angles', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 1 })), null, 'front');
    assert.equal(f.depth, null);
    assert.equal(f.trunkLean, null);
    assert.equal(f.ankleRise, null);
    assert.ok(f.kneeAngleLeft !== null);
  });

  it('has no width features when a knee is not confident', () => {
    const f = computeFeatures(poseOf(squatPose({ t: 1, lowScore: ['left_knee'] })), ref, 'front');
    assert.equal(f.kneeAnkleWidth, null);
    assert.equal(f.kneeAngleLeft, null);
    assert.ok(f.kneeAngleRight !== null);
    assert.equal(f.kneeAngle, f.kneeAngleRight);
  });
});

describe('computeFeatures (side view)', () => {
  const ref = referenceOf({ view: 'side' });

  it('measures the true knee angle and trunk lean', () => {
    const f = computeFeatures(poseOf(squatPose({ view: 'side', t: 1 })), ref, 'side');
    // knee angle = 180 - (shin tilt + thigh tilt) = 180 - (30 + 85)
    near(f.kneeAngle, 65, 1e-6);
    near(f.trunkLean, 45, 1e-6);
  });

  it('has no frontal width features', () => {
    const f = computeFeatures(poseOf(squatPose({ view: 'side', t: 1 })), ref, 'side');
    assert.equal(f.kneeAnkleWidth, null);
    assert.equal(f.kneeHipWidth, null);
  });

  it('measures depth the same way as in the front view', () => {
    const side = computeFeatures(poseOf(squatPose({ view: 'side', t: 1 })), ref, 'side');
    const front = computeFeatures(poseOf(squatPose({ t: 1 })), referenceOf(), 'front');
    near(side.depth, front.depth!, 1e-9);
  });
});
