import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedisBus } from '@squirret/bus';
import type { FsrFeedbackEvent, FsrStreamMessage } from '@squirret/contracts';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { listen } from '@squirret/server-kit';
import { dropKeys, eventually } from '@squirret/testing';
import { WebSocket } from 'ws';
import { createFsrApp } from '../src/app';
import { loadFsrConfig } from '../src/config/fsr.config';
import { FeedbackPublisher } from '../src/feedback/feedback.publisher';
import { createFsrDeps } from '../src/runtime';
import { SamplesRepository } from '../src/samples/samples.repository';
import { aiStatus } from './factories/fsr.factory';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const INTERNAL_KEY = 'itest-internal-key-0123456789';
const SESSION = 'a9433005-6d0d-4981-b7b9-6df0ec0366e8';
type Body = Record<string, unknown>;

const seedFoot = (side: 'left' | 'right', over: Body = {}) => ({ side, ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20.0, ratio5: 32.5, ratio6: 21.7, ...over });

/**
 * Two fsr instances on one real PostgreSQL database and one real Redis, as in production: the
 * latest feet, the window, the stream, the rate limit, the feedback ticks and device tokens work
 * whichever instance a request lands on.
 */
describe('two fsr instances sharing latest, window, stream and limits through Redis', () => {
  let db: ScratchDatabase;
  const prefix = `itest:${randomUUID()}:`;
  const apps: NestFastifyApplication[] = [];
  const ports: number[] = [];
  const closers: (() => Promise<void>)[] = [];
  let probe: RedisBus;
  const tokens = new Map<string, string>();

  async function instance(): Promise<NestFastifyApplication> {
    const config = loadFsrConfig({
      DATABASE_URL: db.url,
      REDIS_URL,
      BUS_PREFIX: prefix,
      INTERNAL_API_KEY: INTERNAL_KEY,
      FSR_DEVICE_TOKEN_SECRET: 'itest-device-secret-itest-device-secret-x',
      FSR_RATE_LIMIT: '5',
      FSR_RATE_WINDOW_SEC: '60',
      FSR_FLUSH_INTERVAL_MS: '20',
      // The test ticks the publishers itself; their own timers must not tick during it.
      FSR_FEEDBACK_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'silent',
    });
    const { deps, close } = await createFsrDeps(config);
    const app = await createFsrApp(deps, { level: 'silent', service: 'itest' });
    ports.push(await listen(app, '127.0.0.1', 0));
    apps.push(app);
    closers.push(async () => {
      await app.close();
      await close();
    });
    return app;
  }

  before(async () => {
    db = await createScratchDatabase();
    probe = new RedisBus({ url: REDIS_URL, prefix });
    await instance();
    await instance();
  });

  after(async () => {
    for (const c of closers) await c();
    await dropKeys(probe.connections.commands, prefix);
    await probe.close();
    await db.drop();
  });

  const [A, B] = [0, 1] as const;
  const app = (i: 0 | 1) => apps[i]!;

  /** A device token from the internal admin endpoint (issued on instance A, valid everywhere). */
  async function tokenFor(deviceId: string): Promise<string> {
    const known = tokens.get(deviceId);
    if (known) return known;
    const r = await app(A).inject({ method: 'POST', url: `/internal/fsr/devices/${deviceId}/token`, headers: { 'x-internal-api-key': INTERNAL_KEY } });
    assert.equal(r.statusCode, 200, r.body);
    const token = r.json<{ token: string }>().token;
    tokens.set(deviceId, token);
    return token;
  }

  async function post(i: 0 | 1, url: string, body: unknown, deviceId: string, headers: Record<string, string> = {}) {
    return app(i).inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', 'x-device-id': deviceId, authorization: `Bearer ${await tokenFor(deviceId)}`, ...headers },
      payload: JSON.stringify(body),
    });
  }

  const get = async (i: 0 | 1, url: string) => (await app(i).inject({ method: 'GET', url })).json<Body>();

  it('a foot posted to each instance: both answer the same latest snapshot and feedback', async () => {
    assert.equal((await post(A, '/api/fsr_data', seedFoot('left'), 'dev-share')).statusCode, 202);
    assert.equal((await post(B, '/api/fsr_data', seedFoot('right', { ratio1: 30, ratio2: 20 }), 'dev-share')).statusCode, 202);
    const expected = { left: seedFoot('left'), right: seedFoot('right', { ratio1: 30, ratio2: 20 }) };
    assert.deepEqual(await get(A, '/api/fsr_data/latest?deviceId=dev-share'), expected);
    assert.deepEqual(await get(B, '/api/fsr_data/latest?deviceId=dev-share'), expected);
    const fa = await get(A, '/api/fsr_data/feedback?deviceId=dev-share');
    const fb = await get(B, '/api/fsr_data/feedback?deviceId=dev-share');
    assert.deepEqual(fa, fb);
    assert.notEqual(fa.status, 'NO_DATA');
    assert.ok((fa.metrics as Body).leftRightDiff !== 0, 'both feet are in the shared window');
  });

  it('a sample posted to A reaches a stream subscriber on B, after its snapshot', async () => {
    await post(A, '/api/fsr_data', seedFoot('left'), 'dev-stream');
    const ws = new WebSocket(`ws://127.0.0.1:${ports[B]}/ws/fsr-data?deviceId=dev-stream`);
    const got: FsrStreamMessage[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as FsrStreamMessage));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await eventually(async () => (got.length >= 1 ? true : undefined), 5_000, 'snapshot');
    await post(A, '/api/fsr_data', seedFoot('right', { ratio6: 99 }), 'dev-stream');
    const isRight = (m: FsrStreamMessage) => m.type === 'sample' && (m as { side?: string }).side === 'right';
    await eventually(async () => (got.some(isRight) ? true : undefined), 5_000, 'sample');
    ws.close();
    assert.deepEqual(got[0], { type: 'snapshot', deviceId: 'dev-stream', left: seedFoot('left'), right: null });
    // Ingest answers before its publish goes out, so the first (left) sample's event can still reach B after
    // the snapshot that already holds it: at most that one duplicate may come in between, nothing else.
    const between = got.slice(1, got.findIndex(isRight)).map((m) => ({ ...m, at: undefined }));
    assert.ok(between.length <= 1, `unexpected messages before the right sample: ${JSON.stringify(between)}`);
    for (const m of between) assert.deepEqual(m, { type: 'sample', deviceId: 'dev-stream', ...seedFoot('left'), at: undefined });
    const { at, ...sample } = got.find(isRight) as FsrStreamMessage & { at: number };
    assert.equal(typeof at, 'number');
    assert.deepEqual(sample, { type: 'sample', deviceId: 'dev-stream', ...seedFoot('right', { ratio6: 99 }) });
  });

  it('every sample answered 202 on either instance lands in PostgreSQL', async () => {
    const now = Date.now() / 1000;
    const batch = { samples: Array.from({ length: 40 }, (_, i) => ({ ...seedFoot(i % 2 ? 'right' : 'left'), ts: now - 40 + i })) };
    const r = await post(B, '/api/fsr_data/batch', batch, 'dev-db');
    assert.deepEqual([r.statusCode, r.json()], [202, { status: 'ACCEPTED', accepted: 40 }]);
    await post(A, '/api/fsr_data', seedFoot('left'), 'dev-db');
    const repo = app(A).get(SamplesRepository, { strict: false });
    await eventually(async () => ((await repo.count('dev-db')) === 41 ? true : undefined), 5_000, '41 rows');
  });

  it('shares the per-device rate limit: the sixth request in the window is 429 wherever it lands', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await post(i % 2 ? B : A, '/api/fsr_data', seedFoot('left'), 'dev-limit')).statusCode);
    assert.deepEqual(codes, [202, 202, 202, 202, 202, 429]);
    const limited = await post(A, '/api/fsr_data', seedFoot('left'), 'dev-limit');
    const body = limited.json<Body>();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'message', 'path', 'status', 'timestamp']);
    assert.deepEqual([body.status, body.code, body.path], [429, 'RATE_LIMITED', '/api/fsr_data']);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await post(A, '/api/fsr_data', seedFoot('left'), 'dev-other')).statusCode, 202, 'other devices are not limited');
  });

  it('requires the device token when configured: 401 without or with a bad one, 403 with another device’s', async () => {
    const plain = { 'content-type': 'application/json', 'x-device-id': 'dev-auth' };
    const none = await app(B).inject({ method: 'POST', url: '/api/fsr_data', headers: plain, payload: JSON.stringify(seedFoot('left')) });
    const bad = await app(B).inject({ method: 'POST', url: '/api/fsr_data', headers: { ...plain, authorization: 'Bearer nope' }, payload: JSON.stringify(seedFoot('left')) });
    const foreign = await app(B).inject({
      method: 'POST',
      url: '/api/fsr_data',
      headers: { ...plain, authorization: `Bearer ${await tokenFor('dev-someone-else')}` },
      payload: JSON.stringify(seedFoot('left')),
    });
    assert.deepEqual([none.statusCode, bad.statusCode, foreign.statusCode], [401, 401, 403]);
    assert.deepEqual([none.json<Body>().code, foreign.json<Body>().code], ['UNAUTHORIZED', 'FORBIDDEN']);
    const noKey = await app(A).inject({ method: 'POST', url: '/internal/fsr/devices/dev-auth/token' });
    assert.equal(noKey.statusCode, 401);
    assert.equal((await post(B, '/api/fsr_data', seedFoot('left'), 'dev-auth')).statusCode, 202);
  });

  it('revoking a device on A refuses its old tokens on B at once; a token issued after works on both; a new instance remembers', async () => {
    const old = await tokenFor('dev-lost');
    const ingest = (i: 0 | 1, token: string) =>
      app(i).inject({
        method: 'POST',
        url: '/api/fsr_data',
        headers: { 'content-type': 'application/json', 'x-device-id': 'dev-lost', authorization: `Bearer ${token}` },
        payload: JSON.stringify(seedFoot('left')),
      });
    assert.equal((await ingest(B, old)).statusCode, 202);

    // refused side of the admin endpoint: no key 401, a wrong key 403; nothing revoked
    const revokeUrl = '/internal/fsr/devices/dev-lost/revoke';
    assert.equal((await app(A).inject({ method: 'POST', url: revokeUrl })).statusCode, 401);
    assert.equal((await app(A).inject({ method: 'POST', url: revokeUrl, headers: { 'x-internal-api-key': 'wrong-key-wrong-key-wrong' } })).statusCode, 403);
    assert.equal((await ingest(B, old)).statusCode, 202);

    const revoked = await app(A).inject({ method: 'POST', url: revokeUrl, headers: { 'x-internal-api-key': INTERNAL_KEY } });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json<Body>().tokenGeneration, 1);
    await eventually(async () => ((await ingest(B, old)).statusCode === 401 ? true : undefined), 5_000, 'B refuses the revoked token');
    const refused = await ingest(A, old);
    assert.deepEqual([refused.statusCode, refused.json<Body>().code], [401, 'UNAUTHORIZED']);
    assert.match(String(refused.json<Body>().message), /revoked/);

    tokens.delete('dev-lost');
    const fresh = await tokenFor('dev-lost');
    assert.equal((await ingest(A, fresh)).statusCode, 202);
    assert.equal((await ingest(B, fresh)).statusCode, 202);
    assert.equal((await post(B, '/api/fsr_data', seedFoot('left'), 'dev-auth')).statusCode, 202, 'other devices keep their tokens');

    // a third instance starting now loads the generation from PostgreSQL
    const third = await instance();
    const late = await third.inject({
      method: 'POST',
      url: '/api/fsr_data',
      headers: { 'content-type': 'application/json', 'x-device-id': 'dev-lost', authorization: `Bearer ${old}` },
      payload: JSON.stringify(seedFoot('left')),
    });
    assert.equal(late.statusCode, 401);
  });

  it('publishes each active device’s feedback once per tick, whichever instance ticks', async () => {
    await post(A, '/api/fsr_data', seedFoot('left', { sessionId: SESSION }), 'dev-tick');
    const events: FsrFeedbackEvent[] = [];
    const off = await probe.subscribe('fsr.feedback', (e) => void events.push(e));
    const now = Date.now();
    const [a, b] = await Promise.all([app(A).get(FeedbackPublisher).tick(now), app(B).get(FeedbackPublisher).tick(now)]);
    await eventually(async () => (events.length >= a + b ? true : undefined), 5_000, 'fsr.feedback');
    await off();
    const devices = events.map((e) => e.deviceId);
    assert.equal(new Set(devices).size, devices.length, `each device once: ${devices.join(', ')}`);
    assert.equal(devices.length, a + b);
    const mine = events.find((e) => e.deviceId === 'dev-tick');
    assert.deepEqual([mine?.sessionId, mine?.status], [SESSION, 'GOOD']);
  });

  it('uses the AI status from the bus on every instance for the combined feedback and the stage', async () => {
    await post(A, '/api/fsr_data', seedFoot('left', { sessionId: SESSION }), 'dev-ai');
    await probe.publish('ai.status', aiStatus({ sessionId: SESSION, knee: 'bad', lumbar: 'good', ankle: 'null', stage: 'descent', at: Date.now() }));
    for (const i of [A, B] as const) {
      const c = await eventually(async () => {
        const r = await get(i, '/api/fsr_data/feedback/combined?deviceId=dev-ai');
        return (r.ai as Body).status === 'BAD' ? r : undefined;
      }, 5_000, 'combined with AI');
      assert.deepEqual((c.ai as Body).messages, ['무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.']);
      assert.equal((c.fsr as Body).stage, 'DESCENT');
    }
  });
});
