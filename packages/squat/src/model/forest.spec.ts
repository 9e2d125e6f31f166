import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { predictProba } from './classifier';
import { forestPredictProba, type ForestModel, type ForestTree } from './forest';

/** Builder: a one-split tree on feature `f` at `t`, leaves' class probabilities `left` and `right`; missing goes left. */
function stump(f: number, t: number, left: number[], right: number[]): ForestTree {
  return { f: [f, -1, -1], t: [t, 0, 0], l: [1, -1, -1], r: [2, -1, -1], m: [1, 0, 0], leaf: [-1, 0, 1], p: [...left, ...right] };
}

describe('forestPredictProba', () => {
  const model: ForestModel = { kind: 'forest', nClasses: 2, trees: [stump(0, 0.5, [1, 0], [0, 1]), stump(1, 0, [0.5, 0.5], [0.2, 0.8])] };

  it('averages the leaves the row reaches', () => {
    assert.deepEqual(forestPredictProba(model, [0.2, -1]), [0.75, 0.25]);
    assert.deepEqual(forestPredictProba(model, [0.9, 1]), [0.1, 0.9]);
  });

  it('sends a missing value the way the node says', () => {
    assert.deepEqual(forestPredictProba(model, [null, null]), [0.75, 0.25]);
  });

  it('runs as an ensemble member', () => {
    const p = predictProba({ kind: 'ensemble', members: [model, model], weights: [1, 3] }, [0.9, 1]);
    assert.ok(Math.abs(p[1]! - 0.9) < 1e-12);
  });
});
