import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COCO17 } from '@squirret/contracts';
import { decodeMoveNetOutput } from './keypoints';
import { computeLetterbox } from './letterbox';

describe('decodeMoveNetOutput', () => {
  const square = computeLetterbox(192, 192, 192);

  it('names the 17 rows in COCO order and reads y before x', () => {
    // Row i: y = i/100, x = 0.3 + i/100, score = i/20.
    const raw = COCO17.flatMap((_, i) => [i / 100, 0.3 + i / 100, i / 20]);
    const kps = decodeMoveNetOutput(raw, square);
    assert.deepEqual(
      kps.map((k) => k.name),
      [...COCO17],
    );
    kps.forEach((k, i) => {
      assert.ok(Math.abs(k.y - i / 100) < 1e-9, `${k.name}.y`);
      assert.ok(Math.abs(k.x - (0.3 + i / 100)) < 1e-9, `${k.name}.x`);
    });
  });

  it('clamps scores to [0, 1]', () => {
    const raw = COCO17.flatMap(() => [0.5, 0.5, 1.7]);
    raw[2] = -0.2;
    const kps = decodeMoveNetOutput(raw, square);
    assert.equal(kps[0]?.score, 0);
    assert.equal(kps[1]?.score, 1);
  });

  it('maps through the letterbox of a portrait frame', () => {
    const lb = computeLetterbox(240, 427, 192); // content 108 px wide from x = 42
    const raw = COCO17.flatMap(() => [0.5, (42 + 54) / 192, 0.9]);
    const kps = decodeMoveNetOutput(raw, lb);
    assert.ok(Math.abs((kps[0]?.x ?? 0) - 0.5) < 1e-9);
  });

  it('rejects output of the wrong length', () => {
    assert.throws(() => decodeMoveNetOutput(new Float32Array(50), square), RangeError);
  });
});
