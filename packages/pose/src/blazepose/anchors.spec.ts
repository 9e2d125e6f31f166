import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLAZEPOSE_DETECTOR_ANCHORS, DETECTOR_VALUES_PER_ANCHOR, decodeBestDetection, generateAnchors, sigmoid } from './anchors';

/** A detector output with every score logit at `floor` and the given anchors' rows set. */
function detectorOutput(anchors: number, rows: Record<number, number[]>, floor = -20): Float32Array {
  const raw = new Float32Array(anchors * DETECTOR_VALUES_PER_ANCHOR);
  for (let i = 0; i < anchors; i++) raw[i * DETECTOR_VALUES_PER_ANCHOR] = floor;
  for (const [i, row] of Object.entries(rows)) raw.set(row, Number(i) * DETECTOR_VALUES_PER_ANCHOR);
  return raw;
}

describe('generateAnchors (BlazePose detector, 224 input)', () => {
  const anchors = generateAnchors();

  it('makes the 2254 anchors the detector output has', () => {
    assert.equal(anchors.length, 2254);
    assert.equal(anchors.length, 28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6);
  });

  it('lays the stride-8 grid out row by row, two anchors per cell, centred in the cell', () => {
    assert.deepEqual(anchors[0], { x: 0.5 / 28, y: 0.5 / 28 });
    assert.deepEqual(anchors[1], anchors[0]);
    assert.deepEqual(anchors[2], { x: 1.5 / 28, y: 0.5 / 28 });
    assert.deepEqual(anchors[2 * 28], { x: 0.5 / 28, y: 1.5 / 28 });
    assert.deepEqual(anchors[28 * 28 * 2 - 1], { x: 27.5 / 28, y: 27.5 / 28 });
  });

  it('merges the three stride-32 layers into one 7x7 grid with six anchors per cell', () => {
    const start = 28 * 28 * 2 + 14 * 14 * 2;
    assert.deepEqual(anchors[start], { x: 0.5 / 7, y: 0.5 / 7 });
    assert.deepEqual(anchors[start + 5], { x: 0.5 / 7, y: 0.5 / 7 });
    assert.deepEqual(anchors[start + 6], { x: 1.5 / 7, y: 0.5 / 7 });
    assert.deepEqual(anchors.at(-1), { x: 6.5 / 7, y: 6.5 / 7 });
  });

  it('honours another layout', () => {
    const small = generateAnchors({ ...BLAZEPOSE_DETECTOR_ANCHORS, inputSize: 64, strides: [32], anchorsPerLayer: 1 });
    assert.deepEqual(small, [
      { x: 0.25, y: 0.25 },
      { x: 0.75, y: 0.25 },
      { x: 0.25, y: 0.75 },
      { x: 0.75, y: 0.75 },
    ]);
  });
});

describe('decodeBestDetection', () => {
  const anchors = generateAnchors();

  it('picks the highest logit and decodes box and keypoints relative to its anchor (offsets in input pixels)', () => {
    const i = 28 * 28 * 2 + 14 * 14 * 2 + 24 * 6; // the centre cell of the 7x7 grid
    const a = anchors[i]!;
    assert.deepEqual(a, { x: 0.5, y: 0.5 });
    const raw = detectorOutput(anchors.length, {
      [i]: [3, 22.4, -11.2, 112, 56, 0, 44.8, 0, -44.8, 0, 0, 0, 0],
      [i + 1]: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    const d = decodeBestDetection(raw, anchors)!;
    assert.ok(Math.abs(d.score - sigmoid(3)) < 1e-9);
    assert.ok(Math.abs(d.box.cx - 0.6) < 1e-6 && Math.abs(d.box.cy - 0.45) < 1e-6);
    assert.ok(Math.abs(d.box.w - 0.5) < 1e-6 && Math.abs(d.box.h - 0.25) < 1e-6);
    assert.equal(d.keypoints.length, 4);
    assert.ok(Math.abs(d.keypoints[0]!.x - 0.5) < 1e-6 && Math.abs(d.keypoints[0]!.y - 0.7) < 1e-6, 'hip centre');
    assert.ok(Math.abs(d.keypoints[1]!.x - 0.5) < 1e-6 && Math.abs(d.keypoints[1]!.y - 0.3) < 1e-6, 'scale point');
  });

  it('finds no one when the best score is under the threshold', () => {
    const raw = detectorOutput(anchors.length, { 10: [-0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    assert.equal(decodeBestDetection(raw, anchors, 0.5), undefined);
    assert.ok(decodeBestDetection(raw, anchors, 0.4) !== undefined);
  });

  it('clips huge logits instead of overflowing, and treats NaN scores as no one', () => {
    const big = decodeBestDetection(detectorOutput(anchors.length, { 5: [1e9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }), anchors)!;
    assert.equal(big.score, sigmoid(100));
    assert.equal(decodeBestDetection(detectorOutput(anchors.length, {}, Number.NaN), anchors), undefined);
  });

  it('refuses an output of the wrong length', () => {
    assert.throws(() => decodeBestDetection(new Float32Array(13), anchors), RangeError);
  });
});
