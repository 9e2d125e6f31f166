/**
 * A small gradient-boosted decision-tree classifier (multi-class, softmax, second-order leaf values
 * as in XGBoost). Inference is what the analyzer runs once per rep (here); training lives in the
 * lab's `fit` (packages/squat-lab). Deterministic: the row/column sampling uses a seeded PRNG.
 */

/**
 * One regression tree in flat arrays. Node i is a leaf when `f[i] < 0` (value `v[i]`); otherwise
 * x[f[i]] <= t[i] goes to node `l[i]`, else `r[i]`; a missing x[f[i]] goes left when `m[i] === 1`.
 */
export interface GbdtTree {
  readonly f: readonly number[];
  readonly t: readonly number[];
  readonly l: readonly number[];
  readonly r: readonly number[];
  readonly v: readonly number[];
  readonly m: readonly number[];
}

/** A fitted boosted ensemble: `trees[round][class]`, scores = base + learningRate * sum of leaves. */
export interface GbdtModel {
  readonly kind: 'gbdt';
  readonly nClasses: number;
  readonly learningRate: number;
  readonly base: readonly number[];
  readonly trees: ReadonlyArray<ReadonlyArray<GbdtTree>>;
}

/** A feature vector; null (or NaN) is a missing value. */
export type FeatureRow = ReadonlyArray<number | null>;

export function isMissing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

export function treeValue(tree: GbdtTree, x: FeatureRow): number {
  let i = 0;
  for (;;) {
    const f = tree.f[i]!;
    if (f < 0) return tree.v[i]!;
    const v = x[f];
    i = isMissing(v) ? (tree.m[i] === 1 ? tree.l[i]! : tree.r[i]!) : v <= tree.t[i]! ? tree.l[i]! : tree.r[i]!;
  }
}

export function softmax(scores: readonly number[]): number[] {
  const mx = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Raw scores (before softmax) of each class. */
export function gbdtScores(model: GbdtModel, x: FeatureRow): number[] {
  const s = [...model.base];
  for (const round of model.trees) {
    for (let k = 0; k < model.nClasses; k++) s[k]! += model.learningRate * treeValue(round[k]!, x);
  }
  return s;
}

export function gbdtPredictProba(model: GbdtModel, x: FeatureRow): number[] {
  return softmax(gbdtScores(model, x));
}
