import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { predictProba } from '@squirret/squat';
import type { FeatureRow } from '@squirret/squat';
import { seededRandom } from '@squirret/squat';
import { knnPredictProba } from '@squirret/squat';
import { trainKnn } from './knn';

const argmax = (p: readonly number[]): number => p.indexOf(Math.max(...p));

/** Builder: clusters around class centres (c, -c) with a little noise; x2 is noise. */
function clusters(n: number, seed: number): { X: FeatureRow[]; y: number[] } {
  const rnd = seededRandom(seed);
  const X: FeatureRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    X.push([c + (rnd() - 0.5) * 0.4, -c + (rnd() - 0.5) * 0.4, rnd()]);
    y.push(c);
  }
  return { X, y };
}

describe('trainKnn / knnPredictProba', () => {
  it('classifies held-out points of well separated clusters', () => {
    const train = clusters(90, 1);
    const test = clusters(30, 2);
    const m = trainKnn(train.X, train.y, 3, { k: 3, clip: 5 });
    const hits = test.X.filter((x, i) => argmax(knnPredictProba(m, x)) === test.y[i]).length;
    assert.equal(hits, test.X.length);
  });

  it('gives probabilities that sum to one and put an exact stored row first', () => {
    const { X, y } = clusters(30, 3);
    const m = trainKnn(X, y, 3, { k: 5, clip: 5 });
    for (let i = 0; i < X.length; i++) {
      const p = knnPredictProba(m, X[i]!);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.equal(argmax(p), y[i]);
      assert.ok(p[y[i]!]! > 0.99, 'a zero-distance neighbour outweighs the others');
    }
  });

  it('weights the k nearest by inverse distance, not by count', () => {
    // query at 0: one class-0 row at 0.1, two class-1 rows at 1.0 and 1.1
    const X: FeatureRow[] = [[0.1], [1.0], [1.1], [5], [-5]];
    const y = [0, 1, 1, 2, 2];
    const m = trainKnn(X, y, 3, { k: 3, clip: 5 });
    const p = knnPredictProba(m, [0]);
    assert.equal(argmax(p), 0);
    assert.ok(p[1]! > 0 && p[2] === 0, 'only the 3 nearest vote');
  });

  it('treats a missing value as the train mean and clips outliers', () => {
    const X: FeatureRow[] = [[0, 0], [0, 10], [10, 0], [10, 10]];
    const y = [0, 1, 2, 3];
    const m = trainKnn(X, y, 4, { k: 1, clip: 5 });
    // x0 missing = mean 5: equally far from all in x0; x1 = 10 picks rows 1 and 3 (tie broken by order)
    assert.equal(argmax(knnPredictProba(m, [null, 10])), 1);
    assert.equal(argmax(knnPredictProba(m, [Number.NaN, 0])), 0);
    // far outside the train range: clipped to ±5 sd, still the nearest corner
    assert.equal(argmax(knnPredictProba(m, [1e9, 1e9])), 3);
  });

  it('round-trips through JSON (as the generated model file stores it) and runs inside an ensemble', () => {
    const { X, y } = clusters(60, 4);
    const m = trainKnn(X, y, 3);
    const copy = JSON.parse(JSON.stringify(m)) as typeof m;
    const q: FeatureRow = [1, -1, 0.5];
    assert.deepEqual(knnPredictProba(copy, q), knnPredictProba(m, q));
    assert.deepEqual(predictProba({ kind: 'ensemble', members: [copy], weights: [1] }, q), knnPredictProba(m, q));
  });

  it('refuses an empty set, mismatched labels and k out of range', () => {
    assert.throws(() => trainKnn([], [], 2), /at least one/);
    assert.throws(() => trainKnn([[1]], [0, 1], 2), /as many labels/);
    assert.throws(() => trainKnn([[1], [2]], [0, 1], 2, { k: 3, clip: 5 }), /k must be/);
    assert.throws(() => trainKnn([[1], [2]], [0, 1], 2, { k: Number.NaN, clip: 5 }), /k must be/);
    assert.throws(() => trainKnn([[1], [2]], [0, 1], 2, { k: 1.5, clip: 5 }), /k must be/);
  });

  it('refuses a model whose rows do not match its labels', () => {
    const m = trainKnn([[1], [2]], [0, 1], 2, { k: 1, clip: 5 });
    assert.throws(() => knnPredictProba({ ...m, labels: [0, 1, 0] }, [1]), /rows do not match/);
  });
});
