import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TokenService } from '@squirret/auth';
import { CLOSE_CODES } from '@squirret/contracts';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { FIRST_PERSON_FRAME, FRONT_CLIPS, clipFrame } from '@squirret/pose/dist/testing/clips';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';
import { INFERENCE_METRICS } from '../src/inference.metrics';
import { encodeBinaryFrame } from '../src/stream/frame-parser';

const INFERENCE_SECRET = 'inference-live-secret-inference-live-secret';
type Msg = Record<string, unknown> & { type: string };

/** A frame-socket client; `autoPong: false` lets a test answer pings by hand, then stop (network lost, no FIN). */
interface Client {
  readonly ws: WebSocket;
  readonly messages: Msg[];
  /** Pings received from the server so far. */
  pings: number;
  /** Resolves with the close code. */
  readonly closed: Promise<number>;
  closeCode: number | undefined;
}

function open(url: string, autoPong = true): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { autoPong });
    const c: Client = {
      ws,
      messages: [],
      pings: 0,
      closeCode: undefined,
      closed: new Promise<number>((r) => ws.once('close', (code) => r((c.closeCode = code)))),
    };
    ws.on('ping', () => c.pings++);
    ws.on('message', (d, isBinary) => void (!isBinary && c.messages.push(JSON.parse(d.toString()) as Msg)));
    ws.once('open', () => resolve(c));
    ws.once('error', reject);
  });
}

/** Waits (event-driven, polled) until `pred` holds; fails early if the socket closed. */
async function until(c: Client, pred: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => {
    if (pred()) return true;
    if (c.closeCode !== undefined) throw new Error(`closed ${c.closeCode} waiting for ${what}`);
    return undefined;
  }, timeoutMs, what).catch((err: unknown) => {
    throw c.closeCode !== undefined ? new Error(`closed ${c.closeCode} waiting for ${what}`) : err;
  });
}

/**
 * The frame socket finds dead peers (INFERENCE_WS_PING_MS): a client that stops answering pings is
 * closed with 4010 and its capacity slot freed; a client that streams and answers is kept.
 * The node runs without a pose model (each frame is answered with an error): the socket, not the
 * analysis, is under test.
 */
describe('inference stream liveness', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;
  const tokens = new TokenService({ sessionSecret: 'x'.repeat(32), inferenceSecret: INFERENCE_SECRET, sessionTtlSec: 600, inferenceTtlSec: 600, clockToleranceSec: 0 });

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'inference-live-session-secret-inference-live',
      INFERENCE_TOKEN_SECRET: INFERENCE_SECRET,
      CONTROL_PLANE_SESSION_RATE_LIMIT: '1000',
      INFERENCE_POSE_WORKERS: '0',
      INFERENCE_CAPACITY: '1',
      INFERENCE_HEARTBEAT_MS: '100',
      INFERENCE_WS_PING_MS: '200',
    });
    base = platform.baseUrl;
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    if (platform?.child.exitCode === null) assert.equal(await platform.stop('SIGTERM'), 0, platform.output().slice(-1500));
    await db?.drop();
  });

  /** A session from the control plane, retried until the node's heartbeat shows a free slot. */
  const session = () =>
    eventually(async () => {
      const r = await http<{ sessionId: string; wsUrl: string; wsToken: string }>(base, 'POST', '/api/session', { userId: 'liveness-user' });
      return r.status === 200 ? r.json : undefined;
    }, 15_000, 'a session on the node');

  /** The node's live streams, as it exports them. */
  const liveStreams = async (): Promise<number> => {
    const text = (await http(base, 'GET', '/metrics')).text;
    const m = new RegExp(`^${INFERENCE_METRICS.sessions}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text);
    assert.ok(m, `${INFERENCE_METRICS.sessions} is exported`);
    return Number(m[1]);
  };

  /** Sends one binary frame and waits for the node's answer to it. */
  async function frame(c: Client, n: number, jpeg: Buffer): Promise<Msg> {
    c.ws.send(encodeBinaryFrame(n, Date.now(), jpeg));
    await until(c, () => c.messages.some((m) => m.frameNumber === n), `the answer to frame ${n}`);
    return c.messages.find((m) => m.frameNumber === n)!;
  }

  it('closes a client that stops answering pings with 4010, and its slot takes the next session', async () => {
    const jpeg = await clipFrame(FRONT_CLIPS[0], FIRST_PERSON_FRAME);
    const first = await session();
    const phone = await open(`${first.wsUrl}?token=${first.wsToken}`, false);
    let online = true;
    phone.ws.on('ping', (data) => online && phone.ws.pong(data));
    // Online: it answers by hand, survives sweeps, and holds the node's one slot.
    await frame(phone, 0, jpeg);
    await until(phone, () => phone.pings >= 3, 'three pings answered');
    assert.equal(await liveStreams(), 1);
    const otherId = randomUUID();
    const other = await open(`${first.wsUrl.replace(first.sessionId, otherId)}?token=${tokens.issueInferenceToken(otherId)}`);
    assert.equal(await other.closed, CLOSE_CODES.TRY_AGAIN_LATER, 'a full node refuses a second stream');

    // The network goes: no pong, no FIN. The next sweep but one closes it.
    online = false;
    assert.equal(await phone.closed, CLOSE_CODES.HEARTBEAT_TIMEOUT);
    await eventually(async () => ((await liveStreams()) === 0 ? true : undefined), 10_000, 'the slot freed');

    const next = await session();
    const c = await open(`${next.wsUrl}?token=${next.wsToken}`);
    await frame(c, 0, jpeg);
    assert.equal(c.closeCode, undefined, 'the node took the stream');
    assert.equal(await liveStreams(), 1);
    c.ws.close(1000);
    assert.equal(await c.closed, 1000);
    await eventually(async () => ((await liveStreams()) === 0 ? true : undefined), 10_000, 'the slot freed');
  });

  it('keeps a client that streams frames and answers pings', async () => {
    const jpeg = await clipFrame(FRONT_CLIPS[0], FIRST_PERSON_FRAME);
    const s = await session();
    const c = await open(`${s.wsUrl}?token=${s.wsToken}`);
    // Stream, one frame in flight, until the server has pinged four times: every sweep after the
    // first would have closed a socket that missed a pong.
    for (let n = 0; c.pings < 4; n++) await frame(c, n, jpeg);
    assert.equal(c.closeCode, undefined);
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    assert.equal(await liveStreams(), 1);
    c.ws.close(1000);
    assert.equal(await c.closed, 1000);
  });
});
