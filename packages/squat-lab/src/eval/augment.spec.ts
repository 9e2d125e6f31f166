import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { WIDE_AUGMENT_RANGE, applyCameraChange, augmentRecording, bodyCentre, mirrorRecording, rescaleBody, rotationMatrix, turnCamera, type BodyProportions } from './augment';
import { AI_TRAINER_JOINTS, type AiTrainerJoint, type Recording3d } from './dataset';
import { FRAME_MS } from './run';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

/** A recording of `n` frames with two joints (6 numbers per frame). */
function rec(frames: number[][]): Recording3d {
  return { recording: 'r', frames: frames.map((f) => Float64Array.from(f)) };
}

describe('rotationMatrix', () => {
  it('is the identity at zero angles', () => {
    rotationMatrix(0, 0, 0).forEach((v, i) => close(v, [1, 0, 0, 0, 1, 0, 0, 0, 1][i]!));
  });

  it('is orthonormal for any angles', () => {
    const R = rotationMatrix(17, -8, 5);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const dot = R[3 * i]! * R[3 * j]! + R[3 * i + 1]! * R[3 * j + 1]! + R[3 * i + 2]! * R[3 * j + 2]!;
        close(dot, i === j ? 1 : 0);
      }
    }
  });

  it('turns +x towards -z for a 90 degree yaw', () => {
    const R = rotationMatrix(90, 0, 0);
    // R * (1, 0, 0)
    close(R[0]!, 0);
    close(R[3]!, 0);
    close(R[6]!, -1);
  });
});

describe('applyCameraChange', () => {
  it('leaves a recording unchanged with no rotation and the same distance', () => {
    const r = rec([[1, 2, 300, 4, 5, 310]]);
    const out = applyCameraChange(r, { rotation: rotationMatrix(0, 0, 0), pivot: [0, 0, 300], distance: 1 });
    assert.deepEqual([...out.frames[0]!], [1, 2, 300, 4, 5, 310]);
  });

  it('rotates about the pivot and scales only the pivot depth', () => {
    const r = rec([[10, 0, 300, 0, 0, 300]]);
    const out = applyCameraChange(r, { rotation: rotationMatrix(90, 0, 0), pivot: [0, 0, 300], distance: 1.5 });
    const f = out.frames[0]!;
    close(f[0]!, 0);
    close(f[2]!, 450 - 10);
    // the pivot itself only moves back
    close(f[3]!, 0);
    close(f[5]!, 450);
  });

  it('keeps a missing joint missing', () => {
    const r = rec([[NaN, NaN, NaN, 0, 0, 300]]);
    const out = applyCameraChange(r, { rotation: rotationMatrix(5, 5, 5), pivot: [0, 0, 300], distance: 1 });
    assert.ok(Number.isNaN(out.frames[0]![0]!));
    assert.ok(Number.isFinite(out.frames[0]![3]!));
  });
});

describe('augmentRecording', () => {
  const r = rec([
    [0, -50, 300, 10, 50, 305],
    [1, -40, 301, 11, 50, 306],
    [NaN, NaN, NaN, 12, 50, 307],
  ]);

  it('takes the median of the triangulated joints as the body centre', () => {
    assert.deepEqual(bodyCentre(r), [10, 50, 305]);
  });

  it('makes the asked number of copies, the same for the same seed and different for another', () => {
    const a = augmentRecording(r, 3, 42);
    const b = augmentRecording(r, 3, 42);
    const c = augmentRecording(r, 3, 43);
    assert.equal(a.length, 3);
    assert.deepEqual(a.map((x) => x.frames.map((f) => [...f])), b.map((x) => x.frames.map((f) => [...f])));
    assert.notDeepEqual(a[0]!.frames.map((f) => [...f]), c[0]!.frames.map((f) => [...f]));
    assert.equal(a[0]!.frames.length, 3);
    assert.equal(a[0]!.recording, 'r');
  });

  it('moves the points only a little (a small camera change)', () => {
    for (const copy of augmentRecording(r, 5, 7)) {
      const f = copy.frames[0]!;
      assert.ok(Math.abs(f[0]! - 0) < 30 && Math.abs(f[1]! + 50) < 30, `moved too far: ${[...f].join(',')}`);
      assert.ok(f[2]! > 200 && f[2]! < 420);
    }
  });
});

