import type { FeatureRow } from './gbdt';

/**
 * A k-nearest-neighbour rep classifier: the train reps, standardised, clipped and quantised to one
 * signed byte per feature, compared by L1 distance; the k nearest vote with weight 1 / distance.
 * Why: the recordings come in runs of the same person repeating the same movement, and the nearest
 * reps of that run are often a better judge than the trees' thresholds (see the package README for
 * what this does and does not say about new people). Cost: one pass over the stored rows per rep
 * (1,054 × 464 bytes, about 1 ms), nothing per frame.
 */
export interface KnnModel {
  readonly kind: 'knn';
  readonly nClasses: number;
  readonly k: number;
  /** Standardisation per feature: z = (x - mean) / scale; a missing value is z = 0 (the mean). */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** z is clipped to ±clip and stored as round(z / clip * 127). */
  readonly clip: number;
  /** The stored rows, row-major, one signed byte per feature, base64. */
  readonly rows: string;
  /** Class index of each stored row. */
  readonly labels: readonly number[];
}

/** Training settings of `trainKnn`. */
export interface KnnParams {
  readonly k: number;
  readonly clip: number;
}

export const DEFAULT_KNN_PARAMS: KnnParams = { k: 3, clip: 5 };

const QUANT = 127;

function isPresent(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

function quantize(x: FeatureRow, mean: readonly number[], scale: readonly number[], clip: number, out: Int8Array, offset: number): void {
  for (let j = 0; j < mean.length; j++) {
    const v = x[j];
    const z = isPresent(v) ? (v - mean[j]!) / scale[j]! : 0;
    out[offset + j] = Math.round((Math.max(-clip, Math.min(clip, z)) / clip) * QUANT);
  }
}

/** Stores the rows (standardised with their own mean and standard deviation) for `knnPredictProba`. */
export function trainKnn(X: readonly FeatureRow[], y: readonly number[], nClasses: number, params: KnnParams = DEFAULT_KNN_PARAMS): KnnModel {
  if (X.length === 0 || X.length !== y.length) throw new Error('trainKnn: need as many labels as rows, at least one');
  if (!Number.isInteger(params.k) || params.k < 1 || params.k > X.length) throw new Error(`trainKnn: k must be an integer in [1, ${X.length}]`);
  const n = X[0]!.length;
  const mean = new Array<number>(n).fill(0);
  const scale = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    let sum = 0;
    let count = 0;
    for (const x of X) {
      const v = x[j];
      if (isPresent(v)) {
        sum += v;
        count++;
      }
    }
    const m = count > 0 ? sum / count : 0;
    let ss = 0;
    for (const x of X) {
      const v = x[j];
      if (isPresent(v)) ss += (v - m) ** 2;
    }
    mean[j] = m;
    scale[j] = count > 0 && ss > 0 ? Math.sqrt(ss / count) : 1;
  }
  const bytes = new Int8Array(X.length * n);
  X.forEach((x, i) => quantize(x, mean, scale, params.clip, bytes, i * n));
  return {
    kind: 'knn',
    nClasses,
    k: params.k,
    mean,
    scale,
    clip: params.clip,
    rows: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    labels: [...y],
  };
}

/** Decoded rows are cached per model object, so a rep costs the distance pass only. */
const decoded = new WeakMap<KnnModel, Int8Array>();

function rowsOf(model: KnnModel): Int8Array {
  let rows = decoded.get(model);
  if (!rows) {
    const buf = Buffer.from(model.rows, 'base64');
    rows = new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (rows.length !== model.labels.length * model.mean.length) throw new Error('knn model: rows do not match labels × features');
    decoded.set(model, rows);
  }
  return rows;
}

/** Class probabilities: the k nearest stored rows (L1), each voting 1 / distance. */
export function knnPredictProba(model: KnnModel, x: FeatureRow): number[] {
  const rows = rowsOf(model);
  const n = model.mean.length;
  const q = new Int8Array(n);
  quantize(x, model.mean, model.scale, model.clip, q, 0);
  const k = model.k;
  // the k best so far, kept sorted by distance (k is small)
  const bestD = new Array<number>(k).fill(Infinity);
  const bestY = new Array<number>(k).fill(-1);
  for (let i = 0, off = 0; i < model.labels.length; i++, off += n) {
    let d = 0;
    for (let j = 0; j < n; j++) d += Math.abs(rows[off + j]! - q[j]!);
    if (d >= bestD[k - 1]!) continue;
    let p = k - 1;
    while (p > 0 && bestD[p - 1]! > d) {
      bestD[p] = bestD[p - 1]!;
      bestY[p] = bestY[p - 1]!;
      p--;
    }
    bestD[p] = d;
    bestY[p] = model.labels[i]!;
  }
  const votes = new Array<number>(model.nClasses).fill(0);
  // distances in standard deviations (summed over features); +1e-6 keeps an exact match finite
  const unit = model.clip / QUANT;
  for (let p = 0; p < k; p++) if (bestY[p]! >= 0) votes[bestY[p]!]! += 1 / (bestD[p]! * unit + 1e-6);
  const total = votes.reduce((a, b) => a + b, 0);
  return votes.map((v) => v / total);
}
