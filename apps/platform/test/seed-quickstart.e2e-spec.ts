import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';

const INFERENCE_SECRET = 'e2e-inference-secret-e2e-inference-secret-xx';
const SESSION_SECRET = 'e2e-session-secret-e2e-session-secret-xxxxxx';
type Body = Record<string, unknown>;

/**
 * The contract's cURL quickstart (004 §7, steps 1, 4, 5, 6, 7, 8) against the started all-in-one
 * process over real HTTP, plus what each bad input gets.
 */
describe('docs/contracts/ios-api.md cURL quickstart against the all-in-one process', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: SESSION_SECRET,
      INFERENCE_TOKEN_SECRET: INFERENCE_SECRET,
      CONTROL_PLANE_SESSION_RATE_LIMIT: '1000',
      INFERENCE_POSE_WORKERS: '0',
      INFERENCE_HEARTBEAT_MS: '200',
    });
    base = platform.baseUrl;
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    const code = await platform?.stop('SIGINT');
    assert.equal(code, 0, `platform exit code ${code}:\n${platform.output().slice(-2000)}`);
    await db?.drop();
  });

  it('step 1: POST /internal/session with the JSON content type and no body issues a guest session', async () => {
    const r = await http<Body>(base, 'POST', '/internal/session', undefined, { 'content-type': 'application/json' });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['sessionId', 'wsToken']);
    assert.match(String(r.json.sessionId), /^[0-9a-f-]{36}$/);
  });

  it('step 4: POST /auth/upgrade answers a user token for the same session; bad body 400, unknown 404, other user 409', async () => {
    const guest = await http<Body>(base, 'POST', '/internal/session');
    const sessionId = String(guest.json.sessionId);
    const up = await http<Body>(base, 'POST', '/auth/upgrade', { userId: 'b1f3e0a2-7d4c-4c5e-9a51-1f2e3d4c5b6a', sessionId, email: 'user@example.com' });
    assert.equal(up.status, 200);
    assert.equal(up.json.sessionId, sessionId);
    assert.notEqual(up.json.wsToken, guest.json.wsToken);
    const jose = await import('jose');
    const { payload } = await jose.jwtVerify(String(up.json.wsToken), new TextEncoder().encode(SESSION_SECRET), { algorithms: ['HS256'], audience: 'session-ws', subject: sessionId });
    assert.deepEqual([payload.role, payload.uid], ['user', 'b1f3e0a2-7d4c-4c5e-9a51-1f2e3d4c5b6a']);

    const bad = await http<Body>(base, 'POST', '/auth/upgrade', { userId: 'x', sessionId, email: 'not-an-email' });
    assert.deepEqual([bad.status, bad.json.code, bad.json.path], [400, 'VALIDATION_ERROR', '/auth/upgrade']);
    const unknown = await http<Body>(base, 'POST', '/auth/upgrade', { userId: 'x', sessionId: '00000000-0000-4000-8000-000000000000', email: 'a@b.co' });
    assert.deepEqual([unknown.status, unknown.json.code], [404, 'SESSION_NOT_FOUND']);
    const other = await http<Body>(base, 'POST', '/auth/upgrade', { userId: 'someone-else', sessionId, email: 'a@b.co' });
    assert.deepEqual([other.status, other.json.code], [409, 'SESSION_ALREADY_UPGRADED']);
  });

  it('step 5: POST /internal/ai/status publishes the judgement; anything else is 400', async () => {
    const ok = await http<Body>(base, 'POST', '/internal/ai/status', { lumbar: 'good', knee: 'bad', ankle: 'null' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { status: 'PUBLISHED', sessionId: null, lumbar: 'good', knee: 'bad', ankle: 'null' });
    for (const body of [{ lumbar: 'ok', knee: 'bad', ankle: 'null' }, { lumbar: 'good', knee: 'bad' }, { lumbar: 'good', knee: 'bad', ankle: null }, [1]]) {
      const r = await http<Body>(base, 'POST', '/internal/ai/status', body);
      assert.deepEqual([r.status, r.json.code], [400, 'VALIDATION_ERROR'], JSON.stringify(body));
    }
  });

  it('steps 6, 7, 8: create an inference session, refresh its token, finish it (idempotently)', async () => {
    const created = await http<Body>(base, 'POST', '/api/session', { userId: 'user123' });
    assert.equal(created.status, 200, created.text);
    const sessionId = String(created.json.sessionId);
    assert.equal(created.json.wsUrl, `${base.replace('http://', 'ws://')}/ws/${sessionId}`);

    // An independent verifier (jose) with the contract's checks: HS256, aud inference-ws, sub = sessionId.
    const jose = await import('jose');
    const key = new TextEncoder().encode(INFERENCE_SECRET);
    const { payload } = await jose.jwtVerify(String(created.json.wsToken), key, { algorithms: ['HS256'], audience: 'inference-ws', subject: sessionId });
    assert.equal(typeof payload.jti, 'string');
    assert.equal(Number(payload.exp) - Number(payload.iat), 15 * 60);
    await assert.rejects(jose.jwtVerify(String(created.json.wsToken), key, { algorithms: ['HS256'], audience: 'inference-ws', currentDate: new Date((Number(payload.exp) + 60) * 1000) }), /exp/);
    await assert.rejects(jose.jwtVerify(String(created.json.wsToken), key, { algorithms: ['HS256'], audience: 'session-ws' }), /aud/);
    await assert.rejects(jose.jwtVerify(String(created.json.wsToken), new TextEncoder().encode('another-secret-another-secret-another-xx'), { algorithms: ['HS256'] }));

    const refreshed = await http<Body>(base, 'POST', `/api/session/${sessionId}/refresh`, undefined, { 'content-type': 'application/json' });
    assert.equal(refreshed.status, 200);
    // The contract's two fields plus the wsUrl to (re)connect to (docs/robustness.md: the same node while it serves).
    assert.deepEqual(Object.keys(refreshed.json).sort(), ['sessionId', 'wsToken', 'wsUrl']);
    assert.equal(refreshed.json.wsUrl, created.json.wsUrl);
    await jose.jwtVerify(String(refreshed.json.wsToken), key, { algorithms: ['HS256'], audience: 'inference-ws', subject: sessionId });

    const finish = { framesIn: 150, framesOut: 150, durationSeconds: 30 };
    const done = await http<Body>(base, 'POST', `/api/session/${sessionId}/finish`, finish);
    assert.deepEqual([done.status, done.json], [200, { status: 'completed', sessionId }]);
    const again = await http<Body>(base, 'POST', `/api/session/${sessionId}/finish`, { framesIn: 1, framesOut: 1, durationSeconds: 1 });
    assert.deepEqual([again.status, again.json], [200, { status: 'completed', sessionId }]);
    const usage = await eventually(async () => {
      const r = await http<{ usage: { client: Body | null } }>(base, 'GET', `/internal/sessions/${sessionId}`);
      return r.json.usage.client ?? undefined;
    }, 5_000, 'usage record');
    assert.deepEqual([usage.framesIn, usage.framesOut, usage.durationSeconds], [150, 150, 30]);

    const afterFinish = await http<Body>(base, 'POST', `/api/session/${sessionId}/refresh`);
    assert.deepEqual([afterFinish.status, afterFinish.json.code], [409, 'SESSION_FINISHED']);
  });

  it('bad input: each gets the error body (docs/contracts/ios-api.md §0) with its code', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const cases: { name: string; method: string; path: string; body?: string; headers?: Record<string, string>; status: number; code: string }[] = [
      { name: 'malformed JSON', method: 'POST', path: '/auth/upgrade', body: '{"userId":', status: 400, code: 'MALFORMED_JSON' },
      { name: 'JSON that is not an object', method: 'POST', path: '/api/session', body: '"user123"', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'missing field', method: 'POST', path: '/api/session', body: '{}', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'unknown field', method: 'POST', path: '/api/session', body: '{"userId":"u","admin":true}', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'negative count', method: 'POST', path: `/api/session/${id}/finish`, body: '{"framesIn":-1,"framesOut":1,"durationSeconds":1}', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'fractional count', method: 'POST', path: `/api/session/${id}/finish`, body: '{"framesIn":1.5,"framesOut":1,"durationSeconds":1}', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'count as string', method: 'POST', path: `/api/session/${id}/finish`, body: '{"framesIn":"1","framesOut":1,"durationSeconds":1}', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'unknown session on finish', method: 'POST', path: `/api/session/${id}/finish`, body: '{"framesIn":1,"framesOut":1,"durationSeconds":1}', status: 404, code: 'SESSION_NOT_FOUND' },
      { name: 'non-UUID session id', method: 'POST', path: '/api/session/not-a-uuid/refresh', status: 404, code: 'SESSION_NOT_FOUND' },
      { name: 'unknown route', method: 'GET', path: '/api/nothing-here', status: 404, code: 'ROUTE_NOT_FOUND' },
      { name: 'wrong content type', method: 'POST', path: '/api/session', body: 'userId=u', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'text/plain', method: 'POST', path: '/api/session', body: '{"userId":"u"}', headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'oversized body', method: 'POST', path: '/api/session', body: JSON.stringify({ userId: 'x'.repeat(64 * 1024) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    ];
    for (const c of cases) {
      const r = await http<Body>(base, c.method, c.path, c.body, c.headers ?? {});
      assert.equal(r.status, c.status, `${c.name}: ${r.text}`);
      assert.deepEqual(Object.keys(r.json).sort(), ['code', 'error', 'message', 'path', 'status', 'timestamp'], c.name);
      assert.equal(r.json.code, c.code, c.name);
      assert.equal(r.json.status, c.status, c.name);
      assert.equal(r.json.path, c.path.split('?')[0], c.name);
      assert.match(String(r.json.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, c.name);
    }
  });

  it('serves health, Prometheus metrics and the OpenAPI document', async () => {
    assert.deepEqual((await http(base, 'GET', '/health/live')).json, { status: 'ok' });
    const ready = await http<{ checks: Record<string, string> }>(base, 'GET', '/health/ready');
    assert.equal(ready.json.checks['control-plane.database'], 'up');
    const metrics = await http(base, 'GET', '/metrics');
    assert.match(metrics.text, /http_request_duration_seconds_bucket\{[^}]*route="\/api\/session"/);
    const doc = await http<{ paths: Record<string, unknown> }>(base, 'GET', '/openapi.json');
    assert.ok(doc.json.paths['/api/session/{id}/finish']);
  });

  it('logs structured JSON with the sessionId and never a token, query strings included', async () => {
    const created = await http<Body>(base, 'POST', '/api/session', { userId: 'log-user' });
    const sessionId = String(created.json.sessionId);
    const token = String(created.json.wsToken);
    await http(base, 'GET', `/ws/${sessionId}?token=${token}`);
    await http(base, 'POST', `/api/session/${sessionId}/refresh?token=${token}`);
    await new Promise((r) => setTimeout(r, 300));
    const out = platform.output();
    const tokenParts = token.split('.');
    assert.ok(!out.includes(token), 'a whole token appears in the logs');
    assert.ok(!out.includes(tokenParts[2]!), 'a token signature appears in the logs');
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Body);
    const refreshLine = lines.find((l) => typeof l.req === 'object' && String((l.req as Body).url).includes(`/api/session/${sessionId}/refresh`));
    assert.ok(refreshLine, 'the refresh request is logged');
    assert.equal(refreshLine.sessionId, sessionId);
    assert.equal((refreshLine.req as Body).url, `/api/session/${sessionId}/refresh?token=[REDACTED]`);
  });
  it('never logs the value of a secret-bearing query name or header, whatever the spelling (docs/robustness.md)', async () => {
    const names = ['token', 'access_token', 'wsToken', 'x-internal-api-key', 'refresh_token', 'id_token', 'jwt', 'auth', '%74oken', 'api_key', 'password', 'client_secret'];
    const canaries: string[] = [];
    const canary = () => {
      const c = `canary${canaries.length}x${Math.random().toString(36).slice(2, 10)}`;
      canaries.push(c);
      return c;
    };
    for (const name of names) {
      for (const path of ['/api/session', '/internal/ai/status', '/no/such/route']) {
        await http(base, 'POST', `${path}?a=1&${name}=${canary()}`, { userId: 'u' });
        await http(base, 'POST', `${path}?a=1;${name}=${canary()}`, { userId: 'u' });
      }
    }
    for (const header of ['authorization', 'x-internal-api-key', 'cookie', 'proxy-authorization', 'x-api-key']) {
      await http(base, 'POST', '/internal/ai/status', { lumbar: 'good', knee: 'good', ankle: 'good' }, { [header]: `Bearer ${canary()}` });
      await http(base, 'GET', '/no/such/route', undefined, { [header]: canary() });
    }
    await new Promise((r) => setTimeout(r, 300));
    const out = platform.output();
    const leaked = canaries.filter((c) => out.includes(c));
    assert.deepEqual(leaked, [], 'secret values reached the log');
    assert.ok(out.includes('[REDACTED]'), 'the requests were logged, with their secrets redacted');
  });
});
