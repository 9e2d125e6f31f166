// The rep classifier's spec, its training, cross-validation (stratified or by capture session) and the live thresholds' fitting.
import {
  FORM_CLASSES,
  predictProba,
  seededRandom,
  type Classifier,
  type EnsembleModel,
  type FeatureRow,
  type FittedModel,
  type FormClass,
  type LiveThresholds,
  type ModelPose,
} from '@squirret/squat';
import { trainForest, type ForestParams } from '../train/forest';
import { DEFAULT_GBDT_PARAMS, compactGbdt, trainGbdt, type GbdtParams } from '../train/gbdt';
import { trainKnn, type KnnParams } from '../train/knn';
import { compactMlp, trainMlp, type MlpParams } from '../train/mlp';
import { fitThreshold, type ThresholdDirection } from '../train/threshold';
import { DEFAULT_AUGMENT_RANGE, WIDE_AUGMENT_RANGE, type AugmentSet } from './augment';
import { FAULTS, type Fault } from './metrics';

/**
 * The rep classifier: an average of boosted-tree models (different seeds), trained on the train
 * recordings plus camera-perturbed copies of each (`augment`, see `augment.ts`). MLP members are
 * supported (trained on the recordings alone unless `augmentMlp`) but not used. Chosen by 5-fold CV
 * on train (copies of a recording stay in its fold; only the recordings themselves are scored). With
 * the perspective/arm/head series: 3 MLPs + 1 GBDT (the previous mix) 0.944; + copies for the trees
 * 0.949; depth-4 trees with copies 0.951-0.953 each, 3 of them 0.952, adding 3 MLPs 0.949 (baseline 0.930).
 * Also tried on the same folds, without a clear gain, so not used: a small 1D CNN (TensorFlow.js) over
 * the rep's series resampled to 44 steps (series and change from standing; window 5 or 7, stride 2,
 * 24 units, avg+max pooling) alone 0.918-0.933, as 20-30% of the mix 0.9516-0.9526; left-right mirrored
 * copies for the trees 0.9507, and averaging over the mirrored rep at test time 0.9516 / 0.9507.
 * Then the wider (±30°) copies beside the ±12° ones: stratified 0.9516 -> 0.9488, but by session
 * 0.702 -> 0.728 and with the camera turned 30° 0.893 -> 0.935 (the package README has the table).
 * Then every copy also made by another body (segments and widths ±20%): by session 0.728 -> 0.740
 * (and 0.715 -> 0.733 with other copy seeds), stratified 0.9488 -> 0.9478.
 */
export interface ModelSpec {
  readonly mlpSeeds: readonly number[];
  readonly mlp: Omit<MlpParams, 'seed'>;
  readonly gbdtSeeds: readonly number[];
  readonly gbdt: Omit<GbdtParams, 'seed'>;
  /** Camera-perturbed copies of each train recording made for fitting. */
  readonly augment: readonly AugmentSet[];
  /** Which member kinds are trained on the copies as well as on the recordings. */
  readonly augmentMlp: boolean;
  readonly augmentGbdt: boolean;
  /**
   * A nearest-neighbour member over the recordings (never the copies) and its share of the averaged
   * probabilities (the other members share the rest equally); null for none.
   */
  readonly knn: (KnnParams & { readonly share: number }) | null;
  /**
   * Random-forest members (one per seed, trained on the copies too when `augmentGbdt`) and their
   * summed share of the averaged probabilities (the boosted trees share the rest equally); null for none.
   */
  readonly forest: { readonly params: Omit<ForestParams, 'seed'>; readonly seeds: readonly number[]; readonly share: number } | null;
  /** Written into the model: per joint, the fault probability that flags it when another class wins. */
  readonly jointProbabilityMin: FittedModel['jointProbabilityMin'] | null;
  /**
   * The boosted trees' row weights: absent or 'none', every row 1; 'session', each capture session
   * (the date in the recording's name) weighs the same in all (a lab probe, round 10); 'sqrt-session',
   * a session weighs the square root of its size.
   */
  readonly weighting?: 'none' | 'session' | 'sqrt-session';
}

/** Each copy is also another body: segment lengths and widths within ±20% (see `rescaleBody`). */
const BODY_PROPORTIONS = 0.2;

