import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { decodeGifFrames } from '@squirret/pose';

/** Frames to stream, each an encoded image (JPEG/PNG), with how long each is shown (ms). */
export interface ClipFrames {
  readonly kind: 'gif' | 'images' | 'video';
  readonly frames: readonly Buffer[];
  readonly delaysMs: readonly number[];
}

/** Image files a folder may hold (sorted by name, streamed at `fps`). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;
/** Video containers handed to ffmpeg when it is installed. */
export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.m4v', '.webm', '.mkv', '.avi'] as const;

/** Whether `ffmpeg` runs on this machine (Debian: `apt-get install ffmpeg`). */
export function ffmpegAvailable(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Reads the frames of a GIF (sharp decodes it, through @squirret/pose's decoder), of a folder of
 * images, or of a video file (ffmpeg extracts JPEGs at `fps` into a temporary folder; without
 * ffmpeg it says what to install).
 */
export async function loadClip(path: string, fps = 10): Promise<ClipFrames> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const step = Math.round(1000 / fps);
  if (statSync(path).isDirectory()) return { kind: 'images', ...readImageFolder(path, step) };
  const ext = extname(path).toLowerCase();
  if (ext === '.gif') {
    const gif = await decodeGifFrames(readFileSync(path));
    return { kind: 'gif', frames: gif.frames, delaysMs: gif.delaysMs.map((d) => (d > 0 ? d : step)) };
  }
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return { kind: 'images', frames: [readFileSync(path)], delaysMs: [step] };
  if ((VIDEO_EXTENSIONS as readonly string[]).includes(ext)) return { kind: 'video', ...extractVideo(path, fps, step) };
  throw new Error(`${path}: give a .gif, a folder of ${IMAGE_EXTENSIONS.join('/')} images, or a video (${VIDEO_EXTENSIONS.join(', ')}, needs ffmpeg)`);
}

function readImageFolder(dir: string, step: number): { frames: Buffer[]; delaysMs: number[] } {
  const files = readdirSync(dir)
    .filter((f) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase()))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (files.length === 0) throw new Error(`${dir} holds no ${IMAGE_EXTENSIONS.join('/')} images`);
  return { frames: files.map((f) => readFileSync(join(dir, f))), delaysMs: files.map(() => step) };
}

function extractVideo(path: string, fps: number, step: number): { frames: Buffer[]; delaysMs: number[] } {
  if (!ffmpegAvailable()) {
    throw new Error(
      `${path}: video files need ffmpeg to decode them, and it is not installed (Debian: apt-get install ffmpeg). ` +
        `Without it, give a .gif or a folder of JPEGs (e.g. frames extracted elsewhere with: ffmpeg -i clip.mp4 -vf fps=${fps} frames/%05d.jpg).`,
    );
  }
  const out = mkdtempSync(join(tmpdir(), 'squirret-clip-'));
  try {
    const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-i', path, '-vf', `fps=${fps},scale='min(640,iw)':-2`, '-q:v', '4', join(out, '%06d.jpg')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg could not read ${path}: ${r.stderr.trim()}`);
    return readImageFolder(out, step);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
