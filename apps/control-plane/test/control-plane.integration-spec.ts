import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedisBus } from '@squirret/bus';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { createControlPlaneApp } from '../src/app';
import { loadControlPlaneConfig } from '../src/config/control-plane.config';
import { createControlPlaneDeps } from '../src/runtime';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Two control-plane instances on one real PostgreSQL database and one real Redis, as in production. */
describe('control plane on real PostgreSQL + Redis (BullMQ jobs, shared rate limits)', () => {
  let db: ScratchDatabase;
  const prefix = `itest:${randomUUID()}:`;
  const apps: NestFastifyApplication[] = [];
  const closers: (() => Promise<void>)[] = [];
  let probe: RedisBus;

  async function instance(): Promise<NestFastifyApplication> {
    const config = loadControlPlaneConfig({
      DATABASE_URL: db.url,
      REDIS_URL,
      BUS_PREFIX: prefix,
      SESSION_TOKEN_SECRET: 'itest-session-secret-itest-session-secret',
      INFERENCE_TOKEN_SECRET: 'itest-inference-secret-itest-inference-sec',
      CONTROL_PLANE_SESSION_RATE_LIMIT: '5',
      CONTROL_PLANE_SESSION_RATE_WINDOW_SEC: '60',
      INTERNAL_API_KEY: 'itest-internal-key-0123456789',
      LOG_LEVEL: 'silent',
    });
    const { deps, close } = await createControlPlaneDeps(config);
    const app = await createControlPlaneApp(deps, { level: 'silent', service: 'itest' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
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
    // A data-plane node, as the inference service announces itself.
    await new Promise((r) => setTimeout(r, 100));
    await probe.publish('inference.node', {
      nodeId: 'itest-node',
      wsBaseUrl: 'ws://127.0.0.1:9',
      capacity: 100,
      load: 0,
      ready: true,
      draining: false,
      ttlMs: 60_000,
      at: Date.now(),
    });
    await new Promise((r) => setTimeout(r, 100));
  });

  after(async () => {
    for (const c of closers) await c();
    await probe.close();
    await db.drop();
  });

  const post = (app: NestFastifyApplication, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });

  const admin = (app: NestFastifyApplication, id: string) =>
    app.inject({ method: 'GET', url: `/internal/sessions/${id}`, headers: { 'x-internal-api-key': 'itest-internal-key-0123456789' } });

  it('records the client figures through a BullMQ job and keeps the data plane figures beside them', async () => {
    const [a, b] = apps as [NestFastifyApplication, NestFastifyApplication];
    const created = await post(a, '/api/session', { userId: 'user123' }, { 'x-forwarded-for': '10.0.0.1' });
    assert.equal(created.statusCode, 200, created.body);
    const { sessionId } = created.json() as { sessionId: string };
    // finish lands on the other instance: state is in PostgreSQL, not in a process.
    const fin = await post(b, `/api/session/${sessionId}/finish`, { framesIn: 150, framesOut: 148, durationSeconds: 30 });
    assert.deepEqual(fin.json(), { status: 'completed', sessionId });
    await probe.publish('session.usage', {
      sessionId,
      nodeId: 'itest-node',
      framesIn: 151,
      framesAnalysed: 140,
      framesDropped: 11,
      durationMs: 30_500,
      at: Date.now(),
    });
    let usage: { client: unknown; server: unknown } = { client: null, server: null };
    for (let i = 0; i < 100 && (!usage.client || !usage.server); i++) {
      await new Promise((r) => setTimeout(r, 50));
      usage = (await admin(a, sessionId)).json<{ usage: typeof usage }>().usage;
    }
    assert.deepEqual({ ...(usage.client as object), reportedAt: 'x' }, { framesIn: 150, framesOut: 148, durationSeconds: 30, reportedAt: 'x' });
    assert.deepEqual(
      { ...(usage.server as object), reportedAt: 'x' },
      { nodeId: 'itest-node', framesIn: 151, framesAnalysed: 140, framesDropped: 11, durationMs: 30_500, reportedAt: 'x' },
    );
  });

  it('adds up periodic session.usage reports of a stream and of a moved session, each once (two instances subscribed, one report sent twice)', async () => {
    const [a] = apps as [NestFastifyApplication, NestFastifyApplication];
    const created = await post(a, '/api/session', { userId: 'user123' }, { 'x-forwarded-for': '10.0.0.2' });
    const { sessionId } = created.json() as { sessionId: string };
    const at = Date.now();
    const reports = [
      { sessionId, nodeId: 'node-1', framesIn: 300, framesAnalysed: 290, framesDropped: 10, durationMs: 15_000, at },
      { sessionId, nodeId: 'node-1', framesIn: 100, framesAnalysed: 95, framesDropped: 5, durationMs: 5_000, at: at + 1 },
      { sessionId, nodeId: 'node-2', framesIn: 50, framesAnalysed: 50, framesDropped: 0, durationMs: 2_500, at: at + 2 },
    ];
    for (const r of [...reports, reports[1]!]) await probe.publish('session.usage', r);
    const want = { framesIn: 450, framesAnalysed: 435, framesDropped: 15, durationMs: 22_500 };
    let server: Record<string, unknown> | null = null;
    for (let i = 0; i < 100 && (server === null || server.framesIn !== want.framesIn); i++) {
      await new Promise((r) => setTimeout(r, 50));
      server = (await admin(a, sessionId)).json<{ usage: { server: Record<string, unknown> | null } }>().usage.server;
    }
    // a while longer: a double count would show up now
    await new Promise((r) => setTimeout(r, 300));
    server = (await admin(a, sessionId)).json<{ usage: { server: Record<string, unknown> | null } }>().usage.server;
    assert.deepEqual({ framesIn: server?.framesIn, framesAnalysed: server?.framesAnalysed, framesDropped: server?.framesDropped, durationMs: server?.durationMs }, want);
  });

  it('refuses a NUL byte in userId / email with 400 VALIDATION_ERROR in the error body (docs/contracts/ios-api.md §0) (was a 500 from PostgreSQL)', async () => {
    const [a] = apps as [NestFastifyApplication];
    const cases: [string, unknown][] = [
      ['/api/session', { userId: 'user\u0000123' }],
      ['/auth/upgrade', { userId: 'u\u0000', sessionId: randomUUID(), email: 'a@example.com' }],
      ['/auth/upgrade', { userId: 'u', sessionId: randomUUID(), email: 'a\u0000b@example.com' }],
    ];
    for (const [url, body] of cases) {
      const res = await post(a, url, body);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      const err = res.json<{ code: string; status: number; path: string; message: string; error: string; timestamp: string }>();
      assert.equal(err.code, 'VALIDATION_ERROR');
      assert.equal(err.path, url);
      assert.match(err.message, /NUL|email/);
    }
    // The same userId without the NUL is served.
    assert.equal((await post(a, '/api/session', { userId: 'user123' })).statusCode, 200);
  });

  it('lets exactly one of two concurrent upgrades of a guest session win', async () => {
    const [a, b] = apps as [NestFastifyApplication, NestFastifyApplication];
    const { sessionId } = (await post(a, '/internal/session', undefined, { 'x-forwarded-for': '10.0.0.2' })).json() as { sessionId: string };
    const results = await Promise.all([
      post(a, '/auth/upgrade', { userId: 'u-a', sessionId, email: 'a@example.com' }),
      post(b, '/auth/upgrade', { userId: 'u-b', sessionId, email: 'b@example.com' }),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409]);
  });

  it('shares the session-issue rate limit across instances through Redis', async () => {
    const [a, b] = apps as [NestFastifyApplication, NestFastifyApplication];
    // TRUST_PROXY is off, so the limiter keys on the socket address (the same for inject()) and
    // ignores X-Forwarded-For. Start this client's window afresh, then alternate instances.
    await probe.connections.commands.del(`${prefix}rl:session-issue:127.0.0.1`);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push((await post(i % 2 ? b : a, '/internal/session', undefined, { 'x-forwarded-for': `10.0.0.${i}` })).statusCode);
    }
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429]);
    const limited = await post(a, '/internal/session');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json<{ code: string }>().code, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  });

  it('refuses internal endpoints without the internal key (401) or with a wrong one (403)', async () => {
    const [a] = apps as [NestFastifyApplication];
    const body = { lumbar: 'good', knee: 'bad', ankle: 'null' };
    const none = await post(a, '/internal/ai/status', body);
    const wrong = await post(a, '/internal/ai/status', body, { 'x-internal-api-key': 'wrong-key-wrong-key' });
    const right = await post(a, '/internal/ai/status', body, { 'x-internal-api-key': 'itest-internal-key-0123456789' });
    assert.deepEqual([none.statusCode, wrong.statusCode, right.statusCode], [401, 403, 200]);
    assert.equal(none.json<{ code: string }>().code, 'UNAUTHORIZED');
    const adminNone = await a.inject({ method: 'GET', url: `/internal/sessions/${randomUUID()}` });
    assert.equal(adminNone.statusCode, 401);
  });

  it('publishes ai.status on the real bus', async () => {
    const [a] = apps as [NestFastifyApplication];
    const sessionId = randomUUID();
    const got = new Promise((resolve) => {
      void probe.subscribe('ai.status', (e) => {
        if (e.sessionId === sessionId) resolve(e);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    const r = await post(a, '/internal/ai/status', { lumbar: 'good', knee: 'bad', ankle: 'null', sessionId }, { 'x-internal-api-key': 'itest-internal-key-0123456789' });
    assert.equal(r.statusCode, 200);
    const e = (await got) as { knee: string; source: string };
    assert.deepEqual([e.knee, e.source], ['bad', 'internal-api']);
  });
});
