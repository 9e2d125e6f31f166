import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropToImage, imageToCrop, isUsableRoi, letterboxRoi, normalizeRadians, roiFromAlignmentPoints } from './roi';

const close = (a: number, b: number, eps = 1e-9, what = ''): void => assert.ok(Math.abs(a - b) < eps, `${what} ${a} vs ${b}`);

describe('roiFromAlignmentPoints', () => {
  it('an upright person: no rotation, centred on the hips, side 2 x distance x 1.25', () => {
    const r = roiFromAlignmentPoints({ x: 100, y: 200 }, { x: 100, y: 120 });
    close(r.rotation, 0);
    assert.deepEqual([r.cx, r.cy], [100, 200]);
    close(r.width, 2 * 80 * 1.25);
    close(r.height, r.width);
  });

  it('a person lying with the head to the right is rotated +90° (crop up = image right), to the left -90°, upside down 180°', () => {
    close(roiFromAlignmentPoints({ x: 0, y: 0 }, { x: 10, y: 0 }).rotation, Math.PI / 2);
    close(roiFromAlignmentPoints({ x: 0, y: 0 }, { x: -10, y: 0 }).rotation, -Math.PI / 2);
    close(Math.abs(roiFromAlignmentPoints({ x: 0, y: 0 }, { x: 0, y: 10 }).rotation), Math.PI);
  });

  it('maps the scale point to the top centre of the crop at 1/1.25 of the half side (the crop is "up")', () => {
    for (const scale of [
      { x: 130, y: 40 },
      { x: 60, y: 260 },
      { x: 10, y: 100 },
    ]) {
      const roi = roiFromAlignmentPoints({ x: 100, y: 100 }, scale);
      const { u, v } = imageToCrop(roi, scale);
      close(u, 0.5, 1e-9, 'u');
      close(v, 0.5 - 0.5 / 1.25, 1e-9, 'v');
    }
  });
});

describe('cropToImage / imageToCrop', () => {
  it('round-trip through rotated ROIs', () => {
    const rois = [
      { cx: 120, cy: 210, width: 300, height: 300, rotation: 0 },
      { cx: 50, cy: -20, width: 80, height: 120, rotation: 0.7 },
      { cx: 640, cy: 360, width: 500, height: 500, rotation: -2.9 },
    ];
    for (const roi of rois) {
      for (const [u, v] of [
        [0, 0],
        [1, 1],
        [0.3, 0.8],
        [-0.2, 1.4],
      ] as const) {
        const p = cropToImage(roi, u, v);
        const back = imageToCrop(roi, p);
        close(back.u, u, 1e-9, 'u');
        close(back.v, v, 1e-9, 'v');
      }
    }
  });

  it('the crop centre is the ROI centre and a 90° ROI turns the crop right into image down', () => {
    const roi = { cx: 10, cy: 20, width: 100, height: 100, rotation: Math.PI / 2 };
    const c = cropToImage(roi, 0.5, 0.5);
    close(c.x, 10);
    close(c.y, 20);
    const right = cropToImage(roi, 1, 0.5);
    close(right.x, 10);
    close(right.y, 70);
  });

  it('the letterbox ROI of a portrait frame spans its height and pads its width equally', () => {
    const roi = letterboxRoi(240, 427);
    const tl = cropToImage(roi, 0, 0);
    const br = cropToImage(roi, 1, 1);
    close(tl.y, 0);
    close(br.y, 427);
    close(tl.x, -(427 - 240) / 2);
    close(br.x, 240 + (427 - 240) / 2);
  });
});

describe('normalizeRadians / isUsableRoi', () => {
  it('wraps into [-π, π)', () => {
    close(normalizeRadians(3 * Math.PI), -Math.PI, 1e-9);
    close(normalizeRadians(Math.PI), -Math.PI, 1e-9);
    close(normalizeRadians(-Math.PI / 2 - 2 * Math.PI), -Math.PI / 2, 1e-9);
    close(normalizeRadians(0.25), 0.25);
  });

  it('refuses degenerate and non-finite ROIs (tracking lost)', () => {
    assert.equal(isUsableRoi({ cx: 1, cy: 1, width: 100, height: 100, rotation: 0 }), true);
    assert.equal(isUsableRoi({ cx: 1, cy: 1, width: 2, height: 2, rotation: 0 }), false);
    assert.equal(isUsableRoi({ cx: Number.NaN, cy: 1, width: 100, height: 100, rotation: 0 }), false);
    assert.equal(isUsableRoi({ cx: 1, cy: 1, width: Infinity, height: 100, rotation: 0 }), false);
  });
});
