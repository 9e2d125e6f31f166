import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { decodeGifFrames } from '@squirret/pose';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import type { StreamSummary } from '../src/streamer';

const CLIPS = join(process.env.SQUIRRET_DATASETS ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif');

/** Runs `npm run demo:stream`'s script (the compiled CLI); resolves with its output and the JSON summary (its last line). */
function demoStream(args: readonly string[]): Promise<{ code: number | null; out: string; summary?: StreamSummary }> {
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'packages/clip-stream/dist/src/cli.js'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((r) =>
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      let summary: StreamSummary | undefined;
      try {
        summary = JSON.parse(last) as StreamSummary;
      } catch {
        summary = undefined;
      }
      r({ code, out, summary });
    }),
  );
}

/** `npm run demo:stream` against the all-in-one platform with the real model and the shared clips. */
describe('demo:stream against the platform', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let scratch: string;

  before(async () => {
    assert.ok(existsSync(CLIPS), `the shared clips are missing: ${CLIPS} (../shared/datasets/squat_clips_gif beside the project)`);
    scratch = mkdtempSync(join(tmpdir(), 'demo-stream-'));
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'demo-e2e-session-secret-demo-e2e-session-xx',
      INFERENCE_TOKEN_SECRET: 'demo-e2e-inference-secret-demo-e2e-inferen',
      CONTROL_PLANE_SESSION_RATE_LIMIT: '1000',
      LOG_LEVEL: 'warn',
      // The stream, the page and the CLI are under test here, on the model whose verdicts on every real clip are
      // right; each model's clip verdicts (and BlazePose's known gaps) are checked in apps/inference/src/pose/pose-clips-*.
      INFERENCE_POSE_MODEL: 'movenet-lightning',
    }, 120_000);
    await eventually(async () => ((await http(platform.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 90_000, 'model warm-up and readiness');
  });

  after(async () => {
    await platform?.stop('SIGTERM');
    await db?.drop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('a one-rep good-form GIF, JSON base64 frames: one rep, every joint good, printed with the summary', async () => {
    const r = await demoStream([join(CLIPS, 'aitrainer_olympic_squat_vid.gif'), '--url', platform.baseUrl]);
    console.log(r.out);
    assert.equal(r.code, 0, r.out);
    const s = r.summary!;
    assert.equal(s.encoding, 'json');
    assert.equal(s.analysed, s.framesSent, 'every frame analysed');
    assert.deepEqual(s.errors, []);
    assert.equal(s.reps.length, 1, 'exactly one rep');
    assert.equal(s.finalReps, 1);
    const rep = s.reps[0]!;
    assert.deepEqual([rep.lumbar, rep.knee, rep.ankle, rep.depthJudgement], ['good', 'good', 'good', 'good']);
    assert.match(r.out, /^rep 1: score \d+ \| 허리\(lumbar\) good, 무릎\(knee\) good, 발목\(ankle\) good, 깊이\(depth\) good/m);
    assert.match(r.out, /^summary: 1 rep\(s\) over \d+ frames \(json\)/m);
  });

  it('the bending-forward clip as a folder of JPEGs, binary frames: one rep, lumbar bad, with its reason printed', async () => {
    const gif = await decodeGifFrames(readFileSync(join(CLIPS, 'aitrainer_bending_forward_vid.gif')));
    const dir = join(scratch, 'bending');
    mkdirSync(dir);
    gif.frames.forEach((f, i) => writeFileSync(join(dir, `frame-${i + 1}.jpg`), f));
    const fps = Math.round(1000 / (gif.delaysMs.find((d) => d > 0) ?? 100));
    const r = await demoStream([dir, '--binary', '--fps', String(fps), '--url', platform.baseUrl]);
    console.log(r.out);
    assert.equal(r.code, 0, r.out);
    const s = r.summary!;
    assert.equal(s.encoding, 'binary');
    assert.equal(s.analysed, s.framesSent);
    assert.equal(s.reps.length, 1, 'exactly one rep');
    const rep = s.reps[0]!;
    assert.equal(rep.lumbar, 'bad', 'bending forward: lumbar bad');
    const lumbarReason = rep.reasons.find((x) => x.joint === 'lumbar');
    assert.ok(lumbarReason, 'a reason for the lumbar verdict');
    assert.ok(r.out.includes(`- lumbar: ${lumbarReason.message}`), 'the reason is printed');
  });

  it('a video file without ffmpeg says what is needed; a missing path and no argument fail with a message', async () => {
    const video = join(scratch, 'clip.mp4');
    writeFileSync(video, Buffer.alloc(64));
    const r = await demoStream([video, '--url', platform.baseUrl]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /ffmpeg/);
    const missing = await demoStream([join(scratch, 'nope.gif')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.out, /does not exist/);
    const none = await demoStream([]);
    assert.equal(none.code, 2);
    assert.match(none.out, /usage: demo:stream/);
  });
});
