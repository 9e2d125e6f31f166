import { isMissing, type FeatureRow } from './gbdt';

/**
 * A random forest of classification trees (bagged, random feature subsets per split): each leaf holds
 * class probabilities and the forest averages them. Why beside the boosted trees: on people not seen in
 * fitting (the by-session CV) the averaged deep trees generalise better than boosting alone, which fits
 * each training person closely (squat-lab NOTEBOOK, round 9). Inference only; training is in the lab.
 */
export interface ForestTree {
  /** Node i is a leaf when `f[i] < 0`; else x[f[i]] <= t[i] goes to `l[i]`, otherwise `r[i]`. */
  readonly f: readonly number[];
  readonly t: readonly number[];
  readonly l: readonly number[];
  readonly r: readonly number[];
  /** A missing x[f[i]] goes left when `m[i] === 1`. */
  readonly m: readonly number[];
  /** Leaf i's class probabilities start at `p[leaf[i] * nClasses]`; -1 on an inner node. */
  readonly leaf: readonly number[];
  /** Leaf class probabilities, `nClasses` per leaf, in leaf order. */
  readonly p: readonly number[];
}

/** A fitted forest: the mean of its trees' leaf probabilities. */
export interface ForestModel {
  readonly kind: 'forest';
  readonly nClasses: number;
  readonly trees: readonly ForestTree[];
}

/** The leaf index (into `p`, in leaves) that `x` reaches in `tree`. */
function leafOf(tree: ForestTree, x: FeatureRow): number {
  let i = 0;
  for (;;) {
    const f = tree.f[i]!;
    if (f < 0) return tree.leaf[i]!;
    const v = x[f];
    i = isMissing(v) ? (tree.m[i] === 1 ? tree.l[i]! : tree.r[i]!) : v <= tree.t[i]! ? tree.l[i]! : tree.r[i]!;
  }
}

export function forestPredictProba(model: ForestModel, x: FeatureRow): number[] {
  const k = model.nClasses;
  const out = new Array<number>(k).fill(0);
  for (const tree of model.trees) {
    const off = leafOf(tree, x) * k;
    for (let c = 0; c < k; c++) out[c]! += tree.p[off + c]!;
  }
  const n = Math.max(1, model.trees.length);
  return out.map((v) => v / n);
}
