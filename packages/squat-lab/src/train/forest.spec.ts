import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { forestPredictProba, seededRandom, type FeatureRow } from '@squirret/squat';
import { DEFAULT_FOREST_PARAMS, trainForest } from './forest';

/** Builder: three classes told apart by x0 (< 0.33, < 0.66, else); x1 and x2 are noise; every 7th x0 missing. */
function threeBands(n: number, seed: number): { X: FeatureRow[]; y: number[] } {
  const rnd = seededRandom(seed);
  const X: FeatureRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rnd();
    X.push([i % 7 === 0 ? null : a, rnd(), rnd()]);
    y.push(a < 0.33 ? 0 : a < 0.66 ? 1 : 2);
  }
  return { X, y };
}

const argmax = (p: readonly number[]): number => p.indexOf(Math.max(...p));
const params = { ...DEFAULT_FOREST_PARAMS, trees: 20, featureShare: 0.67 };

describe('trainForest', () => {
  const train = threeBands(300, 1);
  const test = threeBands(200, 2);

  it('learns the bands on rows it has not seen', () => {
    const m = trainForest(train.X, train.y, 3, params);
    const scored = test.X.map((x, i) => [x, test.y[i]!] as const).filter(([x]) => x[0] !== null);
    const right = scored.filter(([x, y]) => argmax(forestPredictProba(m, x)) === y).length;
    assert.ok(right / scored.length > 0.9, `accuracy ${right / scored.length}`);
  });

  it('gives probabilities that sum to one, a missing value included', () => {
    const m = trainForest(train.X, train.y, 3, params);
    for (const x of [[0.1, 0.5, 0.5], [null, 0.5, 0.5]] as FeatureRow[]) {
      const p = forestPredictProba(m, x);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-3, JSON.stringify(p));
    }
  });

  it('is deterministic per seed, and the seed matters', () => {
    const a = trainForest(train.X, train.y, 3, params);
    const b = trainForest(train.X, train.y, 3, params);
    const c = trainForest(train.X, train.y, 3, { ...params, seed: 2 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('the group bootstrap draws a group whole: a tree holds all of a group or none of it', () => {
    // two rows per group, with labels that differ inside the group: a tree grown on one row of a pair
    // would have a pure leaf; one grown on whole pairs sees both labels in each group's leaf
    const X: FeatureRow[] = [];
    const y: number[] = [];
    const groups: string[] = [];
    for (let g = 0; g < 40; g++) {
      for (const k of [0, 1]) {
        X.push([g]);
        y.push(k);
        groups.push(`g${g}`);
      }
    }
    const m = trainForest(X, y, 2, { ...params, trees: 5, featureShare: 1, minLeaf: 1, groupBootstrap: true }, groups);
    for (let g = 0; g < 40; g++) {
      const p = forestPredictProba(m, [g]);
      assert.ok(Math.abs(p[0]! - 0.5) < 1e-9, `group ${g}: ${JSON.stringify(p)}`);
    }
  });
});
