#!/usr/bin/env node
import { FITTED_MODEL } from '../model/fitted-model';
import { runSplit } from './collect';
import { DATASETS_ENV, type Split } from './dataset';
import { evaluate } from './metrics';
import { checkStages, type StageCheck } from './stage-check';

/**
 * `node packages/squat/dist/eval/cli.js --split train|test [--yaw DEG] [--jitter SIGMA] [--limit N] [--datasets DIR]`
 * Runs the analyzer over one split of ai_trainer_squat3d and prints the figures; the LAST line is
 * the JSON report. `--yaw DEG` sees every recording from a camera turned DEG degrees round the body
 * (half from each side), as a phone placed off to one side would: a robustness figure, with the share
 * of reps still seen as a front view (the others are judged by the rules). `--jitter SIGMA` adds
 * independent Gaussian noise of SIGMA image heights to every keypoint (real MoveNet on the clips: ~0.0015).
 */

const USAGE = 'cli.js --split train|test [--yaw DEG] [--jitter SIGMA] [--limit N] [--datasets DIR]';

interface Args {
  readonly split: Split;
  readonly yaw?: number;
  readonly jitter?: number;
  readonly limit?: number;
  readonly datasets?: string;
}

function parseArgs(argv: readonly string[]): Args {
  let split: Split = 'test';
  let yaw: number | undefined;
  let jitter: number | undefined;
  let limit: number | undefined;
  let datasets: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--split' && (v === 'train' || v === 'test')) {
      split = v;
      i++;
    } else if (a === '--yaw' && v !== undefined && Number(v) > 0 && Number(v) <= 90) {
      yaw = Number(v);
      i++;
    } else if (a === '--jitter' && v !== undefined && Number(v) > 0 && Number(v) <= 0.1) {
      jitter = Number(v);
      i++;
    } else if (a === '--limit' && v !== undefined) {
      limit = Number(v);
      i++;
    } else if (a === '--datasets' && v !== undefined) {
      datasets = v;
      i++;
    } else {
      throw new Error(`unknown or incomplete argument "${a}"; usage: ${USAGE}`);
    }
  }
  return { split, ...(yaw !== undefined ? { yaw } : {}), ...(jitter !== undefined ? { jitter } : {}), ...(limit !== undefined ? { limit } : {}), ...(datasets !== undefined ? { datasets } : {}) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const datasets = args.datasets ?? process.env[DATASETS_ENV];
  const all = await runSplit(args.split, {
    ...(datasets ? { datasets } : {}),
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
    ...(args.yaw !== undefined ? { turned: [args.yaw] } : {}),
    ...(args.jitter !== undefined ? { jitter: args.jitter } : {}),
  });
  // with --yaw only the turned views are scored
  const results = args.yaw !== undefined ? all.filter((r) => r.turnedDeg !== undefined) : all;
  const camera =
    args.yaw !== undefined
      ? { cameraYawDeg: args.yaw, frontViewShare: Math.round((results.filter((r) => r.result.summary?.view === 'front').length / Math.max(1, results.length)) * 10000) / 10000 }
      : {};
  const report = { ...evaluate(args.split, results), ...camera, ...(args.jitter !== undefined ? { keypointJitter: args.jitter } : {}) };
  // the stage data has its own train/test files; the one matching the split is reported
  let stageCheck: StageCheck | { error: string };
  try {
    stageCheck = checkStages(args.split === 'train' ? 'train.csv' : 'test.csv', datasets);
  } catch (e: unknown) {
    stageCheck = { error: e instanceof Error ? e.message : String(e) };
  }
  console.log(`model: ${FITTED_MODEL.fittedOn}`);
  if (args.jitter !== undefined) console.log(`keypoint jitter: sigma ${args.jitter} image heights on every keypoint`);
  if (args.yaw !== undefined) console.log(`camera turned ${args.yaw}° round the body (half from each side); reps seen as a front view: ${camera.frontViewShare}`);
  console.log(`split ${args.split}: ${report.recordings} recordings, 6-class accuracy ${report.accuracy6}, rep-count accuracy ${report.repCountAccuracy}`);
  console.log('confusion (rows = truth, columns = predicted):');
  for (const [truth, row] of Object.entries(report.confusion)) {
    console.log(`  ${truth.padEnd(16)} ${Object.entries(row).map(([p, c]) => `${p}:${c}`).join(' ')}`);
  }
  console.log(`stage check (exercise_correction_squat_stage): ${JSON.stringify(stageCheck)}`);
  console.log(JSON.stringify({ ...report, stageCheck }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