describe('augmentRecording with the wide range', () => {
  it('moves the camera further than the default range, and stays within its own', () => {
    // two shoulders 40 apart across the image, centred on the body: a yaw of a shrinks the width by cos(a)
    const r = rec([[-20, 0, 300, 20, 0, 300]]);
    const widths = augmentRecording(r, 40, 3, WIDE_AUGMENT_RANGE).map((c) => Math.hypot(c.frames[0]![3]! - c.frames[0]![0]!, c.frames[0]![4]! - c.frames[0]![1]!));
    const cosMax = Math.cos((WIDE_AUGMENT_RANGE.yawDeg * Math.PI) / 180);
    // roll keeps the 3D length; yaw and pitch shorten the projected x-y extent
    for (const w of widths) assert.ok(w <= 40 + 1e-9 && w >= 40 * cosMax * Math.cos((WIDE_AUGMENT_RANGE.pitchDeg * Math.PI) / 180) - 1e-6, `width ${w}`);
    assert.ok(Math.min(...widths) < 40 * Math.cos((12 * Math.PI) / 180), 'some copy is turned beyond the default 12 degrees');
  });
});

describe('turnCamera', () => {
  const r = rec([
    [-20, 0, 300, 20, 0, 300],
    [-20, 10, 300, 20, 10, 300],
  ]);

  it('is the identity at 0 degrees', () => {
    assert.deepEqual(turnCamera(r, 0).frames.map((f) => [...f]), r.frames.map((f) => [...f]));
  });

  it('turns the body round its centre: at 90 degrees a left-right pair lines up along the depth axis', () => {
    const f = turnCamera(r, 90).frames[0]!;
    close(f[0]!, 0, 1e-9);
    close(f[3]!, 0, 1e-9);
    close(Math.abs(f[5]! - f[2]!), 40, 1e-9);
  });

  it('shrinks a left-right width by cos(yaw), the same from either side', () => {
    for (const deg of [30, -30]) {
      const f = turnCamera(r, deg).frames[0]!;
      close(Math.abs(f[3]! - f[0]!), 40 * Math.cos(Math.PI / 6), 1e-9);
    }
  });
});

