import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REP_FEATURE_NAMES, alignFeatures, loadModelFile, type FittedModel, type FormClass } from '@squirret/squat';
import type { AugmentSet } from './augment';
import { runSplit } from './collect';

/**
 * The train reps as fitting rows, for both pose paths at once: every train recording (and its
 * camera copies) streamed WITH the projected heels and toes, so each front-view rep vector has the
 * COCO-17 series (the MoveNet model's inputs) and the foot series (the BlazePose model's extra
 * inputs). Streaming 9,500 recordings takes minutes, so the rows are cached in `cache/` (ignored
 * by git) under a key of the feature names and the copies' settings.
 */

/** One train rep: its recording, class, copy number (0 = the recording itself) and row over `REP_FEATURE_NAMES`. */
export interface CachedRow {
  readonly recording: string;
  readonly truth: FormClass;
  readonly aug: number;
  readonly x: ReadonlyArray<number | null>;
}

/** The cached rows and what made them. */
export interface TrainRows {
  readonly key: string;
  readonly names: readonly string[];
  readonly recordings: number;
  /** Train recordings that gave no front-view rep (judged by the rules or not at all). */
  readonly skipped: number;
  readonly rows: readonly CachedRow[];
}

export const CACHE_DIR = join(__dirname, '..', '..', 'cache');

function cacheKey(augment: readonly AugmentSet[]): string {
  return JSON.stringify({ names: REP_FEATURE_NAMES, augment });
}

/** The train rows (from the cache when its key matches, else streamed and cached). */
export async function trainRows(augment: readonly AugmentSet[], datasets?: string, log: (s: string) => void = console.log): Promise<TrainRows> {
  const file = join(CACHE_DIR, 'train-rows.json');
  const key = cacheKey(augment);
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as TrainRows;
    if (cached.key === key) {
      log(`train rows: ${cached.rows.length} from ${file}`);
      return cached;
    }
    log(`train rows: ${file} was made with other features or copies; streaming again`);
  }
  // the verdicts do not matter here, only the rep vectors: the MoveNet file judges both paths
  const any: FittedModel = loadModelFile('movenet');
  const t0 = Date.now();
  const results = await runSplit('train', { includeFeatures: true, augment, pose: 'blazepose', models: { model: any, feetModel: any }, ...(datasets ? { datasets } : {}) });
  const rows: CachedRow[] = [];
  let skipped = 0;
  let recordings = 0;
  for (const r of results) {
    if (!r.augmented) recordings++;
    const f = r.result.summary?.features;
    if (!f || r.result.summary?.view !== 'front') {
      if (!r.augmented) skipped++;
      continue;
    }
    rows.push({ recording: r.label.recording, truth: r.truth, aug: r.augmented ?? 0, x: alignFeatures(f, REP_FEATURE_NAMES) });
  }
  // a copy is kept only when its recording itself gave a front-view rep
  const used = new Set(rows.filter((s) => s.aug === 0).map((s) => s.recording));
  const out: TrainRows = { key, names: REP_FEATURE_NAMES, recordings, skipped, rows: rows.filter((s) => used.has(s.recording)) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out));
  log(`train rows: streamed ${results.length} recordings and copies in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${out.rows.length} rows cached in ${file}`);
  return out;
}
