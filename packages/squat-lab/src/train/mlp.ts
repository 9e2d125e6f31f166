// Training of the MLP whose inference is in @squirret/squat (mini-batch Adam with L2, seeded, deterministic).
import { softmax, standardize, type FeatureRow, type MlpModel } from '@squirret/squat';
import { gaussian, seededRandom } from '@squirret/squat';

/** Training settings of `trainMlp`. */
export interface MlpParams {
  readonly hidden: number;
  readonly l2: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

export const DEFAULT_MLP_PARAMS: MlpParams = { hidden: 64, l2: 1e-2, epochs: 120, batchSize: 32, learningRate: 3e-3, seed: 1 };

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Fits the MLP on rows X with integer labels y in [0, nOut). */
export function trainMlp(X: readonly FeatureRow[], y: readonly number[], nOut: number, p: MlpParams = DEFAULT_MLP_PARAMS): MlpModel {
  const n = X.length;
  const nIn = X[0]?.length ?? 0;
  const fill: number[] = [];
  const mean: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < nIn; j++) {
    const col = X.map((r) => r[j]).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    const f = median(col);
    const full = X.map((r) => {
      const v = r[j];
      return v === null || v === undefined || !Number.isFinite(v) ? f : v;
    });
    const mu = full.reduce((a, b) => a + b, 0) / Math.max(1, n);
    const sd = Math.sqrt(full.reduce((a, b) => a + (b - mu) * (b - mu), 0) / Math.max(1, n));
    fill.push(f);
    mean.push(mu);
    scale.push(sd > 1e-9 ? sd : 1);
  }
  const stats = { fill, mean, scale };
  const Z = X.map((r) => standardize(stats, r));

  const rnd = seededRandom(p.seed);
  const gauss = (): number => gaussian(rnd);
  const H = p.hidden;
  const w1 = Float64Array.from({ length: nIn * H }, () => gauss() / Math.sqrt(nIn));
  const b1 = new Float64Array(H);
  const w2 = Float64Array.from({ length: H * nOut }, () => gauss() / Math.sqrt(H));
  const b2 = new Float64Array(nOut);
  const params = [w1, b1, w2, b2];
  const m1 = params.map((a) => new Float64Array(a.length));
  const v1 = params.map((a) => new Float64Array(a.length));
  const grads = params.map((a) => new Float64Array(a.length));
  const model = (): MlpModel => ({ kind: 'mlp', ...stats, nHidden: H, nOut, w1: [...w1], b1: [...b1], w2: [...w2], b2: [...b2] });

  const order = Array.from({ length: n }, (_, i) => i);
  const h = new Float64Array(H);
  const dh = new Float64Array(H);
  const logits = new Array<number>(nOut).fill(0);
  let step = 0;
  const [b1a, b2a] = [0.9, 0.999];
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < n; start += p.batchSize) {
      const batch = order.slice(start, start + p.batchSize);
      for (const g of grads) g.fill(0);
      const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
      for (const idx of batch) {
        const z = Z[idx]!;
        for (let k = 0; k < H; k++) h[k] = b1[k]!;
        for (let j = 0; j < nIn; j++) {
          const zj = z[j]!;
          const row = j * H;
          for (let k = 0; k < H; k++) h[k]! += zj * w1[row + k]!;
        }
        for (let k = 0; k < H; k++) if (h[k]! < 0) h[k] = 0;
        for (let c = 0; c < nOut; c++) {
          let s = b2[c]!;
          for (let k = 0; k < H; k++) s += h[k]! * w2[k * nOut + c]!;
          logits[c] = s;
        }
        const prob = softmax(logits);
        dh.fill(0);
        for (let c = 0; c < nOut; c++) {
          const d = (prob[c]! - (y[idx] === c ? 1 : 0)) / batch.length;
          gb2[c]! += d;
          for (let k = 0; k < H; k++) {
            gw2[k * nOut + c]! += h[k]! * d;
            dh[k]! += w2[k * nOut + c]! * d;
          }
        }
        for (let k = 0; k < H; k++) if (h[k]! <= 0) dh[k] = 0;
        for (let j = 0; j < nIn; j++) {
          const zj = z[j]!;
          if (zj === 0) continue;
          const row = j * H;
          for (let k = 0; k < H; k++) gw1[row + k]! += zj * dh[k]!;
        }
        for (let k = 0; k < H; k++) gb1[k]! += dh[k]!;
      }
      for (let j = 0; j < w1.length; j++) gw1[j]! += p.l2 * w1[j]!;
      for (let j = 0; j < w2.length; j++) gw2[j]! += p.l2 * w2[j]!;
      step++;
      const c1 = 1 - Math.pow(b1a, step);
      const c2 = 1 - Math.pow(b2a, step);
      params.forEach((w, q) => {
        const g = grads[q]!;
        const m = m1[q]!;
        const v = v1[q]!;
        for (let j = 0; j < w.length; j++) {
          m[j] = b1a * m[j]! + (1 - b1a) * g[j]!;
          v[j] = b2a * v[j]! + (1 - b2a) * g[j]! * g[j]!;
          w[j]! -= (p.learningRate * (m[j]! / c1)) / (Math.sqrt(v[j]! / c2) + 1e-8);
        }
      });
    }
  }
  return model();
}

/** Rounds a model's numbers so the stored file stays small (5 significant digits). */
export function compactMlp(m: MlpModel): MlpModel {
  const r = (v: number): number => Number(v.toPrecision(5));
  return {
    ...m,
    fill: m.fill.map((v) => Number(v.toPrecision(7))),
    mean: m.mean.map((v) => Number(v.toPrecision(7))),
    scale: m.scale.map((v) => Number(v.toPrecision(7))),
    w1: m.w1.map(r),
    b1: m.b1.map(r),
    w2: m.w2.map(r),
    b2: m.b2.map(r),
  };
}