export const MODEL_SPEC: ModelSpec = {
  mlpSeeds: [],
  mlp: { hidden: 64, l2: 1e-2, epochs: 100, batchSize: 128, learningRate: 3e-3 },
  gbdtSeeds: [1, 2, 3],
  gbdt: { ...DEFAULT_GBDT_PARAMS, maxDepth: 4 },
  augment: [
    { copies: 4, range: { ...DEFAULT_AUGMENT_RANGE, proportions: BODY_PROPORTIONS }, seedBase: 1000 },
    { copies: 4, range: { ...WIDE_AUGMENT_RANGE, proportions: BODY_PROPORTIONS }, seedBase: 5000 },
  ],
  augmentMlp: false,
  augmentGbdt: true,
  knn: null,
  forest: null,
  // Rule set before looking: per joint, the floor of JOINT_FLOOR_GRID with the best F1 of the joint's
  // verdict over the stratified CV's held-out probabilities (ties: the higher floor), kept only if it
  // beats the top class alone by 0.005 F1 and is no worse by session. Only the ankle qualified:
  // F1 0.948 -> 0.958 at 0.2 (by session 0.702 -> 0.707); lumbar, knee and depth gained < 0.005.
  jointProbabilityMin: { ankle: 0.2 },
};

/**
 * The BlazePose path's spec: the same boosted trees (and copies) plus one random forest holding half
 * of the averaged probabilities. Chosen on the by-session CV only (NOTEBOOK round 9): forests alone
 * 0.753-0.771, the boosted tree alone 0.776, half and half 0.782 (same folds, forest seed 1).
 */
export const BLAZEPOSE_MODEL_SPEC: ModelSpec = {
  ...MODEL_SPEC,
  forest: {
    params: { trees: 100, featureShare: 0.15, minLeaf: 3, maxDepth: 30, sampleShare: 1, groupBootstrap: true, maxBins: 48 },
    seeds: [1],
    share: 0.5,
  },
};

/** The spec each pose path is fitted with (MoveNet keeps the boosted trees alone). */
export const modelSpecOf = (pose: ModelPose): ModelSpec => (pose === 'blazepose' ? BLAZEPOSE_MODEL_SPEC : MODEL_SPEC);

/** A train row: its features, class index, and 0 for a recording or the copy number of an augmented copy. */
export interface TrainRow {
  readonly x: FeatureRow;
  readonly y: number;
  readonly aug: number;
  /** The recording it comes from (a copy shares its recording's): the forest's group bootstrap draws by it. */
  readonly recording?: string;
}

/** A capture session: the date in `recording_DDMMYYYY_HHMMSS`. */
const sessionOf = (recording: string): string => recording.split('_')[1] ?? recording;

/** Row weights for `weighting` (mean 1), or undefined for equal weights. */
function rowWeights(rows: readonly TrainRow[], weighting: NonNullable<ModelSpec['weighting']>): number[] | undefined {
  if (weighting === 'none') return undefined;
  const size = new Map<string, number>();
  for (const r of rows) {
    const s = sessionOf(r.recording ?? '');
    size.set(s, (size.get(s) ?? 0) + 1);
  }
  const raw = rows.map((r) => {
    const n = size.get(sessionOf(r.recording ?? ''))!;
    return weighting === 'session' ? 1 / n : 1 / Math.sqrt(n);
  });
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((w) => w / mean);
}

/** Trains the ensemble of `spec` on `rows` (augmented copies are used by the member kinds that want them). */
export function trainClassifier(rows: readonly TrainRow[], spec: ModelSpec = MODEL_SPEC): Classifier {
  const k = FORM_CLASSES.length;
  const pick = (augmented: boolean): { X: FeatureRow[]; y: number[]; groups: string[]; weights: number[] | undefined } => {
    const r = rows.filter((s) => s.aug === 0 || augmented);
    return { X: r.map((s) => s.x), y: r.map((s) => s.y), groups: r.map((s, i) => s.recording ?? String(i)), weights: rowWeights(r, spec.weighting ?? 'none') };
  };
  const m = pick(spec.augmentMlp);
  const g = pick(spec.augmentGbdt);
  const members: EnsembleModel['members'][number][] = [
    ...spec.mlpSeeds.map((seed) => compactMlp(trainMlp(m.X, m.y, k, { ...spec.mlp, seed }))),
    ...spec.gbdtSeeds.map((seed) => compactGbdt(trainGbdt(g.X, g.y, k, { ...spec.gbdt, seed }, g.weights))),
  ];
  const weights = members.map(() => 1);
  if (spec.forest && spec.forest.seeds.length > 0) {
    const { params, seeds, share } = spec.forest;
    const others = weights.length;
    // each forest's weight w: seeds * w / (others + seeds * w) = share (all of it when there is nothing else)
    const w = others === 0 ? 1 : (share / (1 - share)) * (others / seeds.length);
    for (const seed of seeds) {
      members.push(trainForest(g.X, g.y, k, { ...params, seed }, g.groups));
      weights.push(w);
    }
  }
  if (spec.knn) {
    const r = pick(false);
    members.push(trainKnn(r.X, r.y, k, spec.knn));
    // the kNN's share of the mean: w / (others + w) = share
    weights.push(weights.length === 0 ? 1 : (spec.knn.share / (1 - spec.knn.share)) * weights.length);
  }
  return { kind: 'ensemble', members, weights };
}