describe('rescaleBody', () => {
  const ONE: BodyProportions = { shin: 1, thigh: 1, hipWidth: 1, torso: 1, shoulderWidth: 1, upperArm: 1, forearm: 1, head: 1 };
  /** A crouched 19-joint body (x right, y down, z away from the camera), every joint present. */
  function body(): Float64Array {
    const p: Partial<Record<AiTrainerJoint, [number, number, number]>> = {
      nose: [0, -60, 300], mouth_left: [2, -57, 299], mouth_right: [-2, -57, 299],
      left_shoulder: [15, -40, 305], right_shoulder: [-15, -40, 305],
      left_elbow: [22, -15, 300], right_elbow: [-22, -15, 300], left_wrist: [20, 5, 290], right_wrist: [-20, 5, 290],
      left_hip: [10, 10, 320], right_hip: [-10, 10, 320], left_knee: [14, 30, 290], right_knee: [-14, 30, 290],
      left_ankle: [12, 70, 305], right_ankle: [-12, 70, 305], left_heel: [12, 74, 310], right_heel: [-12, 74, 310],
      left_foot_index: [13, 76, 292], right_foot_index: [-13, 76, 292],
    };
    return Float64Array.from(AI_TRAINER_JOINTS.flatMap((n) => p[n]!));
  }
  const pt = (f: Float64Array, n: AiTrainerJoint): number[] => {
    const i = 3 * AI_TRAINER_JOINTS.indexOf(n);
    return [f[i]!, f[i + 1]!, f[i + 2]!];
  };
  const sub = (a: number[], b: number[]): number[] => a.map((v, i) => v - b[i]!);
  const len = (v: number[]): number => Math.hypot(...v);
  const angle = (a: number[], b: number[], c: number[]): number => {
    const [u, v] = [sub(a, b), sub(c, b)];
    return Math.acos(u.reduce((s, x, i) => s + x * v[i]!, 0) / (len(u) * len(v)));
  };

  it('is the identity with every factor 1', () => {
    const f = body();
    const out = rescaleBody({ recording: 'r', frames: [f] }, ONE).frames[0]!;
    out.forEach((v, i) => close(v, f[i]!));
  });

  it('keeps the feet, scales the shin and thigh, and keeps the knee angle', () => {
    const f = body();
    const out = rescaleBody({ recording: 'r', frames: [f] }, { ...ONE, shin: 1.1, thigh: 0.9 }).frames[0]!;
    for (const n of ['left_ankle', 'right_ankle', 'left_heel', 'left_foot_index'] as const) pt(out, n).forEach((v, i) => close(v, pt(f, n)[i]!));
    close(len(sub(pt(out, 'left_knee'), pt(out, 'left_ankle'))), 1.1 * len(sub(pt(f, 'left_knee'), pt(f, 'left_ankle'))));
    // the hips keep their width about the midpoint of what both legs give, so the thigh is scaled closely, not exactly
    close(len(sub(pt(out, 'left_hip'), pt(out, 'left_knee'))), 0.9 * len(sub(pt(f, 'left_hip'), pt(f, 'left_knee'))), 0.01 * len(sub(pt(f, 'left_hip'), pt(f, 'left_knee'))));
    close(angle(pt(out, 'left_hip'), pt(out, 'left_knee'), pt(out, 'left_ankle')), angle(pt(f, 'left_hip'), pt(f, 'left_knee'), pt(f, 'left_ankle')), (1 * Math.PI) / 180);
  });

  it('scales the torso from the hips and the widths about their midpoints', () => {
    const f = body();
    const out = rescaleBody({ recording: 'r', frames: [f] }, { ...ONE, torso: 1.2, shoulderWidth: 0.8, hipWidth: 1.1 }).frames[0]!;
    const mid = (g: Float64Array, a: AiTrainerJoint, b: AiTrainerJoint): number[] => pt(g, a).map((v, i) => (v + pt(g, b)[i]!) / 2);
    const torso = (g: Float64Array): number => len(sub(mid(g, 'left_shoulder', 'right_shoulder'), mid(g, 'left_hip', 'right_hip')));
    close(torso(out), 1.2 * torso(f));
    close(len(sub(pt(out, 'left_shoulder'), pt(out, 'right_shoulder'))), 0.8 * len(sub(pt(f, 'left_shoulder'), pt(f, 'right_shoulder'))));
    close(len(sub(pt(out, 'left_hip'), pt(out, 'right_hip'))), 1.1 * len(sub(pt(f, 'left_hip'), pt(f, 'right_hip'))));
    // the arms and the head move with the shoulders, their own lengths unchanged
    close(len(sub(pt(out, 'left_wrist'), pt(out, 'left_elbow'))), len(sub(pt(f, 'left_wrist'), pt(f, 'left_elbow'))));
    close(len(sub(pt(out, 'nose'), mid(out, 'left_shoulder', 'right_shoulder'))), len(sub(pt(f, 'nose'), mid(f, 'left_shoulder', 'right_shoulder'))));
  });

  it('keeps a missing joint missing and moves a joint whose parent is missing with the parent', () => {
    const f = body();
    const k = 3 * AI_TRAINER_JOINTS.indexOf('left_knee');
    f[k] = f[k + 1] = f[k + 2] = NaN;
    const out = rescaleBody({ recording: 'r', frames: [f] }, { ...ONE, shin: 1.2 }).frames[0]!;
    assert.ok(Number.isNaN(out[k]!));
    // no shin measurable on the left: the left hip gets no shin displacement of its own (only the mid-hip average)
    pt(out, 'right_knee').forEach((v, i) => assert.ok(Number.isFinite(v) && (i !== 1 || v !== pt(f, 'right_knee')[1])));
    assert.ok(pt(out, 'left_hip').every(Number.isFinite));
  });

  it('gives other bodies in the copies when the range asks for proportions, and leaves them as they were otherwise', () => {
    const r: Recording3d = { recording: 'r', frames: [body(), body()] };
    const plain = augmentRecording(r, 2, 9, WIDE_AUGMENT_RANGE);
    const again = augmentRecording(r, 2, 9, { ...WIDE_AUGMENT_RANGE, proportions: 0 });
    plain.forEach((c, i) => c.frames[0]!.forEach((v, j) => close(v, again[i]!.frames[0]![j]!)));
    const other = augmentRecording(r, 2, 9, { ...WIDE_AUGMENT_RANGE, proportions: 0.1 });
    const shin = (g: Float64Array): number => len(sub(pt(g, 'left_knee'), pt(g, 'left_ankle')));
    assert.ok(other.some((c, i) => Math.abs(shin(c.frames[0]!) / shin(plain[i]!.frames[0]!) - 1) > 1e-3), 'shin length changed');
  });

  it('plays the copies at another pace, within [1 / tempo, tempo] of the capture rate, only when the range asks for it', () => {
    const r: Recording3d = { recording: 'r', frames: [body()] };
    assert.ok(augmentRecording(r, 3, 4, WIDE_AUGMENT_RANGE).every((c) => c.frameMs === undefined));
    const paced = augmentRecording(r, 20, 4, { ...WIDE_AUGMENT_RANGE, tempo: 1.3 });
    for (const c of paced) assert.ok(c.frameMs! >= FRAME_MS / 1.3 - 1e-9 && c.frameMs! <= FRAME_MS * 1.3 + 1e-9, String(c.frameMs));
    assert.ok(paced.some((c) => c.frameMs! < FRAME_MS) && paced.some((c) => c.frameMs! > FRAME_MS), 'both faster and slower');
    assert.deepEqual(paced.map((c) => c.frameMs), augmentRecording(r, 20, 4, { ...WIDE_AUGMENT_RANGE, tempo: 1.3 }).map((c) => c.frameMs));
  });
});

