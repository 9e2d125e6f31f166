import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Hs256Jwt, hmacKey } from '@squirret/auth';
import { CHAT_METRICS } from '@squirret/chat';
import { CONTROL_PLANE_METRICS } from '@squirret/control-plane';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { FSR_METRICS } from '@squirret/fsr';
import { INFERENCE_METRICS } from '@squirret/inference';
import { FRONT_CLIPS, FIRST_PERSON_FRAME, clipFrames } from '@squirret/pose/dist/testing/clips';
import { KIT_METRICS } from '@squirret/server-kit';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';
import { exportedMetricNames, parseMetrics, type Sample } from './metrics-text';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const INTERNAL_KEY = 'observability-e2e-internal-key';
const SPRING_SECRET = 'observability-e2e-spring-secret-0123456789';
type Msg = Record<string, unknown> & { type: string };

/** The value of one series (name + exact labels), or undefined. */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/**
 * The observability pack after real traffic: each service started on its own (PostgreSQL, Redis,
 * the real pose model), used as a client would, then scraped: every series the code declares is
 * served under its name, and the figures moved with the traffic. Also the queue board's door.
 */
describe('metrics on /metrics after real traffic, and the queue board behind the internal key', () => {
  let db: ScratchDatabase;
  const procs: RunningProcess[] = [];
  let cp: RunningProcess;
  let inf: RunningProcess;
  let fsr: RunningProcess;
  let chat: RunningProcess;
  const common = {
    REDIS_URL,
    BUS_PREFIX: `e2e:${randomUUID()}:`,
    SESSION_TOKEN_SECRET: 'obs-session-secret-obs-session-secret-xxxx',
    INFERENCE_TOKEN_SECRET: 'obs-inference-secret-obs-inference-secret',
    INTERNAL_API_KEY: INTERNAL_KEY,
    PORT: '0',
    HEARTBEAT_MS: '200',
  };
  const scrape = async (p: RunningProcess) => {
    const r = await http(p.baseUrl, 'GET', '/metrics');
    assert.equal(r.status, 200);
    return r.text;
  };

  before(async () => {
    db = await createScratchDatabase();
    cp = await startProcess('apps/control-plane/dist/src/main.js', { ...common, DATABASE_URL: db.url });
    procs.push(cp);
    inf = await startProcess('apps/inference/dist/src/main.js', { ...common, NODE_ID: 'obs-node', POSE_WORKERS: '1', CAPACITY: '4', MAX_IMAGE_BYTES: '300000' }, 120_000);
    procs.push(inf);
    fsr = await startProcess('apps/fsr/dist/src/main.js', { ...common, DATABASE_URL: db.url });
    procs.push(fsr);
    chat = await startProcess('apps/chat/dist/src/main.js', { ...common, DATABASE_URL: db.url, SPRING_JWT_SECRET: SPRING_SECRET });
    procs.push(chat);
    await eventually(async () => ((await http(inf.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 90_000, 'model warm-up');
  });

  after(async () => {
    for (const p of procs.reverse()) assert.equal(await p.stop('SIGTERM'), 0, p.output().slice(-1500));
    await db?.drop();
  });

  it('inference: stage histograms, load gauges, drops and refusals by reason', async () => {
    const created = await eventually(async () => {
      const r = await http<{ sessionId: string; wsUrl: string; wsToken: string }>(cp.baseUrl, 'POST', '/api/session', { userId: 'obs-user' });
      return r.status === 200 ? r.json : undefined;
    }, 10_000, 'an allocation');
    const ws = new WebSocket(`${created.wsUrl}?token=${created.wsToken}`);
    const messages: Msg[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Msg));
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const { frames } = await clipFrames(FRONT_CLIPS[2]);
    const sent = frames.slice(FIRST_PERSON_FRAME, FIRST_PERSON_FRAME + 8);
    for (const [i, jpeg] of sent.entries()) {
      ws.send(JSON.stringify({ type: 'frame', frameNumber: i, image_base64: jpeg.toString('base64'), timestamp: 0 }));
      await eventually(async () => (messages.some((m) => m.frameNumber === i && (m.type === 'analysis' || m.type === 'error')) ? true : undefined), 20_000, `answer to frame ${i}`);
    }
    const analysed = messages.filter((m) => m.type === 'analysis').length;
    assert.equal(analysed, sent.length, JSON.stringify(messages.filter((m) => m.type !== 'analysis')));
    // a burst without waiting: newest frame wins, the others are dropped as replaced
    for (let i = 100; i < 110; i++) ws.send(JSON.stringify({ type: 'frame', frameNumber: i, image_base64: sent[0]!.toString('base64'), timestamp: 0 }));
    // a refused connection (bad token) and a bad message
    const bad = new WebSocket(`${created.wsUrl}?token=nope`);
    await new Promise((r) => bad.once('close', r));
    ws.send('{"type":"frame"}');

    let text = await scrape(inf);
    let samples = parseMetrics(text);
    assert.equal(value(samples, INFERENCE_METRICS.sessions), 1, 'one live stream');
    assert.equal(value(samples, INFERENCE_METRICS.capacity), 4);
    assert.equal(value(samples, INFERENCE_METRICS.loadRatio), 0.25);
    assert.equal(value(samples, INFERENCE_METRICS.draining), 0);
    assert.equal(value(samples, INFERENCE_METRICS.ready), 1);
    for (const h of [INFERENCE_METRICS.queueWait, INFERENCE_METRICS.decode, INFERENCE_METRICS.model, INFERENCE_METRICS.analysis, INFERENCE_METRICS.endToEnd]) {
      assert.ok((value(samples, `${h}_count`) ?? 0) >= sent.length, `${h}_count >= ${sent.length}`);
      assert.ok((value(samples, `${h}_sum`) ?? 0) > 0 || h === INFERENCE_METRICS.queueWait, `${h}_sum > 0`);
    }
    assert.ok((value(samples, 'inference_refusals_total', { reason: 'auth' }) ?? 0) >= 1, 'refused for auth');
    assert.ok((value(samples, 'inference_refusals_total', { reason: 'INVALID_FRAME' }) ?? 0) >= 1 || samples.some((s) => s.name === 'inference_refusals_total' && s.labels.reason !== 'auth'), 'a bad message counted');

    // the stream's close reports its usage: the replaced frames are counted as drops
    ws.close();
    await eventually(async () => {
      samples = parseMetrics((text = await scrape(inf)));
      return (value(samples, INFERENCE_METRICS.dropped, { reason: 'replaced' }) ?? 0) >= 1 && value(samples, INFERENCE_METRICS.sessions) === 0 ? true : undefined;
    }, 10_000, 'drops counted and the stream gone');
    const missing = Object.values(INFERENCE_METRICS).filter((n) => !exportedMetricNames(text).has(n));
    assert.deepEqual(missing, [], 'every declared inference series is served');

    // finishing the session queues a usage job (BullMQ on Redis)
    const fin = await http(cp.baseUrl, 'POST', `/api/session/${created.sessionId}/finish`, { framesIn: 18, framesOut: 8, durationSeconds: 5 });
    assert.equal(fin.status, 200, fin.text);
  });

  it('control plane: BullMQ queue depth by state and failed attempts', async () => {
    const text = await scrape(cp);
    const samples = parseMetrics(text);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      assert.notEqual(value(samples, CONTROL_PLANE_METRICS.jobs, { queue: 'control-plane', state }), undefined, `jobs_queue_jobs{state="${state}"}`);
    }
    assert.equal(value(samples, CONTROL_PLANE_METRICS.failedAttempts, { queue: 'control-plane' }), 0);
    const names = exportedMetricNames(text);
    assert.deepEqual(Object.values({ ...CONTROL_PLANE_METRICS, ...KIT_METRICS }).filter((n) => !names.has(n)), []);
    // (parse-prometheus-text-format loses the count of labelled histograms: read the line itself)
    assert.match(text, /^http_request_duration_seconds_count\{[^}]*route="\/api\/session"[^}]*status="200"[^}]*\} [1-9]/m);
  });

  it('fsr: ingest, writer buffer fill and its bound, set-aside samples, stream figures', async () => {
    const r = await http(fsr.baseUrl, 'POST', '/api/fsr_data', { side: 'left', ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20, ratio5: 32.5, ratio6: 21.7 });
    assert.equal(r.status, 202, r.text);
    const samples = await eventually(async () => {
      const s = parseMetrics(await scrape(fsr));
      return (value(s, FSR_METRICS.persisted) ?? 0) >= 1 ? s : undefined;
    }, 10_000, 'the sample stored');
    assert.equal(value(samples, FSR_METRICS.requests, { form: 'single', outcome: 'accepted' }), 1);
    assert.equal(value(samples, FSR_METRICS.bufferMax), 100_000);
    assert.equal(value(samples, FSR_METRICS.buffered), 0);
    assert.equal(value(samples, FSR_METRICS.rejected), 0);
    const names = exportedMetricNames(await scrape(fsr));
    assert.deepEqual(Object.values({ ...FSR_METRICS, ...KIT_METRICS }).filter((n) => !names.has(n)), []);
  });

  it('chat: delivery lag and the writer figures after a message through a couple room', async () => {
    const jwt = new Hs256Jwt(hmacKey(SPRING_SECRET, 'raw'));
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ sub: 'obs-a', iat: now, exp: now + 600, couple_id: 77 } as never);
    const room = await http<{ room_id: number }>(chat.baseUrl, 'POST', '/api/rooms', { room_name: 'obs', couple_id: 77 }, { authorization: `Bearer ${token}` });
    assert.equal(room.status, 201, room.text);
    const ws = new WebSocket(`${chat.baseUrl.replace('http://', 'ws://')}/api/sessions/ws/${room.json.room_id}?token=${token}`);
    const got: Msg[] = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Msg));
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    await eventually(async () => (got.some((m) => m.type === 'session') ? true : undefined), 5_000, 'the session message');
    ws.send(JSON.stringify({ content: '안녕', clientId: 'obs-1' }));
    await eventually(async () => (got.some((m) => m.type === 'ack') ? true : undefined), 5_000, 'ack');
    const samples = await eventually(async () => {
      const s = parseMetrics(await scrape(chat));
      return (value(s, `${CHAT_METRICS.deliveryLag}_count`) ?? 0) >= 1 ? s : undefined;
    }, 5_000, 'a delivery observed');
    assert.ok((value(samples, CHAT_METRICS.delivered) ?? 0) >= 1);
    assert.equal(value(samples, CHAT_METRICS.writerPending), 0);
    assert.equal(value(samples, CHAT_METRICS.writerMaxInFlight), 2);
    ws.close();
    const names = exportedMetricNames(await scrape(chat));
    assert.deepEqual(Object.values({ ...CHAT_METRICS, ...KIT_METRICS }).filter((n) => !names.has(n)), []);
  });

  it('the queue board: 401 without the key, 403 with a wrong one (seed body); read-only with the key', async () => {
    for (const [headers, status, code] of [
      [{}, 401, 'UNAUTHORIZED'],
      [{ 'x-internal-api-key': 'wrong-key-wrong-key-wrong' }, 403, 'FORBIDDEN'],
    ] as const) {
      for (const path of ['/internal/queues', '/internal/queues/api/queues']) {
        const r = await http<Record<string, unknown>>(cp.baseUrl, 'GET', path, undefined, headers);
        assert.equal(r.status, status, `${path}: ${r.text}`);
        assert.deepEqual(Object.keys(r.json).sort(), ['code', 'error', 'message', 'path', 'status', 'timestamp']);
        assert.deepEqual([r.json.status, r.json.code, r.json.path], [status, code, path]);
      }
    }
    const key = { 'x-internal-api-key': INTERNAL_KEY };
    const page = await http(cp.baseUrl, 'GET', '/internal/queues', undefined, key);
    assert.equal(page.status, 200);
    assert.match(page.text, /<html/i);
    const api = await http<{ queues: { name: string; readOnlyMode: boolean }[] }>(cp.baseUrl, 'GET', '/internal/queues/api/queues', undefined, key);
    assert.equal(api.status, 200, api.text);
    const q = api.json.queues.find((x) => x.name === 'control-plane');
    assert.ok(q, JSON.stringify(api.json).slice(0, 300));
    assert.equal(q.readOnlyMode, true);
    // read-only: the board's actions are refused
    for (const action of ['/internal/queues/api/queues/control-plane/retry/failed', '/internal/queues/api/queues/control-plane/clean/completed', '/internal/queues/api/queues/control-plane/pause']) {
      const r = await http(cp.baseUrl, 'PUT', action, undefined, key);
      assert.ok(r.status >= 400 && r.status < 500, `${action}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  });
});
