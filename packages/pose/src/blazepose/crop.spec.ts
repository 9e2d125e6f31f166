import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropToTensor, type RgbImage } from './crop';
import { letterboxRoi } from './roi';

/** An image whose red channel is x, green y and blue a constant: every pixel says where it is. */
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 200], (y * width + x) * 3);
  return { data, width, height };
}

const at = (t: Float32Array, size: number, col: number, row: number): number[] => [...t.subarray((row * size + col) * 3, (row * size + col) * 3 + 3)];

describe('cropToTensor', () => {
  it('an unrotated ROI the size of the output copies the pixels, scaled to the range', () => {
    const img = gradient(16, 16);
    const t = cropToTensor(img, { cx: 8, cy: 8, width: 16, height: 16, rotation: 0 }, 16, [0, 255]);
    for (const [c, r] of [
      [0, 0],
      [5, 9],
      [15, 15],
    ] as const) {
      const [red, green, blue] = at(t, 16, c, r);
      assert.ok(Math.abs(red! - c) < 1e-4 && Math.abs(green! - r) < 1e-4 && Math.abs(blue! - 200) < 1e-4, `${c},${r}: ${at(t, 16, c, r)}`);
    }
    const unit = cropToTensor(img, { cx: 8, cy: 8, width: 16, height: 16, rotation: 0 }, 16, [-1, 1]);
    assert.ok(Math.abs(unit[2]! - (-1 + (200 / 255) * 2)) < 1e-5);
  });

  it('a 90° ROI samples the image rotated: crop right is image down', () => {
    const img = gradient(32, 32);
    const t = cropToTensor(img, { cx: 16, cy: 16, width: 32, height: 32, rotation: Math.PI / 2 }, 32, [0, 255]);
    // crop (col, row) -> image (x, y) = (cx - (row - 15.5), cy + (col - 15.5)) at pixel centres
    const [red, green] = at(t, 32, 25, 4);
    assert.ok(Math.abs(red! - (16 - (4.5 - 16) - 0.5)) < 1e-3, `red ${red}`);
    assert.ok(Math.abs(green! - (16 + (25.5 - 16) - 0.5)) < 1e-3, `green ${green}`);
  });

  it('pads outside the image with black (the range minimum), as a letterbox', () => {
    const img = gradient(10, 20);
    const t = cropToTensor(img, letterboxRoi(10, 20), 20, [-1, 1]);
    assert.deepEqual(at(t, 20, 0, 10), [-1, -1, -1], 'left padding');
    assert.deepEqual(at(t, 20, 19, 10), [-1, -1, -1], 'right padding');
    assert.ok(at(t, 20, 10, 10)[2]! > 0, 'content in the middle');
  });

  it('refuses buffers of the wrong size', () => {
    assert.throws(() => cropToTensor(gradient(4, 4), letterboxRoi(4, 4), 8, [0, 1], new Float32Array(10)), RangeError);
    assert.throws(() => cropToTensor({ data: new Uint8Array(5), width: 4, height: 4 }, letterboxRoi(4, 4), 8, [0, 1]), RangeError);
  });
});
