import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hs256Jwt, hmacKey } from '@squirret/auth';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { freePort, startGateway, type RunningGateway } from '@squirret/gateway';
import { decodeGifFrames } from '@squirret/pose';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIP = join(process.env.SQUIRRET_DATASETS ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif', 'aitrainer_olympic_squat_vid.gif');
const SPRING_SECRET = 'gateway-e2e-spring-secret-0123456789abcdef';
const INTERNAL_KEY = 'gateway-e2e-internal-key-0123';
const ERROR_KEYS = ['code', 'error', 'message', 'path', 'status', 'timestamp'];
type Body = Record<string, unknown>;
type Allocation = { sessionId: string; wsUrl: string; wsToken: string };

/** A WebSocket client that keeps every text message (JSON parsed when it is JSON). */
class Socket {
  readonly messages: (Body | string)[] = [];
  closeCode: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d, binary) => {
      if (binary) return;
      const text = d.toString();
      try {
        this.messages.push(JSON.parse(text) as Body);
      } catch {
        this.messages.push(text);
      }
    });
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => undefined);
  }
  static open(url: string, protocols?: string[]): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols);
      const s = new Socket(ws);
      ws.once('open', () => resolve(s));
      ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  next<T extends Body | string>(pred: (m: Body | string) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
    return eventually(async () => {
      const m = this.messages.find(pred);
      if (m === undefined && this.closeCode !== undefined) throw new Error(`closed ${this.closeCode} waiting for ${what}`);
      return m as T | undefined;
    }, timeoutMs, what);
  }
}
const isObj = (m: Body | string): m is Body => typeof m === 'object';

/**
 * The repository's gateway (Debian's nginx, config rendered from infra/nginx/nginx.conf.template
 * with the node map) in front of the control plane, two inference nodes with the real MoveNet,
 * FSR and chat, each its own process on the shared PostgreSQL and Redis (its own database and
 * BUS_PREFIX). Every seed path is used through the gateway only; each node announces
 * <gateway>/inference/<nodeId> and the test checks, in each node's own log, which node served
 * each stream.
 */
