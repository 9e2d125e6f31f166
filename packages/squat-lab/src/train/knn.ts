// Fitting of the k-nearest-neighbour classifier whose inference is in @squirret/squat.
import { quantize, type FeatureRow, type KnnModel } from '@squirret/squat';

function isPresent(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

/** Training settings of `trainKnn`. */
export interface KnnParams {
  readonly k: number;
  readonly clip: number;
}

export const DEFAULT_KNN_PARAMS: KnnParams = { k: 3, clip: 5 };

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

