#!/usr/bin/env node
import { FITTED_MODEL } from '../model/fitted-model';
import { runSplit } from './collect';
import { DATASETS_ENV, type Split } from './dataset';
import { evaluate } from './metrics';
import { checkStages, type StageCheck } from './stage-check';

/**
 * `node packages/squat/dist/eval/cli.js --split train|test [--limit N] [--datasets DIR]`
 * Runs the analyzer over one split of ai_trainer_squat3d and prints the figures; the LAST line is
 * the JSON report.
 */

function parseArgs(argv: readonly string[]): { split: Split; limit?: number; datasets?: string } {
  let split: Split = 'test';
  let limit: number | undefined;
  let datasets: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--split' && (v === 'train' || v === 'test')) {
      split = v;
      i++;
    } else if (a === '--limit' && v !== undefined) {
      limit = Number(v);
      i++;
    } else if (a === '--datasets' && v !== undefined) {
      datasets = v;
      i++;
    } else {
      throw new Error(`unknown or incomplete argument "${a}"; usage: cli.js --split train|test [--limit N] [--datasets DIR]`);
    }
  }
  return { split, ...(limit !== undefined ? { limit } : {}), ...(datasets !== undefined ? { datasets } : {}) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const datasets = args.datasets ?? process.env[DATASETS_ENV];
  const results = await runSplit(args.split, { ...(datasets ? { datasets } : {}), ...(args.limit !== undefined ? { limit: args.limit } : {}) });
  const report = evaluate(args.split, results);
  // the stage data has its own train/test files; the one matching the split is reported
  let stageCheck: StageCheck | { error: string };
  try {
    stageCheck = checkStages(args.split === 'train' ? 'train.csv' : 'test.csv', datasets);
  } catch (e: unknown) {
    stageCheck = { error: e instanceof Error ? e.message : String(e) };
  }
  console.log(`model: ${FITTED_MODEL.fittedOn}`);
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
