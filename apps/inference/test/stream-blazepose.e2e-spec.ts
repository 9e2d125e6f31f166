// The data plane on BlazePose (INFERENCE_POSE_MODEL=blazepose-lite), tried as a new user would: the platform
// started as a process, a session from the control plane, a real clip streamed over a real socket.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalysisMessage, RepMessage } from '@squirret/contracts';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { decodeGifFrames } from '@squirret/pose';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';
import { encodeBinaryFrame } from '../src/stream/frame-parser';

const CLIPS = join(process.env['SQUIRRET_DATASETS'] ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif');
const CLIP = 'aitrainer_olympic_squat_vid.gif';

/** Opens the stream and returns a function that sends one frame and resolves with its answer; reps are collected. */
async function openStream(url: string): Promise<{ ws: WebSocket; reps: RepMessage[]; send: (n: number, tMs: number, jpeg: Buffer) => Promise<AnalysisMessage> }> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  const reps: RepMessage[] = [];
  const waiting = new Map<number, (m: AnalysisMessage) => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(data.toString()) as { type: string; frameNumber?: number };
    if (m.type === 'rep') reps.push(m as RepMessage);
    else if (m.type === 'analysis') waiting.get(m.frameNumber ?? -1)?.(m as AnalysisMessage);
    else if (m.type === 'error') assert.fail(`error answer: ${JSON.stringify(m)}`);
  });
  const send = (n: number, tMs: number, jpeg: Buffer): Promise<AnalysisMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to frame ${n}`)), 30_000);
      waiting.set(n, (m) => (clearTimeout(timer), waiting.delete(n), resolve(m)));
      ws.send(encodeBinaryFrame(n, tMs, jpeg));
    });
  return { ws, reps, send };
}

describe('inference data plane on BlazePose lite (INFERENCE_POSE_MODEL=blazepose-lite), real footage', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;

  before(async () => {
    assert.ok(existsSync(CLIPS), `the shared clips are missing: ${CLIPS} (../shared/datasets/squat_clips_gif beside the project)`);
    db = await createScratchDatabase();
    platform = await startProcess(
      'apps/platform/dist/src/main.js',
      {
        PORT: '0',
        DATABASE_URL: db.url,
        SESSION_TOKEN_SECRET: 'inference-bp-e2e-session-secret-inference-bp',
        INFERENCE_TOKEN_SECRET: 'inference-bp-e2e-secret-inference-bp-e2e-secret',
        INFERENCE_POSE_MODEL: 'blazepose-lite',
        INFERENCE_POSE_WORKERS: '1',
      },
      120_000,
    );
    await eventually(async () => ((await http(platform.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 90_000, 'model warm-up and readiness');
  });

  after(async () => {
    if (platform?.child.exitCode === null) await platform.stop('SIGTERM');
    await db?.drop();
  });

  it(`${CLIP}: every answer has 33 landmarks with heels and toes (below the ankles), and the clip counts one rep judged good`, async () => {
    const gif = await decodeGifFrames(readFileSync(join(CLIPS, CLIP)));
    const s = await http<{ wsUrl: string; wsToken: string }>(platform.baseUrl, 'POST', '/api/session', { userId: 'bp-e2e-user' });
    assert.equal(s.status, 200, s.text);
    const stream = await openStream(`${s.json.wsUrl}?token=${s.json.wsToken}`);
    // The clip, then its last frame held 1.5 s (a person standing after the rep, as a camera keeps streaming).
    const step = gif.delaysMs.at(-1) || 80;
    const frames = [...gif.frames, ...Array<Buffer>(Math.ceil(1500 / step)).fill(gif.frames.at(-1) as Buffer)];
    const answers: AnalysisMessage[] = [];
    let t = Date.now();
    for (const [n, jpeg] of frames.entries()) {
      answers.push(await stream.send(n, t, jpeg));
      t += gif.delaysMs[n] || step;
    }
    let footPoints = 0;
    let belowAnkles = 0;
    for (const a of answers) {
      assert.equal(a.poseModel, 'blazepose-lite');
      assert.equal(a.keypoints.length, 17, 'the seed\'s 17 COCO keypoints are kept');
      assert.equal(a.landmarks?.length, 33);
      assert.ok(a.landmarks.every((l) => [l.x, l.y, l.z, l.visibility].every(Number.isFinite) && l.visibility >= 0 && l.visibility <= 1));
      assert.deepEqual(a.feet?.map((f) => f.name), ['left_heel', 'right_heel', 'left_foot_index', 'right_foot_index']);
      // Frames with a person (the clip opens on two empty frames): the feet are seen, below the ankles.
      if (a.keypoints.every((k) => k.score < 0.5)) continue;
      const ankle = Object.fromEntries(a.keypoints.map((k) => [k.name, k.y]));
      for (const f of a.feet) {
        footPoints++;
        if (f.y > (ankle[f.name.startsWith('left') ? 'left_ankle' : 'right_ankle'] ?? 1)) belowAnkles++;
      }
    }
    assert.ok(footPoints >= (answers.length - 3) * 4, `feet on ${footPoints / 4} of ${answers.length} frames`);
    assert.ok(belowAnkles / footPoints >= 0.9, `heels and toes below the ankles in ${belowAnkles} of ${footPoints} points`);
    assert.equal(stream.reps.length, 1, `exactly one rep; stages ${answers.map((a) => a.stage[0]).join('')}`);
    assert.equal(answers.at(-1)?.reps, 1);
    const rep = stream.reps[0]!;
    assert.deepEqual([rep.lumbar, rep.knee, rep.ankle, rep.depthJudgement], ['good', 'good', 'good', 'good'], 'olympic squat: good form');
    stream.ws.close(1000);
  });
});
