import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InferenceTokenVerifier } from '@squirret/auth';
import { RedisBus } from '@squirret/bus';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { listen } from '@squirret/server-kit';
import { assertSameAnswer, eventually, rawPost, withoutTimestamp, type ExpectedAnswer, type RawAnswer } from '@squirret/testing';
import { createControlPlaneApp } from '../src/app';
import { loadControlPlaneConfig } from '../src/config/control-plane.config';
import { createControlPlaneDeps } from '../src/runtime';
import { controlPlaneFastRoutes } from '../src/sessions/sessions.fast-route';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const INFERENCE_SECRET = 'itest-inference-secret-itest-inference-sec';
const RATE_LIMIT = 3;

/** A successful answer without what is new each time (the session id, its URL and token), checked first. */
function comparable(a: RawAnswer): RawAnswer {
  if (a.status !== 200 || !a.body) return withoutTimestamp(a);
  const { sessionId, wsUrl, wsToken, ...rest } = a.body as { sessionId: string; wsUrl: string; wsToken: string };
  assert.match(sessionId, /^[0-9a-f-]{36}$/);
  assert.equal(wsUrl, `ws://127.0.0.1:9/ws/${sessionId}`);
  const claims = new InferenceTokenVerifier(INFERENCE_SECRET, 5).verify(wsToken, sessionId);
  assert.equal(claims.sub, sessionId);
  return { ...a, body: { ...rest, sessionId: 'uuid', wsUrl: 'url', wsToken: 'jwt' } };
}

/**
 * The fast session route (POST /api/session answered before the framework's pipeline) against the
 * same route through Nest and Fastify (CONTROL_PLANE_FAST_SESSION=false): two control planes on one
 * real PostgreSQL, each on its own Redis prefix (so their rate limits are their own), over real
 * sockets. Every good and bad request gets the same status, headers that matter and body from both,
 * and each row states the answer it must get, so both paths being wrong alike fails too.
 */
