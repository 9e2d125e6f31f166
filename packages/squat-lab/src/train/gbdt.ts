/**
 * Training of the boosted-tree classifier whose inference is in @squirret/squat (softmax, second-order
 * leaf values as in XGBoost). Deterministic: the row/column sampling uses a seeded PRNG.
 */
import { isMissing, softmax, treeValue, type FeatureRow, type GbdtModel, type GbdtTree } from '@squirret/squat';
import { seededRandom } from '@squirret/squat';

/** Training settings of `trainGbdt`. */
export interface GbdtParams {
  readonly rounds: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly minChildWeight: number;
  readonly lambda: number;
  readonly rowSample: number;
  readonly colSample: number;
  readonly maxBins: number;
  readonly seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  rounds: 150,
  learningRate: 0.1,
  maxDepth: 3,
  minChildWeight: 1,
  lambda: 1,
  rowSample: 0.8,
  colSample: 0.6,
  maxBins: 48,
  seed: 1,
};

export interface Binned {
  /** bins[f][i]: bin of sample i on feature f, -1 when missing. */
  readonly bins: Int16Array[];
  /** edges[f][b]: upper threshold of bin b (value <= edge goes to bins 0..b). */
  readonly edges: number[][];
}

export function binFeatures(X: readonly FeatureRow[], maxBins: number): Binned {
  const nF = X[0]?.length ?? 0;
  const bins: Int16Array[] = [];
  const edges: number[][] = [];
  for (let f = 0; f < nF; f++) {
    const vals = X.map((r) => r[f]).filter((v): v is number => !isMissing(v)).sort((a, b) => a - b);
    const uniq: number[] = [];
    for (const v of vals) if (uniq.length === 0 || v !== uniq[uniq.length - 1]) uniq.push(v);
    let cuts: number[];
    if (uniq.length <= maxBins) {
      cuts = uniq.slice(0, -1).map((v, i) => (v + uniq[i + 1]!) / 2);
    } else {
      const set = new Set<number>();
      for (let b = 1; b < maxBins; b++) {
        const q = vals[Math.floor((b * vals.length) / maxBins)]!;
        const idx = uniq.indexOf(q);
        if (idx >= 0 && idx < uniq.length - 1) set.add((uniq[idx]! + uniq[idx + 1]!) / 2);
      }
      cuts = [...set].sort((a, b) => a - b);
    }
    edges.push(cuts);
    const col = new Int16Array(X.length);
    X.forEach((r, i) => {
      const v = r[f];
      if (isMissing(v)) {
        col[i] = -1;
        return;
      }
      let lo = 0;
      let hi = cuts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= cuts[mid]!) hi = mid;
        else lo = mid + 1;
      }
      col[i] = lo; // bin index in [0, cuts.length]
    });
    bins.push(col);
  }
  return { bins, edges };
}

interface MutableTree {
  f: number[];
  t: number[];
  l: number[];
  r: number[];
  v: number[];
  m: number[];
}

