import { createHash } from 'node:crypto';
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
  /** The recording's mirror image (scored beside it, never trained on); absent on every other row. */
  readonly mirrored?: true;
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

/** Rows beyond the copies: each recording's mirror image too. */
export interface TrainRowOptions {
  readonly mirrored?: boolean;
}

function cacheKey(augment: readonly AugmentSet[], options: TrainRowOptions): string {
  return JSON.stringify({ names: REP_FEATURE_NAMES, augment, ...(options.mirrored ? { mirrored: true } : {}) });
}

/** One cache file per kind of rows (the shipped spec's rows keep the old name). */
function cacheFile(augment: readonly AugmentSet[], options: TrainRowOptions): string {
  const plain = !options.mirrored && augment.every((a) => !a.mirror);
  return join(CACHE_DIR, plain ? 'train-rows.json' : `train-rows-${createHash('sha1').update(cacheKey(augment, options)).digest('hex').slice(0, 10)}.json`);
}

/** The train rows (from the cache when its key matches, else streamed and cached). */
export async function trainRows(augment: readonly AugmentSet[], datasets?: string, log: (s: string) => void = console.log, options: TrainRowOptions = {}): Promise<TrainRows> {
  const file = cacheFile(augment, options);
  const key = cacheKey(augment, options);
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
  const results = await runSplit('train', { includeFeatures: true, augment, pose: 'blazepose', models: { model: any, feetModel: any }, mirrored: options.mirrored ?? false, ...(datasets ? { datasets } : {}) });
  const rows: CachedRow[] = [];
  let skipped = 0;
  let recordings = 0;
  for (const r of results) {
    const own = !r.augmented && !r.mirrored;
    if (own) recordings++;
    const f = r.result.summary?.features;
    if (!f || r.result.summary?.view !== 'front') {
      if (own) skipped++;
      continue;
    }
    rows.push({ recording: r.label.recording, truth: r.truth, aug: r.augmented ?? 0, ...(r.mirrored ? { mirrored: true as const } : {}), x: alignFeatures(f, REP_FEATURE_NAMES) });
  }
  // a copy is kept only when its recording itself gave a front-view rep
  const used = new Set(rows.filter((s) => s.aug === 0 && !s.mirrored).map((s) => s.recording));
  const out: TrainRows = { key, names: REP_FEATURE_NAMES, recordings, skipped, rows: rows.filter((s) => used.has(s.recording)) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out));
  log(`train rows: streamed ${results.length} recordings and copies in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${out.rows.length} rows cached in ${file}`);
  return out;
}
