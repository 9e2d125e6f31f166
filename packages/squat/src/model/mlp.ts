import { softmax, type FeatureRow } from './gbdt';

/**
 * A one-hidden-layer perceptron (ReLU, softmax) for the rep classifier. Inputs are imputed (train
 * median) and standardised with stored statistics, so inference is a fixed, tiny computation.
 * Training (the lab's `trainMlp`): mini-batch Adam with L2, seeded initialisation and shuffling (deterministic).
 */

/** A fitted MLP: standardisation, hidden layer `w1` (nIn x nHidden, row-major), output `w2` (nHidden x nOut). */
export interface MlpModel {
  readonly kind: 'mlp';
  readonly fill: readonly number[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly nHidden: number;
  readonly nOut: number;
  readonly w1: readonly number[];
  readonly b1: readonly number[];
  readonly w2: readonly number[];
  readonly b2: readonly number[];
}

/** Imputed, standardised copy of one input row. */
export function standardize(m: Pick<MlpModel, 'fill' | 'mean' | 'scale'>, x: FeatureRow): Float64Array {
  const z = new Float64Array(m.mean.length);
  for (let j = 0; j < z.length; j++) {
    const v = x[j];
    const w = v === null || v === undefined || !Number.isFinite(v) ? m.fill[j]! : v;
    z[j] = (w - m.mean[j]!) / m.scale[j]!;
  }
  return z;
}

function forwardHidden(m: MlpModel, z: Float64Array, h: Float64Array): void {
  const nIn = z.length;
  for (let k = 0; k < m.nHidden; k++) h[k] = m.b1[k]!;
  for (let j = 0; j < nIn; j++) {
    const zj = z[j]!;
    if (zj === 0) continue;
    const row = j * m.nHidden;
    for (let k = 0; k < m.nHidden; k++) h[k]! += zj * m.w1[row + k]!;
  }
  for (let k = 0; k < m.nHidden; k++) if (h[k]! < 0) h[k] = 0;
}

export function mlpPredictProba(m: MlpModel, x: FeatureRow): number[] {
  const z = standardize(m, x);
  const h = new Float64Array(m.nHidden);
  forwardHidden(m, z, h);
  const out: number[] = [];
  for (let c = 0; c < m.nOut; c++) {
    let s = m.b2[c]!;
    for (let k = 0; k < m.nHidden; k++) s += h[k]! * m.w2[k * m.nOut + c]!;
    out.push(s);
  }
  return softmax(out);
}
