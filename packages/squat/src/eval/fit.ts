#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FORM_CLASSES, type FormClass } from '../analysis.types';
import { alignFeatures } from '../judge';
import { predictProba, type Classifier } from '../model/classifier';
import { DEFAULT_GBDT_PARAMS, compactGbdt, seededRandom, trainGbdt, type FeatureRow, type GbdtParams } from '../model/gbdt';
import { compactMlp, trainMlp, type MlpParams } from '../model/mlp';
import type { FittedModel, LiveThresholds } from '../model/model.types';
import { fitThreshold, type ThresholdDirection } from '../model/threshold';
import { REP_FEATURE_NAMES } from '../rep-features';
import { runSplit } from './collect';
import { DATASETS_ENV } from './dataset';

/**
 * `node packages/squat/dist/eval/fit.js [--cv] [--out FILE] [--datasets DIR]`
 * Fits the rep classifier and the live thresholds on the TRAIN split of ai_trainer_squat3d only and
 * writes them to src/model/fitted-model.ts (rebuild afterwards). `--cv` also prints a stratified
 * 5-fold cross-validation accuracy on train, the only figure used to choose settings.
 */

/**
 * The rep classifier: an average of small MLPs (different seeds) and one boosted-tree model. Chosen by
 * 5-fold CV on train (GBDT alone ~0.92, MLPs alone ~0.925, the average ~0.93).
 */
export interface ModelSpec {
  readonly mlpSeeds: readonly number[];
  readonly mlp: Omit<MlpParams, 'seed'>;
  readonly gbdtSeeds: readonly number[];
  readonly gbdt: Omit<GbdtParams, 'seed'>;
}

export const MODEL_SPEC: ModelSpec = {
  mlpSeeds: [1, 2, 3],
  mlp: { hidden: 64, l2: 1e-2, epochs: 100, batchSize: 128, learningRate: 3e-3 },
  gbdtSeeds: [1],
  gbdt: DEFAULT_GBDT_PARAMS,
};

/** Trains the ensemble of `spec` on rows X, labels y (indices into FORM_CLASSES). */
export function trainClassifier(X: readonly FeatureRow[], y: readonly number[], spec: ModelSpec = MODEL_SPEC): Classifier {
  const k = FORM_CLASSES.length;
  const members = [
    ...spec.mlpSeeds.map((seed) => compactMlp(trainMlp(X, y, k, { ...spec.mlp, seed }))),
    ...spec.gbdtSeeds.map((seed) => compactGbdt(trainGbdt(X, y, k, { ...spec.gbdt, seed }))),
  ];
  return { kind: 'ensemble', members, weights: members.map(() => 1) };
}

/** Side-view thresholds are not fitted (no labelled side-view data); values from the literature / the README's 3D medians. */
const SIDE_TRUNK_LEAN_MAX_DEG = 60;
const SIDE_ANKLE_RISE_MAX = 0.03;

/** Live rules fire on at most 5% of the train reps without that fault (per rule, per rep). */
const LIVE_MIN_TNR = 0.95;

interface Sample {
  readonly x: FeatureRow;
  readonly y: number;
  readonly truth: FormClass;
}

