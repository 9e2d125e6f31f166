import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fitThreshold } from './threshold';

describe('fitThreshold', () => {
  it('finds the cut between separable groups (above)', () => {
    const r = fitThreshold([1, 2, 3, 10, 11, 12], [false, false, false, true, true, true], 'above');
    assert.equal(r.threshold, 6.5);
    assert.equal(r.balancedAccuracy, 1);
  });

  it('finds the cut between separable groups (below)', () => {
    const r = fitThreshold([0.4, 0.5, 0.6, 1.2, 1.3], [true, true, true, false, false], 'below');
    assert.ok(Math.abs(r.threshold - 0.9) < 1e-12);
    assert.equal(r.truePositiveRate, 1);
    assert.equal(r.trueNegativeRate, 1);
  });

  it('balances the classes rather than maximising raw accuracy', () => {
    // 2 positives among 20: a cut that catches both is preferred over flagging nothing
    const values = [...Array.from({ length: 18 }, (_, i) => i / 18), 0.95, 0.6];
    const positive = [...Array<boolean>(18).fill(false), true, true];
    const r = fitThreshold(values, positive, 'above');
    assert.equal(r.truePositiveRate, 1);
    assert.ok(r.threshold < 0.6);
  });

  it('with a minimum true-negative rate, picks the best cut that keeps false alarms that rare', () => {
    // negatives 0..9, positives 5..14: balanced accuracy would cut at 4.5; 90% TNR needs the cut at or above 8.5
    const values = [...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 5 + i)];
    const positive = [...Array<boolean>(10).fill(false), ...Array<boolean>(10).fill(true)];
    const free = fitThreshold(values, positive, 'above');
    const strict = fitThreshold(values, positive, 'above', 0.9);
    assert.ok(strict.trueNegativeRate >= 0.9);
    assert.ok(strict.threshold > free.threshold);
    assert.equal(strict.threshold, 8.5);
  });

  it('ignores nulls and refuses a single class', () => {
    const r = fitThreshold([null, 1, 5, null], [true, false, true, false], 'above');
    assert.equal(r.threshold, 3);
    assert.throws(() => fitThreshold([1, 2], [true, true], 'above'), /both/);
  });
});
