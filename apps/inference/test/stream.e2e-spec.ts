import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { decodeGifFrames } from '@squirret/pose';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';
import { encodeBinaryFrame } from '../src/stream/frame-parser';

const CLIPS = join(process.env.SQUIRRET_DATASETS ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif');
const INFERENCE_SECRET = 'inference-e2e-secret-inference-e2e-secret-x';
type Msg = Record<string, unknown> & { type: string };

/** A data-plane client: sends frames one at a time (waiting for each answer) or all at once. */
class StreamClient {
  readonly messages: Msg[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(d.toString()) as Msg);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static open(url: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const c = new StreamClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }
  async waitFor(pred: (m: Msg) => boolean, timeoutMs = 20_000, what = 'message'): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (this.closeCode !== undefined) throw new Error(`closed ${this.closeCode} (${this.closeReason}) waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
  async closed(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('not closed');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closeCode;
  }
}

describe('inference data plane /ws/{sessionId} on real footage', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;

  before(async () => {
    assert.ok(existsSync(CLIPS), `the shared clips are missing: ${CLIPS} (../shared/datasets/squat_clips_gif beside the project)`);
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'inference-e2e-session-secret-inference-e2e',
      INFERENCE_TOKEN_SECRET: INFERENCE_SECRET,
      CONTROL_PLANE_SESSION_RATE_LIMIT: '1000',
      TOKEN_CLOCK_SKEW_SEC: '0',
      INFERENCE_MAX_IMAGE_BYTES: '300000',
      INFERENCE_DRAIN_TIMEOUT_MS: '3000',
      // The stream, the page and the CLI are under test here, on the model whose verdicts on every real clip are
      // right; each model's clip verdicts (and BlazePose's known gaps) are checked in apps/inference/src/pose/pose-clips-*.
      INFERENCE_POSE_MODEL: 'movenet-lightning',
    }, 120_000);
    base = platform.baseUrl;
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 90_000, 'model warm-up and readiness');
  });

  after(async () => {
    if (platform?.child.exitCode === null) await platform.stop('SIGTERM');
    await db?.drop();
  });

  const session = async () => {
    const r = await http<{ sessionId: string; wsUrl: string; wsToken: string }>(base, 'POST', '/api/session', { userId: 'e2e-user' });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };

  /**
   * The clip's frames, then its last frame repeated for `holdMs` more: the person standing still
   * after the rep, as a live camera keeps streaming (a rep is confirmed a moment after it ends).
   */
  function withHold(frames: Buffer[], delays: number[], holdMs = 1500): { frames: Buffer[]; delays: number[] } {
    const step = delays.at(-1) && delays.at(-1)! > 0 ? delays.at(-1)! : 100;
    const extra = Math.ceil(holdMs / step);
    return { frames: [...frames, ...Array<Buffer>(extra).fill(frames.at(-1)!)], delays: [...delays, ...Array<number>(extra).fill(step)] };
  }

  /** Sends every frame of a clip, one after the other, each after the previous answer. */
  async function streamClip(c: StreamClient, frames: Buffer[], delays: number[], binary: boolean): Promise<Msg[]> {
    let t = Date.now();
    const answers: Msg[] = [];
    for (const [i, jpeg] of frames.entries()) {
      if (binary) c.ws.send(encodeBinaryFrame(i, t, jpeg));
      else c.ws.send(JSON.stringify({ type: 'frame', frameNumber: i, image_base64: jpeg.toString('base64'), timestamp: t / 1000 }));
      answers.push(await c.waitFor((m) => (m.type === 'analysis' || m.type === 'error') && m.frameNumber === i, 20_000, `answer to frame ${i}`));
      t += delays[i] ?? 100;
    }
    return answers;
  }

  const clipFiles = existsSync(CLIPS) ? readdirSync(CLIPS).filter((f) => f.endsWith('.gif')).sort() : [];
  /** What each clip's label implies, where the clip shows it (rep-level judgements). */
  const expected: Record<string, (rep: Msg) => void> = {
    'aitrainer_bending_forward_vid.gif': (rep) => assert.equal(rep.lumbar, 'bad', 'bending forward: lumbar bad'),
    'aitrainer_no_depth_vid.gif': (rep) => assert.equal(rep.depthJudgement, 'bad', 'no depth: depth bad'),
    'aitrainer_olympic_squat_vid.gif': (rep) => assert.deepEqual([rep.lumbar, rep.knee, rep.ankle, rep.depthJudgement], ['good', 'good', 'good', 'good'], 'good form'),
    'dnly09_gf_1_sideview_goodform.gif': (rep) => {
      assert.equal(rep.lumbar, 'good', 'side view good form: lumbar good');
      assert.equal(rep.depthJudgement, 'good', 'side view good form: depth good');
      assert.notEqual(rep.knee, 'bad', 'valgus is not judged from the side');
    },
  };

  for (const file of clipFiles) {
    it(`${file}: streams the real clip over a WebSocket, counts exactly one rep, judges as labelled`, async () => {
      const gif = await decodeGifFrames(readFileSync(join(CLIPS, file)));
      const { wsUrl, wsToken, sessionId } = await session();
      const c = await StreamClient.open(`${wsUrl}?token=${wsToken}`);
      const clip = withHold(gif.frames, gif.delaysMs);
      const answers = await streamClip(c, clip.frames, clip.delays, file.includes('olympic'));
      const analyses = answers.filter((a) => a.type === 'analysis');
      assert.equal(analyses.length, clip.frames.length, 'every frame analysed');
      const first = analyses[0]!;
      assert.equal((first.keypoints as unknown[]).length, 17);
      const reps = c.messages.filter((m) => m.type === 'rep');
      assert.equal(reps.length, 1, `exactly one rep (got ${reps.length}); stages ${analyses.map((a) => a.stage).join(',')}`);
      assert.equal(analyses.at(-1)!.reps, 1);
      expected[file]?.(reps[0]!);
      c.ws.close(1000);
      await c.closed();
      // The data plane's own counts reach the control plane's usage ledger. A clip that streams for
      // longer than INFERENCE_USAGE_REPORT_MS (15 s) has an interim report first: wait for the one at close.
      const readUsage = async () =>
        (await http<{ usage: { server: Record<string, number> | null } }>(base, 'GET', `/internal/sessions/${sessionId}`)).json.usage.server;
      await eventually(async () => ((((await readUsage()) ?? {})['framesIn'] ?? 0) >= clip.frames.length ? true : undefined), 10_000, 'server usage at close').catch(
        () => undefined, // the assertions below say what arrived
      );
      const usage = await readUsage();
      assert.ok(usage !== null, 'server usage reached the ledger');
      assert.equal(usage.framesIn, clip.frames.length);
      assert.equal(usage.framesAnalysed, clip.frames.length);
    });
  }

  it('refuses bad tokens with 1008: missing, another session, another secret, expired', async () => {
    const jose = await import('jose');
    const a = await session();
    const b = await session();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience('inference-ws').setSubject(a.sessionId).setIssuedAt(now - 100).setExpirationTime(now - 10).sign(new TextEncoder().encode(INFERENCE_SECRET));
    const otherSecret = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience('inference-ws').setSubject(a.sessionId).setExpirationTime(now + 60).sign(new TextEncoder().encode('another-secret-another-secret-another-sec'));
    for (const [name, url] of [
      ['missing', a.wsUrl],
      ['token of another session', `${a.wsUrl}?token=${b.wsToken}`],
      ['another secret', `${a.wsUrl}?token=${otherSecret}`],
      ['expired', `${a.wsUrl}?token=${expired}`],
    ] as const) {
      const c = await StreamClient.open(url);
      assert.equal(await c.closed(), 1008, name);
    }
  });

  it('bad messages get an error message from the table; a well-behaved session at the same time is unaffected', async () => {
    const gif = await decodeGifFrames(readFileSync(join(CLIPS, 'aitrainer_olympic_squat_vid.gif')));
    const good = await session();
    const bad = await session();
    const g = await StreamClient.open(`${good.wsUrl}?token=${good.wsToken}`);
    const c = await StreamClient.open(`${bad.wsUrl}?token=${bad.wsToken}`);
    const goodRun = streamClip(g, gif.frames.slice(0, 10), gif.delaysMs, false);
    const cases: [string | Buffer, string][] = [
      ['{"type":"frame",', 'MALFORMED_JSON'],
      ['{"type":"selfie"}', 'UNKNOWN_TYPE'],
      ['{"type":"frame","frameNumber":1}', 'INVALID_FRAME'],
      ['{"type":"frame","frameNumber":2,"image_base64":"%%%"}', 'INVALID_BASE64'],
      [JSON.stringify({ type: 'frame', frameNumber: 3, image_base64: Buffer.from('this is not an image at all').toString('base64') }), 'INVALID_IMAGE'],
      [JSON.stringify({ type: 'frame', frameNumber: 4, image_base64: Buffer.alloc(400_000).toString('base64') }), 'IMAGE_TOO_LARGE'],
      [Buffer.from('garbage binary'), 'INVALID_FRAME'],
      ['{"type":"auth","token":"nope"}', 'INVALID_TOKEN'],
    ];
    for (const [data, code] of cases) {
      c.messages.length = 0;
      c.ws.send(data);
      const err = await c.waitFor((m) => m.type === 'error', 20_000, code);
      assert.equal(err.code, code);
    }
    const goodAnswers = await goodRun;
    assert.ok(goodAnswers.every((a) => a.type === 'analysis'), 'the well-behaved session got only analyses');
    // A message over the socket limit closes the socket with 1009.
    c.ws.send(Buffer.alloc(4 * 1024 * 1024));
    assert.equal(await c.closed(), 1009);
    assert.equal(g.closeCode, undefined);
    g.ws.close(1000);
  });

  it('keeps the session state across a reconnect with a refreshed token, and an in-band token outlives the first one', async () => {
    const gif = await decodeGifFrames(readFileSync(join(CLIPS, 'aitrainer_olympic_squat_vid.gif')));
    const s = await session();
    const first = await StreamClient.open(`${s.wsUrl}?token=${s.wsToken}`);
    const clip = withHold(gif.frames, gif.delaysMs);
    await streamClip(first, clip.frames, clip.delays, true);
    first.ws.close(1000);
    await first.closed();
    const refreshed = await http<{ wsToken: string }>(base, 'POST', `/api/session/${s.sessionId}/refresh`);
    const second = await StreamClient.open(`${s.wsUrl}?token=${refreshed.json.wsToken}`);
    const [again] = await streamClip(second, gif.frames.slice(0, 1), gif.delaysMs, true);
    assert.equal(again!.reps, 1, 'reps survive the reconnect');
    // A token that expires in 3 s, then a fresh one sent in-band: the socket stays open past 3 s.
    const jose = await import('jose');
    const mint = (ttl: number) => {
      const now = Math.floor(Date.now() / 1000);
      return new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience('inference-ws').setSubject(s.sessionId).setIssuedAt(now).setExpirationTime(now + ttl).sign(new TextEncoder().encode(INFERENCE_SECRET));
    };
    second.ws.close(1000);
    const short = await StreamClient.open(`${s.wsUrl}?token=${await mint(3)}`);
    short.ws.send(JSON.stringify({ type: 'auth', token: await mint(600) }));
    await short.waitFor((m) => m.type === 'auth' && m.status === 'ok', 5_000, 'auth ok');
    await new Promise((r) => setTimeout(r, 4_500));
    assert.equal(short.closeCode, undefined, 'the in-band token kept the socket open');
    const unrefreshed = await StreamClient.open(`${s.wsUrl}?token=${await mint(3)}`);
    assert.equal(await unrefreshed.closed(8_000), 4001, 'an expired token without an in-band refresh closes with TOKEN_EXPIRED');
    short.ws.close(1000);
  });

  for (const [name, poison] of [
    ['timestamp 1e306 (JSON)', (n: number, jpeg: Buffer) => JSON.stringify({ type: 'frame', frameNumber: n, image_base64: jpeg.toString('base64'), timestamp: 1e306 })],
    ['float64 header 1e308 (binary SQF1)', (n: number, jpeg: Buffer) => encodeBinaryFrame(n, 1e308, jpeg)],
  ] as const) {
    it(`regression (docs/robustness.md): one frame with ${name} is refused; later frames and a reconnect with a refreshed token answer normally`, async () => {
      const gif = await decodeGifFrames(readFileSync(join(CLIPS, 'aitrainer_olympic_squat_vid.gif')));
      const s = await session();
      const c = await StreamClient.open(`${s.wsUrl}?token=${s.wsToken}`);
      const [ok] = await streamClip(c, gif.frames.slice(0, 1), gif.delaysMs, true);
      assert.equal(ok!.type, 'analysis');
      c.ws.send(poison(100, gif.frames[1]!));
      const err = await c.waitFor((m) => m.type === 'error' && m.frameNumber === 100, 20_000, 'the refusal');
      assert.equal(err.code, 'INVALID_FRAME');
      c.messages.length = 0;
      const later = await streamClip(c, gif.frames.slice(1, 4), gif.delaysMs, true);
      assert.deepEqual(later.map((a) => a.type), ['analysis', 'analysis', 'analysis']);
      c.ws.close(1000);
      await c.closed();
      const refreshed = await http<{ wsToken: string; wsUrl: string }>(base, 'POST', `/api/session/${s.sessionId}/refresh`);
      assert.equal(refreshed.json.wsUrl, s.wsUrl);
      const again = await StreamClient.open(`${refreshed.json.wsUrl}?token=${refreshed.json.wsToken}`);
      const resumed = await streamClip(again, gif.frames.slice(4, 6), gif.delaysMs, false);
      assert.deepEqual(resumed.map((a) => a.type), ['analysis', 'analysis']);
      again.ws.close(1000);
      await again.closed();
    });
  }

  it('drains on SIGTERM: open streams are told to reconnect (1012) and the process exits 0', async () => {
    const s = await session();
    const c = await StreamClient.open(`${s.wsUrl}?token=${s.wsToken}`);
    const code = await platform.stop('SIGTERM');
    assert.equal(await c.closed(), 1012);
    assert.equal(code, 0, platform.output().slice(-2000));
  });
});
