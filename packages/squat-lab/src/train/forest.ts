/**
 * Training of the random forest whose inference is in @squirret/squat (`ForestModel`): bagged
 * classification trees grown on Gini impurity over the same quantile bins as the boosted trees, a
 * random subset of the features at every split. Deterministic: the sampling uses a seeded PRNG.
 */
import { seededRandom, type FeatureRow, type ForestModel, type ForestTree } from '@squirret/squat';
import { binFeatures, type Binned } from './gbdt';

/** Training settings of `trainForest`. */
export interface ForestParams {
  readonly trees: number;
  /** Share of the features drawn at each split (sqrt(n)/n is the usual choice). */
  readonly featureShare: number;
  /** A node with fewer (bootstrap-weighted) rows than twice this is a leaf; each child keeps at least this. */
  readonly minLeaf: number;
  readonly maxDepth: number;
  /** Share of the rows drawn (with replacement) for each tree. */
  readonly sampleShare: number;
  /**
   * When set, the bootstrap draws whole groups (a recording and its camera copies) instead of rows, so a
   * tree that saw a recording also saw all its copies and the out-of-group ones stay unseen.
   */
  readonly groupBootstrap: boolean;
  readonly maxBins: number;
  readonly seed: number;
}

export const DEFAULT_FOREST_PARAMS: ForestParams = {
  trees: 200,
  featureShare: 0.05,
  minLeaf: 3,
  maxDepth: 30,
  sampleShare: 1,
  groupBootstrap: false,
  maxBins: 48,
  seed: 1,
};

interface MutableForestTree {
  f: number[];
  t: number[];
  l: number[];
  r: number[];
  m: number[];
  leaf: number[];
  p: number[];
}

function gini(counts: Float64Array, off: number, k: number, total: number): number {
  if (total <= 0) return 0;
  let s = 0;
  for (let c = 0; c < k; c++) {
    const q = counts[off + c]! / total;
    s += q * q;
  }
  return total * (1 - s);
}

function growTree(data: Binned, y: readonly number[], weight: Float64Array, rows: number[], k: number, p: ForestParams, rnd: () => number): ForestTree {
  const tree: MutableForestTree = { f: [], t: [], l: [], r: [], m: [], leaf: [], p: [] };
  const nF = data.bins.length;
  const mtry = Math.max(1, Math.round(nF * p.featureShare));
  const grow = (idx: number[], depth: number): number => {
    const node = tree.f.length;
    tree.f.push(-1);
    tree.t.push(0);
    tree.l.push(-1);
    tree.r.push(-1);
    tree.m.push(0);
    tree.leaf.push(-1);
    const tot = new Float64Array(k);
    let W = 0;
    for (const i of idx) {
      tot[y[i]!]! += weight[i]!;
      W += weight[i]!;
    }
    const makeLeaf = (): number => {
      tree.leaf[node] = tree.p.length / k;
      for (let c = 0; c < k; c++) tree.p.push(Number((tot[c]! / W).toPrecision(4)));
      return node;
    };
    let pure = 0;
    for (let c = 0; c < k; c++) if (tot[c]! > 0) pure++;
    if (depth >= p.maxDepth || W < 2 * p.minLeaf || pure <= 1) return makeLeaf();
    const parent = gini(tot, 0, k, W);
    let best = { gain: 1e-9, f: -1, bin: -1, missingLeft: false };
    // features drawn without replacement (partial Fisher-Yates over a fresh index list is costly; rejection is fine at small shares)
    const chosen = new Set<number>();
    while (chosen.size < mtry) chosen.add(Math.floor(rnd() * nF));
    for (const f of chosen) {
      const col = data.bins[f]!;
      const nb = data.edges[f]!.length + 1;
      if (nb < 2) continue;
      const hist = new Float64Array(nb * k);
      const miss = new Float64Array(k);
      let mw = 0;
      for (const i of idx) {
        const b = col[i]!;
        if (b < 0) {
          miss[y[i]!]! += weight[i]!;
          mw += weight[i]!;
        } else hist[b * k + y[i]!]! += weight[i]!;
      }
      const left = new Float64Array(k);
      let lw = 0;
      const lm = new Float64Array(k);
      const rm = new Float64Array(k);
      for (let b = 0; b < nb - 1; b++) {
        for (let c = 0; c < k; c++) {
          left[c]! += hist[b * k + c]!;
          lw += hist[b * k + c]!;
        }
        for (const missingLeft of mw > 0 ? [true, false] : [false]) {
          const LW = missingLeft ? lw + mw : lw;
          const RW = W - LW;
          if (LW < p.minLeaf || RW < p.minLeaf) continue;
          for (let c = 0; c < k; c++) {
            lm[c] = left[c]! + (missingLeft ? miss[c]! : 0);
            rm[c] = tot[c]! - lm[c]!;
          }
          const gain = parent - gini(lm, 0, k, LW) - gini(rm, 0, k, RW);
          if (gain > best.gain) best = { gain, f, bin: b, missingLeft };
        }
      }
    }
    if (best.f < 0) return makeLeaf();
    const col = data.bins[best.f]!;
    const l: number[] = [];
    const r: number[] = [];
    for (const i of idx) {
      const b = col[i]!;
      if (b < 0 ? best.missingLeft : b <= best.bin) l.push(i);
      else r.push(i);
    }
    tree.f[node] = best.f;
    tree.t[node] = Number(data.edges[best.f]![best.bin]!.toPrecision(7));
    tree.m[node] = best.missingLeft ? 1 : 0;
    tree.l[node] = grow(l, depth + 1);
    tree.r[node] = grow(r, depth + 1);
    return node;
  };
  grow(rows, 0);
  return tree;
}

/**
 * Fits a forest on rows X with integer labels y in [0, nClasses). `groups` (one id per row) is used
 * by the group bootstrap; without it each row is its own group.
 */
export function trainForest(X: readonly FeatureRow[], y: readonly number[], nClasses: number, params: ForestParams = DEFAULT_FOREST_PARAMS, groups?: readonly string[]): ForestModel {
  const n = X.length;
  const rnd = seededRandom(params.seed);
  const data = binFeatures(X, params.maxBins);
  const members: number[][] = [];
  if (params.groupBootstrap && groups) {
    const id = new Map<string, number>();
    groups.forEach((g, i) => {
      let gi = id.get(g);
      if (gi === undefined) {
        gi = members.length;
        id.set(g, gi);
        members.push([]);
      }
      members[gi]!.push(i);
    });
  } else for (let i = 0; i < n; i++) members.push([i]);
  const trees: ForestTree[] = [];
  for (let t = 0; t < params.trees; t++) {
    const weight = new Float64Array(n);
    const draws = Math.round(members.length * params.sampleShare);
    for (let d = 0; d < draws; d++) for (const i of members[Math.floor(rnd() * members.length)]!) weight[i]! += 1;
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (weight[i]! > 0) rows.push(i);
    trees.push(growTree(data, y, weight, rows, nClasses, params, rnd));
  }
  return { kind: 'forest', nClasses, trees };
}