describe('fast session route: the same answers as the framework route', () => {
  let db: ScratchDatabase;
  const closers: (() => Promise<void>)[] = [];
  const probes: RedisBus[] = [];
  const apps: NestFastifyApplication[] = [];
  let fastPort = 0;
  let nestPort = 0;

  async function instance(fast: boolean): Promise<number> {
    const prefix = `itest:${randomUUID()}:`;
    const config = loadControlPlaneConfig({
      DATABASE_URL: db.url,
      REDIS_URL,
      BUS_PREFIX: prefix,
      SESSION_TOKEN_SECRET: 'itest-session-secret-itest-session-secret',
      INFERENCE_TOKEN_SECRET: INFERENCE_SECRET,
      CONTROL_PLANE_SESSION_RATE_LIMIT: String(RATE_LIMIT),
      CONTROL_PLANE_SESSION_RATE_WINDOW_SEC: '60',
      CONTROL_PLANE_FAST_SESSION: String(fast),
      // behind the gateway: the client is X-Forwarded-For's first address, on both paths
      TRUST_PROXY: 'true',
      BODY_LIMIT_BYTES: '1024',
      LOG_LEVEL: 'silent',
    });
    const { deps, close } = await createControlPlaneDeps(config);
    const app = await createControlPlaneApp(deps, { level: 'silent', service: 'itest' });
    const port = await listen(app, '127.0.0.1', 0);
    apps.push(app);
    probes.push(new RedisBus({ url: REDIS_URL, prefix }));
    closers.push(async () => {
      await app.close();
      await close();
    });
    return port;
  }

  /** A data-plane node as the inference service announces it, on both instances' buses. */
  async function announce(draining: boolean): Promise<void> {
    const node = { nodeId: 'itest-node', wsBaseUrl: 'ws://127.0.0.1:9', capacity: 100, load: 0, ready: true, draining, ttlMs: 60_000, at: Date.now() };
    for (const p of probes) await p.publish('inference.node', node);
  }

  before(async () => {
    db = await createScratchDatabase();
    fastPort = await instance(true);
    nestPort = await instance(false);
    await new Promise((r) => setTimeout(r, 100));
    await announce(false);
    await eventually(async () => ((await rawPost(fastPort, '/api/session', { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.250' }, '{"userId":"probe"}')).status === 200 ? true : undefined), 5_000, 'node known');
    await eventually(async () => ((await rawPost(nestPort, '/api/session', { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.250' }, '{"userId":"probe"}')).status === 200 ? true : undefined), 5_000, 'node known');
  });

  after(async () => {
    for (const c of closers) await c();
    for (const p of probes) await p.close();
    await db.drop();
  });

  let clients = 0;
  /** Sends one request to both instances (from a new client address unless `from` is given) and checks they answer alike, and as expected. */
  async function both(
    name: string,
    opts: { path?: string; headers?: Record<string, string>; body?: string; chunked?: boolean; from?: string },
    expected: ExpectedAnswer,
  ): Promise<RawAnswer> {
    const from = opts.from ?? `198.51.100.${++clients}`;
    const headers = { 'x-forwarded-for': from, ...(opts.headers ?? { 'content-type': 'application/json' }) };
    const path = opts.path ?? '/api/session';
    const a = comparable(await rawPost(fastPort, path, headers, opts.body, opts.chunked));
    const b = comparable(await rawPost(nestPort, path, headers, opts.body, opts.chunked));
    return assertSameAnswer(name, a, b, path, expected);
  }

  const seed = JSON.stringify({ userId: 'user-1' });

  it('the first instance serves the route fast, the second through the framework', () => {
    assert.deepEqual(controlPlaneFastRoutes(apps[0]!).map((r) => r.path), ['/api/session']);
    assert.deepEqual(controlPlaneFastRoutes(apps[1]!), []);
  });

  it('creates a session: sessionId, wsUrl on the allocated node, a verifiable token (plain, with a charset, with a query string)', async () => {
    const ok = await both('seed', { body: seed }, { status: 200 });
    assert.deepEqual(ok.body, { sessionId: 'uuid', wsUrl: 'url', wsToken: 'jwt' });
    assert.equal(ok.contentType, 'application/json; charset=utf-8');
    await both('charset', { body: seed, headers: { 'content-type': 'application/json; charset=utf-8' } }, { status: 200 });
    await both('query', { body: seed, path: '/api/session?src=app' }, { status: 200 });
  });

  it('refuses other media types and bodies without one (415), and bodies over the limit (413)', async () => {
    await both('text', { body: seed, headers: { 'content-type': 'text/plain' } }, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    await both('no type', { body: seed, headers: {} }, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    const big = JSON.stringify({ userId: 'x'.repeat(2000) });
    await both('big', { body: big }, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
    await both('big chunked', { body: big, chunked: true }, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses bad JSON, prototype poisoning, empty and invalid bodies (400), naming the field', async () => {
    await both('malformed', { body: '{"userId":' }, { status: 400, code: 'MALFORMED_JSON' });
    await both('proto', { body: '{"__proto__":{"admin":true},"userId":"u"}' }, { status: 400, code: 'MALFORMED_JSON' });
    await both('empty', { body: '' }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('empty no type', { headers: {} }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('missing', { body: '{}' }, { status: 400, code: 'VALIDATION_ERROR', message: /userId/ });
    await both('number', { body: '{"userId":7}' }, { status: 400, code: 'VALIDATION_ERROR', message: /userId/ });
    await both('blank', { body: '{"userId":""}' }, { status: 400, code: 'VALIDATION_ERROR', message: /userId/ });
    await both('extra', { body: '{"userId":"u","admin":true}' }, { status: 400, code: 'VALIDATION_ERROR', message: /admin/ });
    await both('array', { body: '[]' }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('null', { body: 'null' }, { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('limits each client address (429 with Retry-After); another address is not limited', async () => {
    for (let i = 0; i < RATE_LIMIT; i++) await both('limited', { body: seed, from: '203.0.113.7' }, { status: 200 });
    const limited = await both('limited', { body: seed, from: '203.0.113.7' }, { status: 429, code: 'RATE_LIMITED' });
    assert.ok(Number(limited.retryAfter) >= 1, 'Retry-After in seconds');
    // the client is the first forwarded address: 203.0.113.8, forwarded through 203.0.113.7, is not limited
    await both('other client', { body: seed, from: '203.0.113.8, 203.0.113.7' }, { status: 200 });
  });

  it('a session made on the fast route is stored (refresh finds it) and counted in the request metrics', async () => {
    const r = await rawPost(fastPort, '/api/session', { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.251' }, seed);
    const { sessionId } = r.body as { sessionId: string };
    const refreshed = await apps[1]!.inject({ method: 'POST', url: `/api/session/${sessionId}/refresh` });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal(refreshed.json<{ sessionId: string }>().sessionId, sessionId);
    const metrics = await apps[0]!.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /http_request_duration_seconds_count\{method="POST",route="\/api\/session",status="200"\} [1-9]/);
    assert.match(metrics.body, /http_request_duration_seconds_count\{method="POST",route="\/api\/session",status="400"\} [1-9]/);
  });

  it('with no serving node, both answer 503 NO_CAPACITY', async () => {
    await announce(true);
    await eventually(async () => ((await rawPost(fastPort, '/api/session', { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.252' }, seed)).status === 503 ? true : undefined), 5_000, 'node draining');
    await eventually(async () => ((await rawPost(nestPort, '/api/session', { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.252' }, seed)).status === 503 ? true : undefined), 5_000, 'node draining');
    await both('no capacity', { body: seed }, { status: 503, code: 'NO_CAPACITY' });
  });
});
