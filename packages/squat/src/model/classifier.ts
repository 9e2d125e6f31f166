import { forestPredictProba, type ForestModel } from './forest';
import { gbdtPredictProba, type FeatureRow, type GbdtModel } from './gbdt';
import { knnPredictProba, type KnnModel } from './knn';
import { mlpPredictProba, type MlpModel } from './mlp';

/** An averaged ensemble of members (seeds and/or model kinds); probabilities are weight-averaged. */
export interface EnsembleModel {
  readonly kind: 'ensemble';
  readonly members: ReadonlyArray<GbdtModel | MlpModel | KnnModel | ForestModel>;
  readonly weights: readonly number[];
}

/** Any rep classifier the package can run. */
export type Classifier = GbdtModel | MlpModel | KnnModel | ForestModel | EnsembleModel;

/** Class probabilities for one feature row. */
export function predictProba(model: Classifier, x: FeatureRow): number[] {
  switch (model.kind) {
    case 'gbdt':
      return gbdtPredictProba(model, x);
    case 'mlp':
      return mlpPredictProba(model, x);
    case 'knn':
      return knnPredictProba(model, x);
    case 'forest':
      return forestPredictProba(model, x);
    case 'ensemble': {
      let acc: number[] | null = null;
      let wsum = 0;
      model.members.forEach((m, i) => {
        const w = model.weights[i] ?? 1;
        const p = predictProba(m, x);
        acc = acc === null ? p.map((v) => v * w) : acc.map((v, k) => v + w * (p[k] ?? 0));
        wsum += w;
      });
      const out: number[] = acc ?? [];
      return wsum > 0 ? out.map((v) => v / wsum) : out;
    }
  }
}
