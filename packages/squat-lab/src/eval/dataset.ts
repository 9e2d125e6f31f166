import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { FormClass } from '@squirret/squat';

/**
 * Readers for the squat data kept outside the repository (`<repo>/../shared/datasets`). Nothing is
 * copied into the repo: the code finds the folder and streams the files from there.
 */

export const AI_TRAINER_DIR = 'ai_trainer_squat3d';
export const STAGE_DIR = 'exercise_correction_squat_stage';

/** Env variable that overrides where the datasets folder is. */
export const DATASETS_ENV = 'SQUIRRET_DATASETS';

/** Thrown when the shared datasets are not where they are expected. */
export class DatasetMissingError extends Error {
  constructor(readonly path: string) {
    super(
      `squat dataset not found at ${path}. The data lives outside the repository in ../shared/datasets ` +
        `(relative to the repo root); set ${DATASETS_ENV} to its location if it is elsewhere.`,
    );
    this.name = 'DatasetMissingError';
  }
}

/** The datasets root: `override` (e.g. from SQUIRRET_DATASETS) or `<repo>/../shared/datasets`. */
export function datasetsRoot(override?: string): string {
  if (override !== undefined && override !== '') return resolve(override);
  // compiled file is <repo>/packages/squat-lab/dist/eval/dataset.js: four levels up is <repo>, five is its parent
  return resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'datasets');
}

/** Path to one dataset folder; throws `DatasetMissingError` when it is absent. */
export function datasetDir(name: string, override?: string): string {
  const dir = join(datasetsRoot(override), name);
  if (!existsSync(dir)) throw new DatasetMissingError(dir);
  return dir;
}

/** The 19 joints of the AI-Trainer recordings, in file order (MediaPipe indices ascending). */
export const AI_TRAINER_JOINTS = [
  'nose',
  'mouth_left',
  'mouth_right',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
  'left_heel',
  'right_heel',
  'left_foot_index',
  'right_foot_index',
] as const;
export type AiTrainerJoint = (typeof AI_TRAINER_JOINTS)[number];

export type Split = 'train' | 'test';

/** The dataset's seven labels, mapped to the analyzer's six classes (both good-form styles are good). */
export const LABEL_TO_CLASS: Readonly<Record<string, FormClass>> = {
  'bending forward': 'bending_forward',
  'heels lifting': 'heels_lifting',
  'knees caving': 'knees_caving',
  'no depth': 'no_depth',
  'toes lifting': 'toes_lifting',
  'olympic squat': 'good',
  'powerlifting squat': 'good',
};

/** One labelled recording from labels.csv. */
export interface RecordingLabel {
  readonly recording: string;
  readonly label: string;
  readonly formClass: FormClass;
  readonly split: Split;
  readonly nFrames: number;
}

/** Splits one CSV line (the files here have no quoted fields except labels with spaces, never commas). */
export function splitCsvLine(line: string): string[] {
  return line.replace(/\r$/, '').split(',');
}

/** Labelled recordings of one split (the 11 unlabelled ones are skipped). */
export function readLabels(dir: string, split?: Split): RecordingLabel[] {
  const text = readFileSync(join(dir, 'labels.csv'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`labels.csv has no column ${name}`);
    return i;
  };
  const [cRec, cLab, cSplit, cN] = [col('recording'), col('label'), col('split_prashcode5321'), col('n_frames')];
  const out: RecordingLabel[] = [];
  for (const line of lines.slice(1)) {
    const f = splitCsvLine(line);
    const label = f[cLab] ?? '';
    const cls = LABEL_TO_CLASS[label];
    const sp = f[cSplit];
    if (cls === undefined || (sp !== 'train' && sp !== 'test')) continue;
    if (split !== undefined && sp !== split) continue;
    out.push({ recording: f[cRec] ?? '', label, formClass: cls, split: sp, nFrames: Number(f[cN]) });
  }
  return out;
}

/** One frame: 19 joints x (x, y, z) in camera-0 units; NaN where a joint is missing or a DLT outlier. */
export type Frame3d = Float64Array;

/** One recording's frames in order. */
export interface Recording3d {
  readonly recording: string;
  readonly frames: Frame3d[];
  /** Time between frames when it is not the capture's (a training copy played faster or slower). */
  readonly frameMs?: number;
}

/** |coordinate| above this is a triangulation failure (see the dataset README). */
const OUTLIER_ABS = 1000;

function parseFrame(fields: readonly string[]): Frame3d {
  const a = new Float64Array(AI_TRAINER_JOINTS.length * 3);
  for (let j = 0; j < AI_TRAINER_JOINTS.length; j++) {
    const xs = [fields[2 + 3 * j], fields[3 + 3 * j], fields[4 + 3 * j]];
    const v = xs.map((s) => (s === undefined || s === '' ? NaN : Number(s)));
    const bad = v.some((x) => !Number.isFinite(x) || Math.abs(x) > OUTLIER_ABS);
    for (let c = 0; c < 3; c++) a[3 * j + c] = bad ? NaN : v[c]!;
  }
  return a;
}

/**
 * Streams frames.csv.gz (gunzip + line reader, so the ~57 MB text is never held at once) and calls
 * `onRecording` for each recording in `wanted` (all when omitted). Stops reading early when every
 * wanted recording has been seen.
 */
export async function forEachRecording(
  dir: string,
  onRecording: (rec: Recording3d) => void,
  wanted?: ReadonlySet<string>,
): Promise<number> {
  const path = join(dir, 'frames.csv.gz');
  if (!existsSync(path)) throw new DatasetMissingError(path);
  const stream = createReadStream(path).pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let header = true;
  let current: { recording: string; frames: Frame3d[] } | null = null;
  const seen = new Set<string>();
  let delivered = 0;
  const emit = (): void => {
    if (current && (!wanted || wanted.has(current.recording))) {
      onRecording(current);
      delivered++;
    }
  };
  try {
    for await (const line of lines) {
      if (header) {
        header = false;
        continue;
      }
      const comma = line.indexOf(',');
      const rec = line.slice(0, comma);
      if (!current || current.recording !== rec) {
        emit();
        if (seen.has(rec)) throw new Error(`frames.csv.gz: rows of ${rec} are not contiguous`);
        seen.add(rec);
        current = { recording: rec, frames: [] };
        if (wanted && delivered === wanted.size) break;
      }
      if (wanted && !wanted.has(rec)) continue;
      current.frames.push(parseFrame(splitCsvLine(line)));
    }
    if (!wanted || delivered < wanted.size) emit();
  } finally {
    lines.close();
    stream.destroy();
  }
  return delivered;
}

/** One row of the exercise-correction stage data: up (standing) or down (bottom), 9 landmarks. */
export interface StageRow {
  readonly label: 'up' | 'down';
  /** x, y, visibility per landmark, keyed by COCO name. */
  readonly points: ReadonlyArray<{ readonly name: string; readonly x: number; readonly y: number; readonly v: number }>;
}

/** Reads train.csv or test.csv of `exercise_correction_squat_stage`. */
export function readStageRows(dir: string, file: 'train.csv' | 'test.csv'): StageRow[] {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '');
  const names = [...new Set(header.slice(1).map((h) => h.replace(/_[xyzv]$/, '')))];
  return lines.slice(1).map((line) => {
    const f = splitCsvLine(line);
    const label = f[0] === 'down' ? 'down' : 'up';
    const points = names.map((name) => ({
      name,
      x: Number(f[header.indexOf(`${name}_x`)]),
      y: Number(f[header.indexOf(`${name}_y`)]),
      v: Number(f[header.indexOf(`${name}_v`)]),
    }));
    return { label, points };
  });
}
