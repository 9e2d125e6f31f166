import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeLetterbox, inputToOriginal, originalToInput } from './letterbox';

describe('computeLetterbox', () => {
  it('centres a portrait frame horizontally (the 240x427 clips)', () => {
    const lb = computeLetterbox(240, 427, 192);
    assert.equal(lb.contentHeight, 192);
    assert.equal(lb.contentWidth, Math.round((240 * 192) / 427)); // 108
    assert.equal(lb.padTop, 0);
    assert.equal(lb.padLeft, (192 - 108) / 2);
  });

  it('centres a landscape frame vertically', () => {
    const lb = computeLetterbox(640, 480, 192);
    assert.deepEqual([lb.contentWidth, lb.contentHeight, lb.padLeft, lb.padTop], [192, 144, 0, 24]);
  });

  it('leaves a square frame unpadded', () => {
    const lb = computeLetterbox(500, 500, 192);
    assert.deepEqual([lb.contentWidth, lb.contentHeight, lb.padLeft, lb.padTop], [192, 192, 0, 0]);
  });

  it('keeps at least one pixel for an extreme aspect ratio', () => {
    const lb = computeLetterbox(10_000, 3, 192);
    assert.equal(lb.contentHeight, 1);
    assert.ok(lb.padTop + lb.contentHeight <= 192);
  });

  it('rejects empty sizes', () => {
    assert.throws(() => computeLetterbox(0, 10, 192), RangeError);
    assert.throws(() => computeLetterbox(10, 10, 0), RangeError);
  });
});

describe('inputToOriginal', () => {
  const lb = computeLetterbox(240, 427, 192);

  it('maps the content edges to 0 and 1', () => {
    const left = inputToOriginal(lb, lb.padLeft / 192, 0);
    const right = inputToOriginal(lb, (lb.padLeft + lb.contentWidth) / 192, 1);
    assert.deepEqual(left, { x: 0, y: 0 });
    assert.deepEqual(right, { x: 1, y: 1 });
  });

  it('inverts originalToInput', () => {
    for (const [x, y] of [
      [0.1, 0.9],
      [0.5, 0.5],
      [0.73, 0.21],
    ] as const) {
      const there = originalToInput(lb, x, y);
      const back = inputToOriginal(lb, there.x, there.y);
      assert.ok(Math.abs(back.x - x) < 1e-12 && Math.abs(back.y - y) < 1e-12, `${x},${y} -> ${back.x},${back.y}`);
    }
  });

  it('clamps points in the padding to the image border', () => {
    assert.equal(inputToOriginal(lb, 0.01, 0.5).x, 0);
    assert.equal(inputToOriginal(lb, 0.99, 0.5).x, 1);
  });
});