describe('mirrorRecording', () => {
  const at = (r: Recording3d, frame: number, joint: AiTrainerJoint): number[] => {
    const j = 3 * AI_TRAINER_JOINTS.indexOf(joint);
    return [...r.frames[frame]!.slice(j, j + 3)];
  };
  const rec: Recording3d = {
    recording: 'recording_01012023_000000',
    frames: [0, 1].map((f) => Float64Array.from({ length: AI_TRAINER_JOINTS.length * 3 }, (_, i) => (i % 3 === 2 ? 300 + i : i * 1.5 - 20 + f))),
  };

  it('negates x, keeps y and z, and swaps each left joint with its right one (the nose stays)', () => {
    const m = mirrorRecording(rec);
    for (const [a, b] of [['left_knee', 'right_knee'], ['right_heel', 'left_heel'], ['mouth_left', 'mouth_right'], ['left_foot_index', 'right_foot_index'], ['nose', 'nose']] as const) {
      const [x, y, z] = at(rec, 1, b);
      assert.deepEqual(at(m, 1, a), [-x!, y, z], `${a} <- ${b}`);
    }
  });

  it('is its own inverse, and a missing joint stays missing', () => {
    const holed: Recording3d = { ...rec, frames: rec.frames.map((f) => Float64Array.from(f, (v, i) => (i < 3 * 4 && i >= 3 * 3 ? NaN : v))) };
    const twice = mirrorRecording(mirrorRecording(holed));
    assert.deepEqual(twice.frames.map((f) => [...f]), holed.frames.map((f) => [...f]));
    assert.ok(Number.isNaN(at(mirrorRecording(holed), 0, 'right_shoulder')[0]!), 'left_shoulder was missing, so its mirror is');
  });

  it("mirrors every second copy with mirror 'alternate', and only those", () => {
    const plain = augmentRecording(rec, 4, 11);
    const mixed = augmentRecording(rec, 4, 11, undefined, 'alternate');
    assert.deepEqual(mixed.map((c, i) => [...c.frames[0]!].every((v, k) => v === (i % 2 === 1 ? mirrorRecording(plain[i]!) : plain[i]!).frames[0]![k])), [true, true, true, true]);
    assert.notDeepEqual([...mixed[1]!.frames[0]!], [...plain[1]!.frames[0]!]);
  });
});