function buildTree(
  data: Binned,
  rows: readonly number[],
  g: Float64Array,
  h: Float64Array,
  features: readonly number[],
  p: GbdtParams,
): GbdtTree {
  const tree: MutableTree = { f: [], t: [], l: [], r: [], v: [], m: [] };
  const leafValue = (G: number, H: number): number => -G / (H + p.lambda);
  const score = (G: number, H: number): number => (G * G) / (H + p.lambda);

  const grow = (idx: readonly number[], depth: number): number => {
    const node = tree.f.length;
    tree.f.push(-1);
    tree.t.push(0);
    tree.l.push(-1);
    tree.r.push(-1);
    tree.v.push(0);
    tree.m.push(0);
    let G = 0;
    let H = 0;
    for (const i of idx) {
      G += g[i]!;
      H += h[i]!;
    }
    tree.v[node] = leafValue(G, H);
    if (depth >= p.maxDepth || H < 2 * p.minChildWeight) return node;

    let best = { gain: 1e-9, f: -1, bin: -1, missingLeft: false };
    const parent = score(G, H);
    for (const f of features) {
      const col = data.bins[f]!;
      const nb = data.edges[f]!.length + 1;
      if (nb < 2) continue;
      const hg = new Float64Array(nb);
      const hh = new Float64Array(nb);
      let mg = 0;
      let mh = 0;
      for (const i of idx) {
        const b = col[i]!;
        if (b < 0) {
          mg += g[i]!;
          mh += h[i]!;
        } else {
          hg[b]! += g[i]!;
          hh[b]! += h[i]!;
        }
      }
      let lg = 0;
      let lh = 0;
      for (let b = 0; b < nb - 1; b++) {
        lg += hg[b]!;
        lh += hh[b]!;
        for (const missingLeft of [true, false]) {
          const LG = missingLeft ? lg + mg : lg;
          const LH = missingLeft ? lh + mh : lh;
          const RG = G - LG;
          const RH = H - LH;
          if (LH < p.minChildWeight || RH < p.minChildWeight) continue;
          const gain = score(LG, LH) + score(RG, RH) - parent;
          if (gain > best.gain) best = { gain, f, bin: b, missingLeft };
        }
      }
    }
    if (best.f < 0) return node;
    const col = data.bins[best.f]!;
    const left: number[] = [];
    const right: number[] = [];
    for (const i of idx) {
      const b = col[i]!;
      if (b < 0 ? best.missingLeft : b <= best.bin) left.push(i);
      else right.push(i);
    }
    tree.f[node] = best.f;
    tree.t[node] = data.edges[best.f]![best.bin]!;
    tree.m[node] = best.missingLeft ? 1 : 0;
    tree.l[node] = grow(left, depth + 1);
    tree.r[node] = grow(right, depth + 1);
    return node;
  };
  grow(rows, 0);
  return tree;
}

/** Fits a softmax GBDT on rows X with integer labels y in [0, nClasses). */
export function trainGbdt(
  X: readonly FeatureRow[],
  y: readonly number[],
  nClasses: number,
  params: GbdtParams = DEFAULT_GBDT_PARAMS,
  sampleWeight?: readonly number[],
): GbdtModel {
  const n = X.length;
  const nF = X[0]?.length ?? 0;
  const rnd = seededRandom(params.seed);
  const data = binFeatures(X, params.maxBins);
  const w = sampleWeight ?? new Array<number>(n).fill(1);
  const wsum = w.reduce((a, b) => a + b, 0);
  const prior = Array.from({ length: nClasses }, (_, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (y[i] === k) s += w[i]!;
    return Math.max(s / wsum, 1e-3);
  });
  const base = prior.map((q) => Math.log(q));
  const F = Array.from({ length: n }, () => [...base]);
  const trees: GbdtTree[][] = [];
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  for (let round = 0; round < params.rounds; round++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (rnd() < params.rowSample) rows.push(i);
    const feats: number[] = [];
    for (let f = 0; f < nF; f++) if (rnd() < params.colSample) feats.push(f);
    const P = F.map((s) => softmax(s));
    const roundTrees: GbdtTree[] = [];
    for (let k = 0; k < nClasses; k++) {
      for (let i = 0; i < n; i++) {
        const pk = P[i]![k]!;
        g[i] = w[i]! * (pk - (y[i] === k ? 1 : 0));
        h[i] = w[i]! * Math.max(pk * (1 - pk), 1e-6);
      }
      roundTrees.push(buildTree(data, rows, g, h, feats, params));
    }
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < nClasses; k++) F[i]![k]! += params.learningRate * treeValue(roundTrees[k]!, X[i]!);
    }
    trees.push(roundTrees);
  }
  return { kind: 'gbdt', nClasses, learningRate: params.learningRate, base, trees };
}

/** Rounds a model's numbers so the stored file stays small (7 significant digits). */
export function compactGbdt(model: GbdtModel): GbdtModel {
  const r = (v: number): number => Number(v.toPrecision(7));
  return {
    ...model,
    base: model.base.map(r),
    trees: model.trees.map((round) =>
      round.map((t) => ({ ...t, t: t.t.map(r), v: t.v.map(r) })),
    ),
  };
}
