import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RedisBus } from '@squirret/bus';
import { CLOSE_CODES } from '@squirret/contracts';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { stompClientLib } from '@squirret/stomp/dist/testing/client-frames';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { Client as PgClient } from 'pg';
import { WebSocket } from 'ws';
import { RawStompClientLib, json } from './stomp-clients';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSION_SECRET = 'stomp-e2e-session-secret-stomp-e2e-session';
const QUEUE = '/user/queue/session';
const APP = '/app/session.message';
type Msg = Record<string, unknown> & { type: string; payload?: Record<string, unknown> };

/**
 * The app's STOMP session channel (docs/contracts/ios-api.md §1, §2, §4, §6) on the started all-in-one process,
 * with the real @stomp/stompjs client and a byte-for-byte StompClientLib client.
 */
describe('STOMP session channel /ws', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;
  let wsBase: string;
  let bus: RedisBus;
  const prefix = `stomp-e2e:${randomUUID()}:`;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      REDIS_URL,
      BUS_PREFIX: prefix,
      SESSION_TOKEN_SECRET: SESSION_SECRET,
      INFERENCE_TOKEN_SECRET: 'stomp-e2e-inference-secret-stomp-e2e-infer',
      CONTROL_PLANE_SESSION_RATE_LIMIT: '1000',
      INFERENCE_POSE_WORKERS: '0',
      CHAT_DATA_PUSH_MS: '200',
      CHAT_VOICE_EVERY_TICKS: '10', // voice every 2 s, about the last 2 s
      CHAT_STOMP_CONNECT_TIMEOUT_MS: '1500',
    });
    base = platform.baseUrl;
    wsBase = base.replace('http://', 'ws://');
    bus = new RedisBus({ url: REDIS_URL, prefix });
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    await bus?.close();
    // A session still connected at SIGTERM is told to reconnect (1012) and does not hold up the exit
    // (the process gives up with exit code 1 after 15 s if a socket keeps the HTTP server open).
    const open = platform ? await connectedRaw((await guest()).wsToken) : undefined;
    const code = platform?.stop('SIGTERM');
    if (open) assert.equal(await open.closed(10_000), CLOSE_CODES.SERVICE_RESTART);
    assert.equal(await code, 0, platform?.output().slice(-2000));
    await db?.drop();
  });

  const guest = async () => (await http<{ sessionId: string; wsToken: string }>(base, 'POST', '/internal/session')).json;

  async function connectedRaw(token: string): Promise<RawStompClientLib> {
    const c = await RawStompClientLib.open(`${wsBase}/ws?token=${token}`);
    c.send(stompClientLib.connect());
    const connected = await c.next((f) => f.command === 'CONNECTED', 5_000, 'CONNECTED');
    assert.equal(connected.headers.version, '1.2');
    c.send(stompClientLib.subscribe(QUEUE));
    return c;
  }

  it('refuses the handshake with 401 for a missing, forged, expired or foreign token (and never logs it)', async () => {
    const jose = await import('jose');
    const key = new TextEncoder().encode(SESSION_SECRET);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new jose.SignJWT({ role: 'guest' }).setProtectedHeader({ alg: 'HS256' }).setSubject(randomUUID()).setAudience('session-ws').setIssuedAt(now - 100).setExpirationTime(now - 50).sign(key);
    const forged = await new jose.SignJWT({ role: 'guest' }).setProtectedHeader({ alg: 'HS256' }).setSubject(randomUUID()).setAudience('session-ws').setExpirationTime(now + 60).sign(new TextEncoder().encode('another-secret-another-secret-another-sec'));
    const inference = (await http<{ wsToken: string }>(base, 'POST', '/api/session', { userId: 'u' })).json.wsToken;
    for (const [name, url] of [
      ['missing', `${wsBase}/ws`],
      ['garbage', `${wsBase}/ws?token=abc.def.ghi`],
      ['forged', `${wsBase}/ws?token=${forged}`],
      ['expired', `${wsBase}/ws?token=${expired}`],
      ['inference token', `${wsBase}/ws?token=${inference}`],
    ] as const) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => undefined);
      });
      assert.equal(status, 401, name);
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const t of [expired, forged, inference]) assert.ok(!platform.output().includes(t.split('.')[2]!), 'a refused token reached the log');
  });

  it('works with the real @stomp/stompjs client: subprotocol, CONNECT, subscribe, PING/PONG, DATA with the AI status', async () => {
    const { Client } = await import('@stomp/stompjs');
    const { sessionId, wsToken } = await guest();
    let protocol = '';
    const received: Msg[] = [];
    const client = new Client({
      webSocketFactory: () => {
        const ws = new WebSocket(`${wsBase}/ws?token=${wsToken}`, ['v12.stomp', 'v11.stomp', 'v10.stomp']);
        ws.on('open', () => (protocol = ws.protocol));
        return ws;
      },
      reconnectDelay: 0,
    });
    const connected = new Promise<void>((resolve) => {
      client.onConnect = () => {
        client.subscribe(QUEUE, (m) => received.push(JSON.parse(m.body) as Msg));
        resolve();
      };
    });
    client.activate();
    await connected;
    assert.equal(protocol, 'v12.stomp');
    const status = await http(base, 'POST', '/internal/ai/status', { lumbar: 'good', knee: 'bad', ankle: 'null', sessionId });
    assert.equal(status.status, 200);
    client.publish({ destination: APP, body: JSON.stringify({ type: 'PING', payload: { ts: 1730892345 } }) });
    const pong = await eventually(async () => received.find((m) => m.type === 'PONG'), 5_000, 'PONG');
    assert.equal(pong.payload?.ts, 1730892345);
    const data = await eventually(async () => received.find((m) => m.type === 'DATA' && (m.payload?.ai as Msg | undefined)?.knee === 'bad'), 5_000, 'DATA');
    assert.deepEqual(data.payload?.ai, { lumbar: 'good', knee: 'bad', ankle: 'null' });
    assert.equal(typeof data.payload?.value, 'number');
    assert.equal(typeof data.payload?.ts, 'number');
    await client.deactivate();
  });

  it('works with a byte-for-byte StompClientLib client: no subprotocol, PING/PONG, DATA with the FSR sample, voice', async () => {
    const { sessionId, wsToken } = await guest();
    const c = await connectedRaw(wsToken);
    c.send(stompClientLib.sendJson(APP, JSON.stringify({ type: 'PING', payload: { ts: 1.5 } })));
    const pong = await c.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'PONG', 5_000, 'PONG');
    assert.equal(pong.headers.destination, QUEUE, 'StompClientLib routes by destination');
    assert.equal(pong.headers.subscription, QUEUE);
    assert.match(pong.headers['content-type'] ?? '', /^application\/json/);
    // The default device's balance, as the FSR service publishes it (left 100, right 50: (100 - 50) / 150).
    await bus.publish('fsr.balance', { deviceId: 'default', value: 0.333, left: true, right: true, at: Date.now() });
    const data = await c.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'DATA' && json<Msg>(f).payload?.hasFsr === true, 5_000, 'DATA with FSR');
    assert.equal(json<Msg>(data).payload?.value, 0.333);
    // One `at` for both: a voice tick sees both fresh or neither (a busy machine can delay the second publish).
    const at = Date.now();
    await bus.publish('fsr.feedback', { deviceId: 'default', sessionId: null, stage: 'DESCENT', status: 'BAD', feedback: '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요.', at });
    await bus.publish('ai.status', { sessionId, lumbar: 'good', knee: 'bad', ankle: 'good', source: 'inference', at });
    const voice = await c.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'voice', 8_000, 'voice');
    assert.match(String(json<Msg>(voice).text), /뒤꿈치로 눌러주세요/);
    assert.match(String(json<Msg>(voice).text), /무릎/);
    c.close();
  });

  it('delivers a session only its own messages, whichever instance published them', async () => {
    const a = await guest();
    const b = await guest();
    const ca = await connectedRaw(a.wsToken);
    const cb = await connectedRaw(b.wsToken);
    await new Promise((r) => setTimeout(r, 100));
    await bus.publish('session.push', { sessionId: b.sessionId, message: { type: 'NOTICE', text: 'only for b' }, at: Date.now() });
    const got = await cb.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'NOTICE', 5_000, 'NOTICE');
    assert.equal(json<Msg>(got).text, 'only for b');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ca.frames.filter((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'NOTICE').length, 0);
    ca.close();
    cb.close();
  });

  it('records a CLIENT_EVENT for the session and publishes it on the bus', async () => {
    const { sessionId, wsToken } = await guest();
    const seen = new Promise<Record<string, unknown>>((resolve) => {
      void bus.subscribe('client.event', (e) => {
        if (e.sessionId === sessionId) resolve(e);
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    const c = await connectedRaw(wsToken);
    c.send(stompClientLib.sendJson(APP, JSON.stringify({ type: 'CLIENT_EVENT', payload: { name: 'squat_start', ts: 1730892345.5 } })));
    const e = await seen;
    assert.equal(e.name, 'squat_start');
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const rows = await pg.query('SELECT name, client_ts FROM chat_client_events WHERE session_id = $1', [sessionId]);
    await pg.end();
    assert.deepEqual(rows.rows, [{ name: 'squat_start', client_ts: 1730892345.5 }]);
    c.close();
  });

  it('keeps the session queue after the guest is upgraded and reconnects with the user token', async () => {
    const { sessionId, wsToken } = await guest();
    const first = await connectedRaw(wsToken);
    await first.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'DATA', 5_000, 'DATA as guest');
    const up = await http<{ wsToken: string }>(base, 'POST', '/auth/upgrade', { userId: 'user-42', sessionId, email: 'u@example.com' });
    assert.equal(up.status, 200);
    first.send(stompClientLib.disconnect(1));
    first.close();
    const second = await connectedRaw(up.json.wsToken);
    await bus.publish('session.push', { sessionId, message: { type: 'NOTICE', text: 'after upgrade' }, at: Date.now() });
    const got = await second.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'NOTICE', 5_000, 'NOTICE after upgrade');
    assert.equal(json<Msg>(got).text, 'after upgrade');
    second.close();
  });

  it('bad input: each case gets an ERROR frame and a close, and a client connected meanwhile is unaffected', async () => {
    const bystander = await connectedRaw((await guest()).wsToken);
    const cases: { name: string; frames: (string | Buffer)[]; message: RegExp; code: number; connect?: boolean }[] = [
      { name: 'malformed frame', frames: ['CONNECT\naccept-version:1.2\nno-colon-line\n\n\0'], message: /./, code: 1002, connect: false },
      { name: 'unknown command', frames: ['FLY\n\n\0'], message: /unknown command|FLY/i, code: 1002 },
      { name: 'SUBSCRIBE without id', frames: [`SUBSCRIBE\ndestination:${QUEUE}\n\n\0`], message: /id/, code: 1002 },
      { name: 'SEND without destination', frames: ['SEND\n\nhello\0'], message: /destination/, code: 1002 },
      { name: 'oversize frame', frames: [`SEND\ndestination:${APP}\n\n${'x'.repeat(70 * 1024)}\0`], message: /.*/, code: 1009 },
      { name: 'SEND before CONNECT', frames: [stompClientLib.sendJson(APP, '{"type":"PING"}')], message: /CONNECT/, code: 1002, connect: false },
      { name: 'second CONNECT', frames: [stompClientLib.connect()], message: /CONNECT|already/i, code: 1002 },
      { name: 'invalid escape', frames: [`SEND\ndestination:${APP}\nx-bad:a\\tb\n\n{}\0`], message: /escape/i, code: 1002 },
      { name: 'unknown destination', frames: [stompClientLib.sendJson('/app/other', '{"type":"PING"}')], message: /unknown destination/, code: 1008 },
      { name: 'bad JSON', frames: [stompClientLib.sendJson(APP, '{"type":')], message: /not valid JSON/, code: 1008 },
      { name: 'unknown message type', frames: [stompClientLib.sendJson(APP, '{"type":"DANCE"}')], message: /type must be PING or CLIENT_EVENT/, code: 1008 },
      { name: 'subscribe to a foreign queue', frames: ['SUBSCRIBE\ndestination:/user/other/queue/session\nid:1\n\n\0'], message: /unknown destination/, code: 1008 },
      // Issue 13 reproducer: the ERROR's close reason was over the 123 bytes a close frame allows,
      // `ws` threw RangeError and the whole process died. Now: ERROR + 1008, reason cut to fit.
      { name: 'SUBSCRIBE to a 40-Hangul destination', frames: [`SUBSCRIBE\ndestination:/topic/${'가'.repeat(40)}\nid:1\n\n\0`], message: /unknown destination/, code: 1008 },
      { name: 'SEND to a 200-Hangul destination', frames: [stompClientLib.sendJson(`/app/${'가나다라마'.repeat(40)}`, '{"type":"PING"}')], message: /unknown destination/, code: 1008 },
    ];
    for (const c of cases) {
      const { wsToken } = await guest();
      const client = await RawStompClientLib.open(`${wsBase}/ws?token=${wsToken}`);
      if (c.connect !== false) {
        client.send(stompClientLib.connect());
        await client.next((f) => f.command === 'CONNECTED', 5_000, `${c.name}: CONNECTED`);
      }
      for (const f of c.frames) client.send(f);
      const err = await client.next((f) => f.command === 'ERROR', 5_000, `${c.name}: ERROR`).catch(() => undefined);
      if (c.code !== 1009) {
        assert.ok(err, `${c.name}: an ERROR frame`);
        assert.match(err.headers.message ?? '', c.message, c.name);
      }
      assert.equal(await client.closed(), c.code, c.name);
    }
    // The bystander was never disturbed: still connected and still receiving DATA.
    bystander.frames.length = 0;
    await bystander.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'DATA', 5_000, 'bystander DATA');
    assert.equal(bystander.closeCode, undefined);
    bystander.close();
  });

  it('cuts off a client that does not read (bounded buffer, 4008) while another keeps receiving', async () => {
    const slowGuest = await guest();
    const slow = await connectedRaw(slowGuest.wsToken);
    const other = await connectedRaw((await guest()).wsToken);
    await slow.next((f) => f.command === 'MESSAGE', 5_000, 'first DATA');
    // Stop reading: the kernel buffers fill, then the server's own send buffer grows to its bound.
    const raw = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const big = 'x'.repeat(32 * 1024);
    for (let i = 0; i < 800; i++) {
      await bus.publish('session.push', { sessionId: slowGuest.sessionId, message: { type: 'BULK', i, big }, at: Date.now() });
    }
    await new Promise((r) => setTimeout(r, 500));
    raw.resume();
    assert.equal(await slow.closed(15_000), 4008);
    other.frames.length = 0;
    await other.next((f) => f.command === 'MESSAGE' && json<Msg>(f).type === 'DATA', 5_000, 'DATA for the other client');
    assert.equal(other.closeCode, undefined);
    other.close();
  });

  it('closes a socket that never sends CONNECT', async () => {
    const { wsToken } = await guest();
    const c = await RawStompClientLib.open(`${wsBase}/ws?token=${wsToken}`);
    assert.equal(await c.closed(5_000), 1008);
  });
});
