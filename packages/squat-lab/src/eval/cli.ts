#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alignFeatures, judgeRepWithProbabilities, loadModelFile, type FittedModel, type ModelPose, type RepFeatureVector } from '@squirret/squat';
import { runSplit, type LabelledResult } from './collect';
import { DATASETS_ENV } from './dataset';
import { RESULTS_DIR, type BySessionResults } from './fit';
import { evaluate, type EvalReport } from './metrics';
import { replayOutOfFold } from './replay';
import type { RecordingResult } from './run';
import { checkStages, type StageCheck } from './stage-check';

/**
 * `node packages/squat-lab/dist/eval/cli.js [--models movenet,blazepose] [--yaw DEG] [--jitter SIGMA] [--limit N] [--datasets DIR]`
 * (root script: `npm run eval:squat`). For each pose path's shipped model (`packages/squat/models`):
 * - `bySession`: the 5-fold CV on train whose folds hold out whole capture sessions (people not
 *   seen), replayed through the analyzer's judge from the held-out predictions `fit` saved
 *   (results/<pose>.by-session.json, refused when it does not describe the shipped file), with each
 *   fold's calibration fitted on the other folds; the train recordings are streamed again for their
 *   rep vectors and the streaming rep count;
 * - `test`: the given test split streamed through the shipped analyzer (people seen in train).
 * Both with the confidence floors as shipped (`selective`) and without (`allJudged`). The LAST line is
 * the JSON report. `--yaw` / `--jitter` apply to the test split only (robustness figures).
 */

const USAGE = 'cli.js [--models movenet,blazepose] [--yaw DEG] [--jitter SIGMA] [--limit N] [--datasets DIR]';

interface Args {
  readonly models: readonly ModelPose[];
  readonly yaw?: number;
  readonly jitter?: number;
  readonly limit?: number;
  readonly datasets?: string;
}

function parseArgs(argv: readonly string[]): Args {
  let models: ModelPose[] = ['movenet', 'blazepose'];
  let yaw: number | undefined;
  let jitter: number | undefined;
  let limit: number | undefined;
  let datasets: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--models' && v !== undefined && v.split(',').every((m) => m === 'movenet' || m === 'blazepose')) {
      models = v.split(',') as ModelPose[];
      i++;
    } else if (a === '--yaw' && v !== undefined && Number(v) > 0 && Number(v) <= 90) {
      yaw = Number(v);
      i++;
    } else if (a === '--jitter' && v !== undefined && Number(v) > 0 && Number(v) <= 0.1) {
      jitter = Number(v);
      i++;
    } else if (a === '--limit' && v !== undefined && Number(v) > 0) {
      limit = Number(v);
      i++;
    } else if (a === '--datasets' && v !== undefined) {
      datasets = v;
      i++;
    } else {
      throw new Error(`unknown or incomplete argument "${a}"; usage: ${USAGE}`);
    }
  }
  return { models, ...(yaw !== undefined ? { yaw } : {}), ...(jitter !== undefined ? { jitter } : {}), ...(limit !== undefined ? { limit } : {}), ...(datasets !== undefined ? { datasets } : {}) };
}

/** The saved held-out predictions of `pose`, checked against the shipped model. */
export function readBySession(pose: ModelPose, model: FittedModel): BySessionResults {
  const file = join(RESULTS_DIR, `${pose}.by-session.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run the lab's fit for ${pose} (it writes the model and its by-session predictions together)`);
  const r = JSON.parse(readFileSync(file, 'utf8')) as BySessionResults;
  if (r.modelFittedOn !== model.fittedOn) throw new Error(`${file} describes "${r.modelFittedOn}", the shipped ${pose} model is "${model.fittedOn}": refit`);
  return r;
}

const withoutFloors = (m: FittedModel): FittedModel => {
  const { confidenceFloor: _dropped, goodConfidenceFloor: _good, ...rest } = m;
  void _dropped;
  void _good;
  return rest;
};

/** A streamed result's rep judged again by its path's model without confidence floors. */
function rejudged(r: RecordingResult, models: { readonly model: FittedModel; readonly feetModel?: FittedModel }): RecordingResult {
  const s = r.summary;
  if (!s || !s.probabilities || !s.features) return r;
  const m = withoutFloors(s.model === 'blazepose' && models.feetModel ? models.feetModel : models.model);
  const p = m.classes.map((c) => s.probabilities![c]);
  return { ...r, summary: { ...s, ...judgeRepWithProbabilities({ features: s.features, view: s.view }, p, m) } };
}

const r4 = (v: number): number => Math.round(v * 10000) / 10000;

/** A report trimmed to the figures the last line carries. */
function figures(r: EvalReport): Omit<EvalReport, 'confusion' | 'split'> {
  const { confusion: _c, split: _s, ...rest } = r;
  void _c;
  void _s;
  return rest;
}

