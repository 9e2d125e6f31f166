import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COCO17, FOOT_POINTS } from '@squirret/contracts';
import { sigmoid } from './anchors';
import { AUX_CENTER, AUX_SCALE, COCO_FROM_BLAZEPOSE, FOOT_FROM_BLAZEPOSE, LD3D_POINTS, LD3D_STRIDE, alignmentPoints, decodeLd3d, emptyBlazePoseOutput, toBlazePoseOutput } from './landmarks';
import { imageToCrop, roiFromAlignmentPoints } from './roi';

/** ld_3d with landmark i at crop pixel (i, 2i), z = i, visibility logit i - 20. */
function ld3d(): Float32Array {
  const raw = new Float32Array(LD3D_POINTS * LD3D_STRIDE);
  for (let i = 0; i < LD3D_POINTS; i++) raw.set([i, 2 * i, i, i - 20, 5], i * LD3D_STRIDE);
  return raw;
}

describe('COCO-17 and foot mapping from the 33 MediaPipe Pose landmarks', () => {
  it('takes the MediaPipe indices the brief lists', () => {
    assert.deepEqual(
      COCO17.map((n) => COCO_FROM_BLAZEPOSE[n]),
      [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28],
    );
    assert.deepEqual(
      FOOT_POINTS.map((n) => FOOT_FROM_BLAZEPOSE[n]),
      [29, 30, 31, 32],
    );
  });

  it('picks each keypoint and foot point from its landmark, normalised to the image, score = visibility', () => {
    const points = Array.from({ length: LD3D_POINTS }, (_, i) => ({ x: i * 10, y: i * 5, z: 4 * i, visibility: i / 40 }));
    const out = toBlazePoseOutput(points, 400, 200);
    assert.equal(out.landmarks.length, 33);
    assert.deepEqual(out.keypoints.map((k) => k.name), [...COCO17]);
    assert.deepEqual(out.feet.map((k) => k.name), [...FOOT_POINTS]);
    const lk = out.keypoints.find((k) => k.name === 'left_knee')!;
    assert.deepEqual([lk.x, lk.y, lk.score], [250 / 400, 125 / 200, 25 / 40]);
    const rt = out.feet.find((k) => k.name === 'right_foot_index')!;
    assert.deepEqual([rt.x, rt.y, rt.score], [320 / 400, 160 / 200, 32 / 40]);
    assert.equal(out.landmarks[10]!.z, 40 / 400, 'z in image widths');
  });

  it('clamps into the image and caps every score by the presence flag', () => {
    const points = Array.from({ length: LD3D_POINTS }, () => ({ x: -30, y: 900, z: 0, visibility: 0.95 }));
    const out = toBlazePoseOutput(points, 100, 100, 0.2);
    assert.ok(out.landmarks.every((l) => l.x === 0 && l.y === 1 && l.visibility === 0.2));
    assert.ok(out.keypoints.every((k) => k.score === 0.2));
  });

  it('an empty pose has every score 0 and the full shapes', () => {
    const e = emptyBlazePoseOutput();
    assert.equal(e.landmarks.length, 33);
    assert.equal(e.keypoints.length, 17);
    assert.equal(e.feet.length, 4);
    assert.ok([...e.keypoints, ...e.feet].every((k) => k.score === 0));
  });
});

describe('decodeLd3d', () => {
  it('maps crop pixels back through the ROI (a round trip with imageToCrop) and applies the sigmoid to visibility', () => {
    const roi = roiFromAlignmentPoints({ x: 120, y: 240 }, { x: 150, y: 120 });
    const out = decodeLd3d(ld3d(), roi, 256);
    assert.equal(out.length, 39);
    for (const i of [0, 7, 27, 38]) {
      const { u, v } = imageToCrop(roi, out[i]!);
      assert.ok(Math.abs(u - i / 256) < 1e-9 && Math.abs(v - (2 * i) / 256) < 1e-9, `landmark ${i}`);
      assert.ok(Math.abs(out[i]!.visibility - sigmoid(i - 20)) < 1e-12);
      assert.ok(Math.abs(out[i]!.z - (i * roi.width) / 256) < 1e-9, 'z scaled like x');
    }
    const [c, s] = alignmentPoints(out);
    assert.deepEqual(c, out[AUX_CENTER]);
    assert.deepEqual(s, out[AUX_SCALE]);
  });

  it('refuses an output of the wrong length', () => {
    assert.throws(() => decodeLd3d(new Float32Array(10), roiFromAlignmentPoints({ x: 0, y: 0 }, { x: 0, y: -10 }), 256), RangeError);
  });
});
