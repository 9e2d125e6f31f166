import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SEED_RATIOS, T0, foot, ratiosFor } from '../../test/factories/fsr.factory';
import type { Ratios } from '../samples/foot-sample';
import { footAverage, inWindow, regionShares, round1, windowMetrics } from './window-math';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

describe('region shares of one sample (ratio1..6 on a 3 x 2 grid)', () => {
  it('maps the seed sample: front = r1+r2, rear = r5+r6, inner = r1+r3+r5, outer = r2+r4+r6', () => {
    const s = regionShares(SEED_RATIOS)!;
    close(s.front, 20.7);
    close(s.mid, 25.1);
    close(s.rear, 54.2);
    close(s.inner, 49.9);
    close(s.outer, 50.1);
  });

  it('normalises by the sum, so shares that do not add up to 100 read the same', () => {
    const half = SEED_RATIOS.map((r) => r / 2) as unknown as Ratios;
    const a = regionShares(SEED_RATIOS)!;
    const b = regionShares(half)!;
    for (const k of ['front', 'mid', 'rear', 'inner', 'outer'] as const) close(a[k], b[k]);
  });

  it('has no distribution for a foot with no load', () => {
    assert.equal(regionShares([0, 0, 0, 0, 0, 0]), null);
  });
});

describe('window math', () => {
  it('averages one foot over its usable samples', () => {
    const avg = footAverage([foot('left', T0, ratiosFor({ front: 20, rear: 60 })), foot('left', T0 + 1, ratiosFor({ front: 40, rear: 40 })), foot('left', T0 + 2, [0, 0, 0, 0, 0, 0])])!;
    close(avg.front, 30);
    close(avg.rear, 50);
    assert.equal(footAverage([]), null);
  });

  it('averages each foot first, then the two feet, so a chattier foot does not outweigh the other', () => {
    const left = Array.from({ length: 9 }, (_, i) => foot('left', T0 + i, ratiosFor({ front: 20, rear: 60 })));
    const right = [foot('right', T0, ratiosFor({ front: 40, rear: 40 }))];
    const m = windowMetrics([...left, ...right])!;
    assert.equal(m.front, 30);
    assert.equal(m.rear, 50);
    assert.equal(m.heel, m.rear);
  });

  it('leftRightDiff is the largest front/rear/inner/outer difference between the feet', () => {
    const m = windowMetrics([
      foot('left', T0, ratiosFor({ front: 20, rear: 60, innerOfEach: 0.5 })),
      foot('right', T0, ratiosFor({ front: 30, rear: 60, innerOfEach: 0.7 })),
    ])!;
    // front differs by 10, inner by 20 (50 vs 70), outer by 20, rear by 0.
    assert.equal(m.leftRightDiff, 20);
    assert.equal(m.inner, 60);
    assert.equal(m.outer, 40);
    assert.equal(m.innerOuterDiff, 20);
  });

  it('with one foot only: that foot’s metrics and no left-right difference', () => {
    const m = windowMetrics([foot('left', T0, SEED_RATIOS)])!;
    assert.deepEqual(m, { front: 20.7, rear: 54.2, inner: 49.9, outer: 50.1, heel: 54.2, innerOuterDiff: 0.2, leftRightDiff: 0 });
  });

  it('is null (NO_DATA) without a usable sample', () => {
    assert.equal(windowMetrics([]), null);
    assert.equal(windowMetrics([foot('left', T0, [0, 0, 0, 0, 0, 0])]), null);
  });

  it('rounds to one decimal, as the contract shows them', () => {
    assert.equal(round1(48.26), 48.3);
    assert.equal(round1(48.24), 48.2);
    const m = windowMetrics([foot('left', T0, [1, 1, 1, 0, 0, 0])])!;
    assert.equal(m.front, 66.7);
    assert.equal(m.rear, 0);
  });

  it('keeps the samples of [from, to], both ends included', () => {
    const s = [foot('left', T0 - 10_001), foot('left', T0 - 10_000), foot('left', T0), foot('left', T0 + 1)];
    assert.deepEqual(inWindow(s, T0 - 10_000, T0).map((x) => x.at), [T0 - 10_000, T0]);
  });
});