/** The by-session report: streamed train results, front-view reps re-judged from their held-out predictions. */
function bySessionReport(train: readonly LabelledResult[], results: BySessionResults, model: FittedModel): EvalReport {
  // the train stream carries every feature (heels and toes included); each model reads its own by name
  const features = new Map<string, RepFeatureVector>();
  for (const t of train) {
    const f = t.result.summary?.features;
    if (f) features.set(t.label.recording, { names: model.featureNames, values: alignFeatures(f, model.featureNames) });
  }
  // with --limit only the streamed recordings are scored and calibrated on (a smoke run, not the figures)
  const streamed = results.outOfFold.filter((o) => features.has(o.recording));
  const replayed = new Map(replayOutOfFold(streamed, features, model).map((r) => [r.recording, r.judgement]));
  const rows = train.map((t) => {
    const j = replayed.get(t.label.recording);
    const s = t.result.summary;
    const result: RecordingResult = j && s ? { ...t.result, summary: { ...s, ...j } } : t.result;
    return { truth: t.truth, result };
  });
  return evaluate('train, 5-fold CV by capture session', rows);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const datasets = args.datasets ?? process.env[DATASETS_ENV];
  const ds = datasets ? { datasets } : {};
  const out: Record<string, unknown> = {};
  // one train stream serves both models: with heels and toes, so every rep vector has all the features
  // (the rep counter does not read the feet, so its count is the same on both paths)
  const shipped = { model: loadModelFile('movenet'), feetModel: loadModelFile('blazepose') };
  const train = await runSplit('train', { ...ds, models: shipped, pose: 'blazepose', includeFeatures: true, ...(args.limit !== undefined ? { limit: args.limit } : {}) });
  for (const pose of args.models) {
    const model = pose === 'blazepose' ? shipped.feetModel : shipped.model;
    const saved = readBySession(pose, model);
    console.log(`${pose}: ${model.fittedOn}`);
    const models = pose === 'blazepose' ? shipped : { model };
    const bySession = bySessionReport(train, saved, model);
    const bySessionAll = bySessionReport(train, saved, withoutFloors(model));
    const testOpts = { ...ds, pose, ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.yaw !== undefined ? { turned: [args.yaw] } : {}), ...(args.jitter !== undefined ? { jitter: args.jitter } : {}) };
    const pick = (rs: LabelledResult[]): LabelledResult[] => (args.yaw !== undefined ? rs.filter((r) => r.turnedDeg !== undefined) : rs);
    const testRuns = pick(await runSplit('test', { ...testOpts, models, includeFeatures: true }));
    const test = evaluate('test', testRuns);
    // the same reps judged without the confidence floors (from their probabilities; no second stream)
    const testAll = evaluate('test', testRuns.map((t) => ({ truth: t.truth, result: rejudged(t.result, models) })));
    const spread = saved.memberAccuracy;
    for (const [name, r] of [['bySession', bySession], ['test', test]] as const) {
      console.log(`  ${name}: ${r.recordings} recordings, accuracy6 ${r.accuracy6}, rep count ${r.repCountAccuracy}; recall per class ${JSON.stringify(r.perClassRecall)}`);
      for (const [j, f] of Object.entries(r.faults)) console.log(`    ${j.padEnd(6)} P ${f.precision} R ${f.recall} F1 ${f.f1} coverage ${f.coverage}`);
      for (const [truth, row] of Object.entries(r.confusion)) console.log(`    ${truth.padEnd(16)} ${Object.entries(row).map(([p, c]) => `${p}:${c}`).join(' ')}`);
    }
    out[pose] = {
      fittedOn: model.fittedOn,
      confidenceFloor: model.confidenceFloor ?? null,
      goodConfidenceFloor: model.goodConfidenceFloor ?? model.confidenceFloor ?? null,
      bySession: { ...figures(bySession), allJudged: figures(bySessionAll), seeds: { gbdtSeeds: saved.gbdtSeeds, memberAccuracy6: spread, spread: r4(Math.max(...spread) - Math.min(...spread)) } },
      test: { ...figures(test), allJudged: figures(testAll), ...(args.yaw !== undefined ? { cameraYawDeg: args.yaw } : {}), ...(args.jitter !== undefined ? { keypointJitter: args.jitter } : {}) },
      // what one point (0.01) of accuracy is in recordings, and one binomial standard error
      resolution: {
        bySessionRecordingsPerPoint: r4(bySession.recordings / 100),
        testRecordingsPerPoint: r4(test.recordings / 100),
        bySessionStdErr: r4(Math.sqrt((bySession.accuracy6 * (1 - bySession.accuracy6)) / Math.max(1, bySession.recordings))),
        testStdErr: r4(Math.sqrt((test.accuracy6 * (1 - test.accuracy6)) / Math.max(1, test.recordings))),
      },
    };
  }
  let stageCheck: StageCheck | { error: string };
  try {
    stageCheck = checkStages('test.csv', datasets);
  } catch (e: unknown) {
    stageCheck = { error: e instanceof Error ? e.message : String(e) };
  }
  console.log(`stage check (exercise_correction_squat_stage, test.csv): ${JSON.stringify(stageCheck)}`);
  console.log(JSON.stringify({ models: out, stageCheck }));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
