// Test support: the real squat clips from the shared datasets folder (never copied into the repo).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { decodeGifFrames, type GifFrames } from '../decode';

/** Clips filmed from the front (subject facing the camera), per the dataset README. */
export const FRONT_CLIPS = [
  'aitrainer_bending_forward_vid.gif',
  'aitrainer_no_depth_vid.gif',
  'aitrainer_olympic_squat_vid.gif',
] as const;
export const SIDE_CLIP = 'dnly09_gf_1_sideview_goodform.gif';
/** The AI-Trainer clips open on a solid green frame followed by a 1x1 delta frame: both show no one. */
export const FIRST_PERSON_FRAME = 2;

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no workspace root (package.json with "workspaces") above ${__dirname}`);
    dir = parent;
  }
}

/** `$SQUIRRET_DATASETS/squat_clips_gif`, else `<repo>/../shared/datasets/squat_clips_gif`; throws if absent. */
export function clipsDir(): string {
  const datasets = process.env['SQUIRRET_DATASETS'] ?? resolve(repoRoot(), '..', 'shared', 'datasets');
  const dir = join(datasets, 'squat_clips_gif');
  if (!existsSync(dir)) {
    throw new Error(
      `real squat clips not found at ${dir}: these tests need the shared datasets ` +
        `(set SQUIRRET_DATASETS to the folder that holds squat_clips_gif/)`,
    );
  }
  return dir;
}

const cache = new Map<string, Promise<GifFrames>>();

/** Frames of one clip as JPEG buffers (decoded once per process). */
export function clipFrames(file: string): Promise<GifFrames> {
  let frames = cache.get(file);
  if (frames === undefined) {
    const path = join(clipsDir(), file);
    if (!existsSync(path)) throw new Error(`clip ${file} is missing from ${clipsDir()}`);
    frames = decodeGifFrames(readFileSync(path));
    cache.set(file, frames);
  }
  return frames;
}

/** One frame of a clip; throws if the index is out of range. */
export async function clipFrame(file: string, index: number): Promise<Buffer> {
  const { frames } = await clipFrames(file);
  const frame = frames[index];
  if (frame === undefined) throw new RangeError(`${file} has ${frames.length} frames, no frame ${index}`);
  return frame;
}