function stratifiedFolds(samples: readonly Sample[], k: number, seed: number): number[] {
  const rnd = seededRandom(seed);
  const fold = new Array<number>(samples.length).fill(0);
  for (let c = 0; c < FORM_CLASSES.length; c++) {
    const idx = samples.map((s, i) => (s.y === c ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    idx.forEach((i, n) => (fold[i] = n % k));
  }
  return fold;
}

function argmax(p: readonly number[]): number {
  let b = 0;
  p.forEach((v, i) => {
    if (v > p[b]!) b = i;
  });
  return b;
}

export function crossValidate(
  samples: readonly Sample[],
  spec: ModelSpec,
  k = 5,
): { accuracy: number; perClass: Record<string, number>; confusion: number[][] } {
  const fold = stratifiedFolds(samples, k, 7);
  let correct = 0;
  const hit = new Array<number>(FORM_CLASSES.length).fill(0);
  const tot = new Array<number>(FORM_CLASSES.length).fill(0);
  const confusion = FORM_CLASSES.map(() => new Array<number>(FORM_CLASSES.length).fill(0));
  for (let f = 0; f < k; f++) {
    const tr = samples.filter((_, i) => fold[i] !== f);
    const te = samples.filter((_, i) => fold[i] === f);
    const m = trainClassifier(tr.map((s) => s.x), tr.map((s) => s.y), spec);
    for (const s of te) {
      const p = argmax(predictProba(m, s.x));
      tot[s.y]!++;
      confusion[s.y]![p]!++;
      if (p === s.y) {
        correct++;
        hit[s.y]!++;
      }
    }
  }
  return {
    confusion,
    accuracy: correct / samples.length,
    perClass: Object.fromEntries(FORM_CLASSES.map((c, i) => [c, Math.round((hit[i]! / Math.max(1, tot[i]!)) * 1000) / 1000])),
  };
}

function fitLiveThresholds(samples: readonly Sample[]): { thresholds: LiveThresholds; notes: string[] } {
  const col = (name: string): Array<number | null> => {
    const i = REP_FEATURE_NAMES.indexOf(name);
    return samples.map((s) => s.x[i] ?? null);
  };
  const notes: string[] = [];
  const fit = (name: string, classes: readonly FormClass[], dir: ThresholdDirection, minTnr?: number): number => {
    const r = fitThreshold(col(name), samples.map((s) => classes.includes(s.truth)), dir, minTnr);
    notes.push(`${name} ${dir} ${r.threshold.toFixed(4)} flags ${classes.join('+')}: TPR ${r.truePositiveRate.toFixed(3)}, TNR ${r.trueNegativeRate.toFixed(3)}`);
    return Number(r.threshold.toPrecision(4));
  };
  const thresholds: LiveThresholds = {
    trunkLeanMaxDeg: fit('trunkLean_max', ['bending_forward'], 'above', LIVE_MIN_TNR),
    kneeAnkleWidthMin: fit('kneeAnkleWidth_min', ['knees_caving'], 'below', LIVE_MIN_TNR),
    ankleRiseMax: fit('ankleRise_max', ['toes_lifting', 'heels_lifting'], 'above', LIVE_MIN_TNR),
    shinRatioMin: fit('shinRatio_bottom', ['heels_lifting'], 'below', LIVE_MIN_TNR),
    depthMin: fit('maxDepth', ['no_depth'], 'below'),
    sideTrunkLeanMaxDeg: SIDE_TRUNK_LEAN_MAX_DEG,
    sideAnkleRiseMax: SIDE_ANKLE_RISE_MAX,
  };
  return { thresholds, notes };
}

function renderModelFile(model: FittedModel): string {
  return [
    '// GENERATED by `node packages/squat/dist/eval/fit.js` from the train split of ai_trainer_squat3d.',
    '// Do not edit by hand; re-run fit and rebuild.',
    "import type { FittedModel } from './model.types';",
    '',
    `export const FITTED_MODEL: FittedModel = ${JSON.stringify(model)};`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const cv = argv.includes('--cv');
  const outIdx = argv.indexOf('--out');
  const dsIdx = argv.indexOf('--datasets');
  const out = outIdx >= 0 ? resolve(argv[outIdx + 1] ?? '') : resolve(__dirname, '..', '..', 'src', 'model', 'fitted-model.ts');
  const datasets = dsIdx >= 0 ? argv[dsIdx + 1] : process.env[DATASETS_ENV];

  // train split ONLY: the test split is never read here
  const results = await runSplit('train', { includeFeatures: true, ...(datasets ? { datasets } : {}) });
  const samples: Sample[] = [];
  let skipped = 0;
  for (const r of results) {
    const f = r.result.summary?.features;
    if (!f || r.result.summary?.view !== 'front') {
      skipped++;
      continue;
    }
    samples.push({ x: alignFeatures(f, REP_FEATURE_NAMES), y: FORM_CLASSES.indexOf(r.truth), truth: r.truth });
  }
  console.log(`train: ${results.length} recordings, ${samples.length} front-view reps used, ${skipped} skipped (no rep or not front view)`);

  if (cv) {
    const t0 = process.hrtime.bigint();
    const r = crossValidate(samples, MODEL_SPEC);
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`5-fold CV on train: accuracy ${r.accuracy.toFixed(4)} per class ${JSON.stringify(r.perClass)} (${sec.toFixed(1)} s)`);
    FORM_CLASSES.forEach((c, i) => console.log(`  cv ${c.padEnd(16)} ${r.confusion[i]!.join(' ')}`));
  }

  const classifier = trainClassifier(samples.map((s) => s.x), samples.map((s) => s.y));
  const { thresholds, notes } = fitLiveThresholds(samples);
  for (const n of notes) console.log(`threshold: ${n}`);
  const model: FittedModel = {
    version: 1,
    fittedOn:
      `ai_trainer_squat3d train split (${samples.length} reps): mean of ${MODEL_SPEC.mlpSeeds.length} MLP(${MODEL_SPEC.mlp.hidden}) ` +
      `+ ${MODEL_SPEC.gbdtSeeds.length} GBDT(${MODEL_SPEC.gbdt.rounds}x depth ${MODEL_SPEC.gbdt.maxDepth})`,
    featureNames: REP_FEATURE_NAMES,
    classes: FORM_CLASSES,
    classifier,
    thresholds,
  };
  writeFileSync(out, renderModelFile(model));
  console.log(`wrote ${out}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
