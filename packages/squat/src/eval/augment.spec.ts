import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { WIDE_AUGMENT_RANGE, applyCameraChange, augmentRecording, bodyCentre, rotationMatrix, turnCamera } from './augment';
import type { Recording3d } from './dataset';

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