/** Side-view thresholds are not fitted (no labelled side-view data); values from the literature / the README's 3D medians. */
const SIDE_TRUNK_LEAN_MAX_DEG = 60;
const SIDE_ANKLE_RISE_MAX = 0.03;

/** Live rules fire on at most 5% of the train reps without that fault (per rule, per rep). */
const LIVE_MIN_TNR = 0.95;

/** A train rep for fitting and CV: its row, class, recording and (for a turned view) the camera angle. */
export interface Sample extends TrainRow {
  readonly recording: string;
  readonly truth: FormClass;
  /** Set on a recording seen by a turned camera: scored with its recording's fold, never trained on. */
  readonly turnedDeg?: number;
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

/**
 * Folds by capture session: a recording's session is the date in its name
 * (`recording_DDMMYYYY_HHMMSS`); the dataset's people recorded in runs per day, so a session stands
 * for "people the model has not seen". Whole sessions go to the smallest fold, largest first.
 */
export function sessionFolds(recordings: readonly string[], k: number): number[] {
  const session = (r: string): string => r.split('_')[1] ?? r;
  const size = new Map<string, number>();
  for (const r of recordings) size.set(session(r), (size.get(session(r)) ?? 0) + 1);
  const load = new Array<number>(k).fill(0);
  const foldOfSession = new Map<string, number>();
  for (const [name, n] of [...size].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const f = load.indexOf(Math.min(...load));
    foldOfSession.set(name, f);
    load[f]! += n;
  }
  return recordings.map((r) => foldOfSession.get(session(r))!);
}

export type CvMode = 'stratified' | 'sessions';

/** One recording's held-out prediction. */
export interface OutOfFold {
  readonly recording: string;
  readonly y: number;
  readonly p: readonly number[];
  readonly fold?: number;
  readonly members?: ReadonlyArray<readonly number[]>;
}

/** What `crossValidate` reports. */
export interface CvResult {
  readonly accuracy: number;
  readonly perClass: Record<string, number>;
  readonly confusion: number[][];
  /** Per turned-camera angle (absolute degrees): accuracy over the turned recordings scored, and how many. */
  readonly turned: Record<string, { accuracy: number; n: number }>;
  /**
   * Each scored recording's class probabilities from the fold that held it out (FORM_CLASSES order),
   * its fold, and each ensemble member's own probabilities (one member per seed: the seeds' spread).
   */
  readonly outOfFold: ReadonlyArray<OutOfFold>;
}

/**
 * The by-session folds as a loop for probes: for each fold, the classifier of `spec` trained on the
 * other folds' rows (copies included) and that fold's recordings (`aug` 0) handed to `onFold`.
 */
export function crossValidateSessions(samples: readonly Sample[], spec: ModelSpec, onFold: (model: Classifier, held: readonly Sample[], fold: number) => void, k = 5): void {
  const originals = samples.filter((s) => s.aug === 0 && s.turnedDeg === undefined);
  const fold = sessionFolds(originals.map((s) => s.recording), k);
  const foldOf = new Map(originals.map((s, i) => [s.recording, fold[i]!]));
  for (let f = 0; f < k; f++) {
    const model = trainClassifier(samples.filter((s) => s.turnedDeg === undefined && foldOf.get(s.recording) !== f), spec);
    onFold(model, originals.filter((_, i) => fold[i] === f), f);
  }
}

/**
 * k-fold CV over the recordings (`aug` 0); an augmented copy goes to the fold of its recording and is
 * only ever trained on, never scored. A turned-camera view (`turnedDeg`) is never trained on and is
 * scored, separately, with its recording's fold. `stratified` folds mix every session (as the
 * dataset's own train/test split does); `sessions` folds hold out whole capture sessions (new people).
 */
export function crossValidate(samples: readonly Sample[], spec: ModelSpec, mode: CvMode = 'stratified', k = 5): CvResult {
  const originals = samples.filter((s) => s.aug === 0 && s.turnedDeg === undefined);
  const turnedRows = samples.filter((s) => s.turnedDeg !== undefined);
  const turnedHits = new Map<number, { hit: number; n: number }>();
  const fold = mode === 'stratified' ? stratifiedFolds(originals, k, 7) : sessionFolds(originals.map((s) => s.recording), k);
  const foldOf = new Map(originals.map((s, i) => [s.recording, fold[i]!]));
  let correct = 0;
  const hit = new Array<number>(FORM_CLASSES.length).fill(0);
  const tot = new Array<number>(FORM_CLASSES.length).fill(0);
  const confusion = FORM_CLASSES.map(() => new Array<number>(FORM_CLASSES.length).fill(0));
  const outOfFold: OutOfFold[] = [];
  for (let f = 0; f < k; f++) {
    const tr = samples.filter((s) => s.turnedDeg === undefined && foldOf.get(s.recording) !== f);
    const te = originals.filter((_, i) => fold[i] === f);
    const m = trainClassifier(tr, spec);
    for (const s of turnedRows) {
      if (foldOf.get(s.recording) !== f) continue;
      const deg = Math.abs(s.turnedDeg!);
      const t = turnedHits.get(deg) ?? { hit: 0, n: 0 };
      t.n++;
      if (argmax(predictProba(m, s.x)) === s.y) t.hit++;
      turnedHits.set(deg, t);
    }
    for (const s of te) {
      const proba = predictProba(m, s.x);
      const members = m.kind === 'ensemble' ? m.members.map((mm) => predictProba(mm, s.x)) : [proba];
      outOfFold.push({ recording: s.recording, y: s.y, p: proba, fold: f, members });
      const p = argmax(proba);
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
    outOfFold,
    accuracy: correct / originals.length,
    perClass: Object.fromEntries(FORM_CLASSES.map((c, i) => [c, Math.round((hit[i]! / Math.max(1, tot[i]!)) * 1000) / 1000])),
    turned: Object.fromEntries([...turnedHits].sort((a, b) => a[0] - b[0]).map(([d, t]) => [String(d), { accuracy: t.hit / Math.max(1, t.n), n: t.n }])),
  };
}

/** Floors compared for `jointProbabilityMin` (null: the joint is bad only when its class wins). */
export const JOINT_FLOOR_GRID: ReadonlyArray<number | null> = [null, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2];

/** Precision, recall and F1 of one joint's "bad" verdict at one floor. */
export interface JointFloorScore {
  readonly floor: number | null;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/**
 * For each joint and each floor of the grid, how well "this joint is bad" is told over held-out
 * probabilities: bad when the top class faults the joint, when the summed probability of the
 * joint's classes reaches the floor, or when `alsoBad` says so (the live trunk-lean rule).
 */
export function jointFloorScores(
  outOfFold: CvResult['outOfFold'],
  alsoBad: (recording: string, joint: Fault) => boolean = () => false,
): Record<Fault, JointFloorScore[]> {
  const out = {} as Record<Fault, JointFloorScore[]>;
  for (const joint of Object.keys(FAULTS) as Fault[]) {
    const idx = FAULTS[joint].map((c) => FORM_CLASSES.indexOf(c));
    out[joint] = JOINT_FLOOR_GRID.map((floor) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const o of outOfFold) {
        const sum = idx.reduce((a, i) => a + (o.p[i] ?? 0), 0);
        const bad = idx.includes(argmax(o.p)) || (floor !== null && sum >= floor) || alsoBad(o.recording, joint);
        const truth = idx.includes(o.y);
        if (bad && truth) tp++;
        else if (bad) fp++;
        else if (truth) fn++;
      }
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
      return { floor, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
    });
  }
  return out;
}

/** The live rules' thresholds, fitted on the train recordings (rows aligned with `names`); the foot rules only for the BlazePose model. */
export function fitLiveThresholds(samples: readonly Sample[], names: readonly string[], pose: ModelPose): { thresholds: LiveThresholds; notes: string[] } {
  const col = (name: string): Array<number | null> => {
    const i = names.indexOf(name);
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
    ...(pose === 'blazepose'
      ? {
          heelRiseMax: fit('heelRise_max', ['heels_lifting'], 'above', LIVE_MIN_TNR),
          toeRiseMax: fit('toeRise_max', ['toes_lifting'], 'above', LIVE_MIN_TNR),
        }
      : {}),
  };
  return { thresholds, notes };
}

