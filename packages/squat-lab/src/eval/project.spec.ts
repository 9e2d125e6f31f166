import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AI_TRAINER_JOINTS } from './dataset';
import { CAMERA, COCO_FROM_AI_TRAINER, projectFeet, projectFrame } from './project';

/** Builder: a 3D frame with every joint at (x, y, z), overridable per joint. */
function frame3d(fill: [number, number, number], overrides: Partial<Record<(typeof AI_TRAINER_JOINTS)[number], [number, number, number]>> = {}): Float64Array {
  const a = new Float64Array(AI_TRAINER_JOINTS.length * 3);
  AI_TRAINER_JOINTS.forEach((j, i) => {
    const [x, y, z] = overrides[j] ?? fill;
    a[3 * i] = x;
    a[3 * i + 1] = y;
    a[3 * i + 2] = z;
  });
  return a;
}

describe('projectFrame', () => {
  it('puts a point on the optical axis at the centre of the frame', () => {
    const kps = projectFrame(frame3d([0, 0, 200]));
    const nose = kps[0]!;
    assert.equal(nose.name, 'nose');
    assert.equal(nose.x, 0.5);
    assert.equal(nose.y, 0.5);
    assert.equal(nose.score, 1);
  });

  it('divides by depth (pinhole) and maps to normalised pixels', () => {
    const kps = projectFrame(frame3d([0, 0, 200], { left_hip: [20, -40, 200] }));
    const hip = kps.find((k) => k.name === 'left_hip')!;
    assert.ok(Math.abs(hip.x - (CAMERA.focalPx * 0.1 + 540) / 1080) < 1e-12);
    assert.ok(Math.abs(hip.y - (CAMERA.focalPx * -0.2 + 960) / 1920) < 1e-12);
  });

  it('halves the offset from the centre at twice the depth', () => {
    const near = projectFrame(frame3d([10, 10, 100]))[0]!;
    const far = projectFrame(frame3d([10, 10, 200]))[0]!;
    assert.ok(Math.abs(far.x - 0.5 - (near.x - 0.5) / 2) < 1e-12);
  });

  it('gives eyes and ears score 0 and keeps the COCO names and order', () => {
    const kps = projectFrame(frame3d([1, 1, 200]));
    assert.equal(kps.length, 17);
    for (const n of ['left_eye', 'right_eye', 'left_ear', 'right_ear'] as const) {
      assert.equal(kps.find((k) => k.name === n)!.score, 0);
      assert.equal(COCO_FROM_AI_TRAINER[n], null);
    }
  });

  it('marks missing (NaN) or non-positive-depth joints with score 0', () => {
    const kps = projectFrame(frame3d([1, 1, 200], { left_knee: [Number.NaN, Number.NaN, Number.NaN], right_knee: [1, 1, 0] }));
    assert.equal(kps.find((k) => k.name === 'left_knee')!.score, 0);
    assert.equal(kps.find((k) => k.name === 'right_knee')!.score, 0);
    assert.equal(kps.find((k) => k.name === 'left_ankle')!.score, 1);
  });
});

describe('projectFeet', () => {
  it('projects the heels and toes like the other joints, in FOOT_POINTS order', () => {
    const f = projectFeet(frame3d([0, 0, 200], { left_heel: [20, -40, 200], right_foot_index: [Number.NaN, 0, 200] }));
    assert.deepEqual(f.map((k) => k.name), ['left_heel', 'right_heel', 'left_foot_index', 'right_foot_index']);
    const same = projectFrame(frame3d([0, 0, 200], { left_hip: [20, -40, 200] })).find((k) => k.name === 'left_hip')!;
    assert.equal(f[0]!.x, same.x);
    assert.equal(f[0]!.y, same.y);
    assert.equal(f[1]!.score, 1);
    assert.equal(f[3]!.score, 0);
  });
});
