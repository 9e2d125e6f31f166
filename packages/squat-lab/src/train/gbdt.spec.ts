import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { gbdtPredictProba, softmax, treeValue, type FeatureRow, type GbdtTree } from '@squirret/squat';
import { compactGbdt, trainGbdt } from './gbdt';
import { seededRandom } from '@squirret/squat';

/** Builder: three classes told apart by x0 (< 0.33, < 0.66, else); x1 is noise; some x0 missing. */
function threeBands(n: number, seed: number): { X: FeatureRow[]; y: number[] } {
  const rnd = seededRandom(seed);
  const X: FeatureRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rnd();
    X.push([a, rnd()]);
    y.push(a < 0.33 ? 0 : a < 0.66 ? 1 : 2);
  }
  return { X, y };
}

const argmax = (p: readonly number[]): number => p.indexOf(Math.max(...p));

describe('seededRandom', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    for (let i = 0; i < 100; i++) {
      const v = a();
      assert.equal(v, b());
      assert.ok(v >= 0 && v < 1);
    }
    assert.notEqual(seededRandom(2)(), seededRandom(1)());
  });
});

describe('softmax', () => {
  it('sums to one and keeps the order', () => {
    const p = softmax([1, 2, 3]);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(p[0]! < p[1]! && p[1]! < p[2]!);
  });
  it('does not overflow on large scores', () => {
    const p = softmax([1000, 1001]);
    assert.ok(p.every((v) => Number.isFinite(v)));
  });
});

describe('treeValue', () => {
  const tree: GbdtTree = { f: [0, -1, -1], t: [0.5, 0, 0], l: [1, -1, -1], r: [2, -1, -1], v: [0, -1, 1], m: [1, 0, 0] };
  it('goes left at or below the threshold, right above', () => {
    assert.equal(treeValue(tree, [0.5]), -1);
    assert.equal(treeValue(tree, [0.51]), 1);
  });
  it('sends a missing value the learnt way', () => {
    assert.equal(treeValue(tree, [null]), -1);
    assert.equal(treeValue(tree, [Number.NaN]), -1);
    assert.equal(treeValue({ ...tree, m: [0, 0, 0] }, [null]), 1);
  });
});

describe('trainGbdt', () => {
  it('learns a separable three-class problem', () => {
    const train = threeBands(300, 1);
    const test = threeBands(200, 2);
    const m = trainGbdt(train.X, train.y, 3, { rounds: 30, learningRate: 0.3, maxDepth: 2, minChildWeight: 1, lambda: 1, rowSample: 1, colSample: 1, maxBins: 32, seed: 1 });
    const acc = test.X.filter((x, i) => argmax(gbdtPredictProba(m, x)) === test.y[i]).length / test.X.length;
    assert.ok(acc > 0.95, `accuracy ${acc}`);
  });

  it('is deterministic for a seed', () => {
    const { X, y } = threeBands(100, 3);
    const p = { rounds: 5, learningRate: 0.3, maxDepth: 2, minChildWeight: 1, lambda: 1, rowSample: 0.7, colSample: 1, maxBins: 16, seed: 9 };
    assert.deepEqual(trainGbdt(X, y, 3, p), trainGbdt(X, y, 3, p));
  });

  it('handles missing values in training and prediction', () => {
    const { X, y } = threeBands(200, 4);
    const withGaps = X.map((r, i) => (i % 10 === 0 ? [null, r[1]!] : r));
    const m = trainGbdt(withGaps, y, 3, { rounds: 10, learningRate: 0.3, maxDepth: 2, minChildWeight: 1, lambda: 1, rowSample: 1, colSample: 1, maxBins: 16, seed: 1 });
    const p = gbdtPredictProba(m, [null, 0.5]);
    assert.equal(p.length, 3);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  });

  it('starts from the class priors', () => {
    const m = trainGbdt([[0], [0], [0], [0]], [0, 0, 0, 1], 2, { rounds: 0, learningRate: 0.1, maxDepth: 1, minChildWeight: 1, lambda: 1, rowSample: 1, colSample: 1, maxBins: 4, seed: 1 });
    const p = gbdtPredictProba(m, [0]);
    assert.ok(Math.abs(p[0]! - 0.75) < 1e-9);
  });
});

describe('compactGbdt', () => {
  it('keeps predictions (almost) unchanged', () => {
    const { X, y } = threeBands(150, 5);
    const m = trainGbdt(X, y, 3, { rounds: 10, learningRate: 0.3, maxDepth: 2, minChildWeight: 1, lambda: 1, rowSample: 1, colSample: 1, maxBins: 16, seed: 1 });
    const c = compactGbdt(m);
    for (const x of X.slice(0, 30)) {
      const a = gbdtPredictProba(m, x);
      const b = gbdtPredictProba(c, x);
      a.forEach((v, k) => assert.ok(Math.abs(v - b[k]!) < 1e-5));
    }
  });
});