describe('the nginx gateway in front of the services and two addressable inference nodes', () => {
  let db: ScratchDatabase;
  let gw: RunningGateway;
  let gwPort: number;
  const procs: RunningProcess[] = [];
  const nodes = new Map<string, RunningProcess>();
  let frames: Buffer[] = [];
  const common = {
    REDIS_URL,
    BUS_PREFIX: `gw-e2e:${randomUUID()}:`,
    SESSION_TOKEN_SECRET: 'gw-e2e-session-secret-gw-e2e-session-secret',
    INFERENCE_TOKEN_SECRET: 'gw-e2e-inference-secret-gw-e2e-inference-s',
    INTERNAL_API_KEY: INTERNAL_KEY,
    PORT: '0',
    TRUST_PROXY: 'true',
    INFERENCE_HEARTBEAT_MS: '200',
    LOG_LEVEL: 'info',
  };
  const spring = new Hs256Jwt(hmacKey(SPRING_SECRET, 'raw'));
  const springToken = (sub: string, claims: Body = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return spring.sign({ sub, iat: now, exp: now + 3600, ...claims });
  };
  const gwGet = (path: string, headers: Record<string, string> = {}) => http<Body>(gw.baseUrl, 'GET', path, undefined, headers);
  const gwPost = (path: string, body?: unknown, headers: Record<string, string> = {}) => http<Body>(gw.baseUrl, 'POST', path, body, headers);
  const addr = (p: RunningProcess) => `127.0.0.1:${p.port}`;
  /** The node whose own log says it opened this session's stream. */
  const servedBy = (sessionId: string) =>
    [...nodes].filter(([, p]) => p.output().split('\n').some((l) => l.includes(`"sessionId":"${sessionId}"`) && l.includes('stream opened'))).map(([id]) => id);
  const nodeInUrl = (wsUrl: string) => /\/inference\/([^/]+)\/ws\/[0-9a-f-]{36}$/.exec(wsUrl)?.[1];

  before(async () => {
    assert.ok(existsSync(CLIP), `the shared clips are missing: ${CLIP}`);
    frames = (await decodeGifFrames(readFileSync(CLIP))).frames;
    db = await createScratchDatabase();
    gwPort = await freePort();
    const cp = await startProcess('apps/control-plane/dist/src/main.js', { ...common, DATABASE_URL: db.url, CONTROL_PLANE_SESSION_RATE_LIMIT: '10000' });
    const fsr = await startProcess('apps/fsr/dist/src/main.js', { ...common, DATABASE_URL: db.url, FSR_RATE_LIMIT: '100000' });
    const chat = await startProcess('apps/chat/dist/src/main.js', { ...common, DATABASE_URL: db.url, SPRING_JWT_SECRET: SPRING_SECRET, CHAT_DATA_PUSH_MS: '200' });
    procs.push(cp, fsr, chat);
    // node-a takes one session, node-b two; one after the other (two warm-ups at once only slow each other)
    for (const [id, capacity] of [['node-a', 1], ['node-b', 2]] as const) {
      const p = await startProcess('apps/inference/dist/src/main.js', {
        ...common,
        INFERENCE_NODE_ID: id,
        INFERENCE_CAPACITY: String(capacity),
        INFERENCE_PUBLIC_WS_BASE: `ws://127.0.0.1:${gwPort}/inference/{nodeId}`,
        INFERENCE_POSE_WORKERS: '1',
        INFERENCE_MAX_IMAGE_BYTES: '300000',
        INFERENCE_DRAIN_TIMEOUT_MS: '3000',
      }, 120_000);
      procs.push(p);
      nodes.set(id, p);
      await eventually(async () => ((await http(p.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 120_000, `${id} ready`);
    }
    gw = await startGateway({
      controlPlane: [addr(cp)],
      fsr: [addr(fsr)],
      chat: [addr(chat)],
      inference: { nodes: [...nodes].map(([id, p]) => ({ id, address: addr(p) })) },
    }, gwPort);
  });

  after(async () => {
    await gw?.stop();
    for (const p of procs.reverse()) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGTERM');
    await db?.drop();
  });

  it('health is the services’ own answer, proxied: the control plane’s checks and each node’s own', async () => {
    const cpReady = await gwGet('/health/ready');
    assert.equal(cpReady.status, 200, cpReady.text);
    assert.deepEqual(cpReady.json, (await http<Body>(procs[0]!.baseUrl, 'GET', '/health/ready')).json);
    assert.equal((await gwGet('/health/live')).status, 200);
    for (const [id, p] of nodes) {
      const r = await gwGet(`/inference/${id}/health/ready`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json).sort(), Object.keys((await http<Body>(p.baseUrl, 'GET', '/health/ready')).json).sort());
      assert.match(r.text, /inference\.model/, 'the node’s own check names');
    }
    const unknown = await gwGet('/inference/node-z/health/ready');
    assert.deepEqual([unknown.status, unknown.json.code], [404, 'ROUTE_NOT_FOUND']);
    const missing = await gwGet('/no/such/route');
    assert.deepEqual([missing.status, Object.keys(missing.json).sort(), missing.json.code], [404, ERROR_KEYS, 'ROUTE_NOT_FOUND'], 'the control plane’s own 404, in the seed body');
  });

  it('REST seed paths answer through the gateway: control plane (§3, §7), FSR (§5), chat rooms (seed 000)', async () => {
    const guest = await gwPost('/internal/session');
    assert.equal(guest.status, 200, guest.text);
    const up = await gwPost('/auth/upgrade', { userId: 'b1f3e0a2-7d4c-4c5e-9a51-1f2e3d4c5b6a', sessionId: guest.json.sessionId, email: 'user@example.com' });
    assert.equal(up.status, 200, up.text);
    const ai = await gwPost('/internal/ai/status', { lumbar: 'good', knee: 'bad', ankle: 'null' }, { 'x-internal-api-key': INTERNAL_KEY });
    assert.equal(ai.json.status, 'PUBLISHED');
    const bad = await gwPost('/api/session', '{"userId":');
    assert.deepEqual([bad.status, bad.json.code, bad.json.path], [400, 'MALFORMED_JSON', '/api/session']);
    assert.equal((await gwGet('/openapi.json')).status, 200);

    const left = { side: 'left', ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20, ratio5: 32.5, ratio6: 21.7 };
    assert.deepEqual([(await gwPost('/api/fsr_data', left)).status], [202]);
    assert.deepEqual((await gwGet('/api/fsr_data/latest')).json.left, left);
    assert.equal((await gwGet('/api/fsr_data/feedback')).status, 200);
    assert.equal((await gwGet('/api/fsr_data/feedback/combined')).status, 200);

    const a = springToken('gw-a', { couple_id: 41 });
    const room = await gwPost('/api/rooms', { room_name: '커플 대화방', couple_id: 41 }, { authorization: `Bearer ${a}` });
    assert.equal(room.status, 201, room.text);
    assert.equal((await gwGet('/api/rooms', { authorization: `Bearer ${a}` })).status, 200);
    assert.equal((await gwGet('/api/rooms')).status, 401);
    assert.equal((await gwGet('/distributor/chat/rooms')).status, 200);
  });

  it('WebSocket seed paths answer through the gateway: /ws STOMP, /ws/fsr-data, the couple chat room', async () => {
    // STOMP (seed §4), asking for a subprotocol as @stomp/stompjs does: the gateway passes it through
    const { wsToken } = (await gwPost('/internal/session')).json as { wsToken: string };
    const stomp = await Socket.open(`${gw.wsBase}/ws?token=${wsToken}`, ['v12.stomp', 'v11.stomp']);
    assert.equal(stomp.ws.protocol, 'v12.stomp');
    stomp.ws.send('CONNECT\naccept-version:1.1,1.2\nheart-beat:0,0\n\n\0');
    await stomp.next((m) => typeof m === 'string' && m.startsWith('CONNECTED'), 'CONNECTED');
    stomp.ws.send('SUBSCRIBE\ndestination:/user/queue/session\nack:auto\nid:/user/queue/session\n\n\0');
    await stomp.next((m) => typeof m === 'string' && m.startsWith('MESSAGE') && m.includes('"type":"DATA"'), 'a DATA push');
    stomp.ws.close();

    const fsr = await Socket.open(`${gw.wsBase}/ws/fsr-data?deviceId=gw-insole`);
    await fsr.next((m) => isObj(m) && m.type === 'snapshot', 'the snapshot');
    const sample = { deviceId: 'gw-insole', side: 'right', ratio1: 1, ratio2: 2, ratio3: 3, ratio4: 4, ratio5: 5, ratio6: 6 };
    assert.equal((await gwPost('/api/fsr_data', sample)).status, 202);
    await fsr.next((m) => isObj(m) && m.type === 'sample' && m.side === 'right', 'the sample on the stream');
    fsr.ws.close();

    const coupleId = 42;
    const [ta, tb] = [springToken('gw-ca', { couple_id: coupleId }), springToken('gw-cb', { couple_id: coupleId })];
    const room = await gwPost('/api/rooms', { room_name: '우리', couple_id: coupleId }, { authorization: `Bearer ${ta}` });
    const roomId = Number(room.json.room_id);
    const alice = await Socket.open(`${gw.wsBase}/api/sessions/ws/${roomId}?token=${ta}`);
    const bob = await Socket.open(`${gw.wsBase}/api/sessions/ws/${roomId}?token=${tb}`);
    await alice.next((m) => isObj(m) && m.type === 'session', 'alice session');
    await bob.next((m) => isObj(m) && m.type === 'session', 'bob session');
    alice.ws.send(JSON.stringify({ content: '게이트웨이 너머 안녕', clientId: 'gw-1' }));
    const ack = await alice.next<Body>((m) => isObj(m) && m.type === 'ack', 'ack');
    assert.equal(ack.clientId, 'gw-1');
    const got = await bob.next<Body>((m) => isObj(m) && m.content === '게이트웨이 너머 안녕', 'delivery to bob');
    assert.equal(got.id, ack.messageId);
    alice.ws.close();
    bob.ws.close();
  });

  /** Connects to the wsUrl the control plane answered (through the gateway) and gets one frame analysed. */
  async function stream(a: Allocation, n = 0): Promise<Socket> {
    assert.ok(a.wsUrl.startsWith(`${gw.wsBase}/inference/`), a.wsUrl);
    assert.ok(a.wsUrl.endsWith(`/ws/${a.sessionId}`), 'the seed’s wsUrl shape ends the URL');
    const s = await Socket.open(`${a.wsUrl}?token=${a.wsToken}`);
    s.ws.send(JSON.stringify({ type: 'frame', frameNumber: n, image_base64: frames[n % frames.length]!.toString('base64'), timestamp: Date.now() / 1000 }));
    const answer = await s.next<Body>((m) => isObj(m) && (m.type === 'analysis' || m.type === 'error') && m.frameNumber === n, `the answer to frame ${n}`);
    assert.equal(answer.type, 'analysis', JSON.stringify(answer));
    return s;
  }
  /** Waits until both nodes' heartbeats (200 ms) carry the streams just opened or closed. */
  const settle = () => new Promise((r) => setTimeout(r, 1_000));
  const allocate = () => http<Allocation & Body>(gw.baseUrl, 'POST', '/api/session', { userId: 'gw-user' });
  const live: { a: Allocation; s: Socket }[] = [];

  it('sessions land on the node the control plane chose; a full node is skipped; 503 NO_CAPACITY when every node is full', async () => {
    const expected = ['node-a', 'node-b', 'node-b']; // a and b tie at 0 (id order), then a is full (1/1)
    for (const want of expected) {
      const r = await allocate();
      assert.equal(r.status, 200, r.text);
      assert.equal(nodeInUrl(r.json.wsUrl), want, `placed on ${want}: ${r.json.wsUrl}`);
      live.push({ a: r.json, s: await stream(r.json) });
      assert.deepEqual(servedBy(r.json.sessionId), [want], 'the node named in wsUrl is the node that served the stream');
      await settle();
    }
    const full = await allocate();
    assert.deepEqual([full.status, full.json.code, Object.keys(full.json).sort()], [503, 'NO_CAPACITY', ERROR_KEYS], 'the control plane’s own 503, passed through');
    // The stream on node-a ends: node-a takes the next session again.
    live.shift()!.s.ws.close(1000);
    await settle();
    const again = await allocate();
    assert.equal(nodeInUrl(again.json.wsUrl), 'node-a');
    live.unshift({ a: again.json, s: await stream(again.json) });
    assert.deepEqual(servedBy(again.json.sessionId), ['node-a']);
  });

  it('a draining node gets no new session; its streams move through refresh to the node the control plane names', async () => {
    // free node-a, so the streams of node-b have somewhere to go
    live.shift()!.s.ws.close(1000);
    await settle();
    const b = nodes.get('node-b')!;
    const onB = live.splice(0);
    assert.deepEqual(onB.map((x) => nodeInUrl(x.a.wsUrl)), ['node-b', 'node-b']);
    const exited = b.stop('SIGTERM');
    await eventually(async () => (onB.every((x) => x.s.closeCode !== undefined) ? true : undefined), 10_000, 'node-b to tell its clients to move');
    assert.deepEqual(onB.map((x) => x.s.closeCode), [1012, 1012]);
    // The app's flow (README): refresh, connect to the returned wsUrl. node-a has room for one.
    // (node-b said it drains before it sent 1012; the control plane hears that over the bus, so a
    // refresh racing ahead of that heartbeat may still name node-b once: the app refreshes again)
    const moved = await eventually(async () => {
      const r = await http<Allocation>(gw.baseUrl, 'POST', `/api/session/${onB[0]!.a.sessionId}/refresh`);
      assert.equal(r.status, 200, r.text);
      return nodeInUrl(r.json.wsUrl) === 'node-b' ? undefined : r;
    }, 3_000, 'a refresh naming another node');
    assert.equal(nodeInUrl(moved.json.wsUrl), 'node-a');
    const s = await stream(moved.json, 1);
    assert.ok(servedBy(moved.json.sessionId).includes('node-a'));
    await settle();
    // node-a is full and node-b drains (or is gone): nothing is placed on node-b
    const refused = await http<Body>(gw.baseUrl, 'POST', `/api/session/${onB[1]!.a.sessionId}/refresh`);
    assert.deepEqual([refused.status, refused.json.code], [503, 'NO_CAPACITY']);
    const fresh = await allocate();
    assert.deepEqual([fresh.status, fresh.json.code], [503, 'NO_CAPACITY']);
    assert.equal(await exited, 0, b.output().slice(-1500));
    // the gateway now answers for the stopped node in the seed body, never nginx's own page
    const gone = await gwGet('/inference/node-b/health/ready');
    assert.deepEqual([gone.status, gone.json.code], [503, 'DEPENDENCY_UNAVAILABLE']);
    s.ws.close(1000);
    const finished = await gwPost(`/api/session/${moved.json.sessionId}/finish`, { framesIn: 2, framesOut: 2, durationSeconds: 1 });
    assert.equal(finished.status, 200, finished.text);
  });

  it('no token reached any log: the gateway logs paths without their query', () => {
    const log = gw.output();
    assert.match(log, /"GET \/inference\/node-a\/ws\/[0-9a-f-]{36}" 101/);
    assert.doesNotMatch(log, /token=|eyJ[A-Za-z0-9_-]{10,}/);
  });
});
