import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { predictProba } from '@squirret/squat';
import type { FeatureRow } from '@squirret/squat';
import { seededRandom } from '@squirret/squat';
import { mlpPredictProba, standardize } from '@squirret/squat';
import { compactMlp, trainMlp } from './mlp';

/** Builder: two classes split by x0 + x1 > 1, with a third constant feature and some gaps. */
function diagonal(n: number, seed: number): { X: FeatureRow[]; y: number[] } {
  const rnd = seededRandom(seed);
  const X: FeatureRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rnd();
    const b = rnd();
    X.push([a, b, 3]);
    y.push(a + b > 1 ? 1 : 0);
  }
  return { X, y };
}

const params = { hidden: 8, l2: 1e-4, epochs: 60, batchSize: 16, learningRate: 0.02, seed: 1 };

describe('standardize', () => {
  it('imputes missing values and scales', () => {
    const z = standardize({ fill: [5, 0], mean: [4, 1], scale: [2, 1] }, [null, 3]);
    assert.deepEqual([...z], [0.5, 2]);
  });
});

describe('trainMlp', () => {
  it('learns a linear boundary', () => {
    const train = diagonal(300, 1);
    const test = diagonal(200, 2);
    const m = trainMlp(train.X, train.y, 2, params);
    const acc = test.X.filter((x, i) => (mlpPredictProba(m, x)[1]! > 0.5 ? 1 : 0) === test.y[i]).length / test.X.length;
    assert.ok(acc > 0.93, `accuracy ${acc}`);
  });

  it('is deterministic for a seed', () => {
    const { X, y } = diagonal(50, 3);
    const p = { ...params, epochs: 3 };
    assert.deepEqual(trainMlp(X, y, 2, p), trainMlp(X, y, 2, p));
  });

  it('gives probabilities for rows with missing values and a constant column', () => {
    const { X, y } = diagonal(60, 4);
    const m = trainMlp(X, y, 2, { ...params, epochs: 5 });
    assert.equal(m.scale[2], 1, 'a constant column keeps scale 1');
    const p = predictProba(m, [null, null, null]);
    assert.ok(Math.abs(p[0]! + p[1]! - 1) < 1e-9);
  });

  it('compactMlp keeps predictions close', () => {
    const { X, y } = diagonal(100, 5);
    const m = trainMlp(X, y, 2, { ...params, epochs: 10 });
    const c = compactMlp(m);
    for (const x of X.slice(0, 20)) assert.ok(Math.abs(mlpPredictProba(m, x)[1]! - mlpPredictProba(c, x)[1]!) < 1e-3);
  });
});
