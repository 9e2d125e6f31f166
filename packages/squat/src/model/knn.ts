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

/** Quantisation steps per clip range (one signed byte). */
export const KNN_QUANT = 127;

function isPresent(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

export function quantize(x: FeatureRow, mean: readonly number[], scale: readonly number[], clip: number, out: Int8Array, offset: number): void {
  for (let j = 0; j < mean.length; j++) {
    const v = x[j];
    const z = isPresent(v) ? (v - mean[j]!) / scale[j]! : 0;
    out[offset + j] = Math.round((Math.max(-clip, Math.min(clip, z)) / clip) * KNN_QUANT);
  }
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
  const unit = model.clip / KNN_QUANT;
  for (let p = 0; p < k; p++) if (bestY[p]! >= 0) votes[bestY[p]!]! += 1 / (bestD[p]! * unit + 1e-6);
  const total = votes.reduce((a, b) => a + b, 0);
  return votes.map((v) => v / total);
}
