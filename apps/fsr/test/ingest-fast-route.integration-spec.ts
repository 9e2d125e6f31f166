import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { listen } from '@squirret/server-kit';
import { assertSameAnswer, eventually, rawPost as send, withoutTimestamp as comparable, type ExpectedAnswer, type RawAnswer as Answer } from '@squirret/testing';
import { createFsrApp } from '../src/app';
import { loadFsrConfig } from '../src/config/fsr.config';
import { createFsrDeps } from '../src/runtime';
import { SamplesRepository } from '../src/samples/samples.repository';

const INTERNAL_KEY = 'itest-internal-key-0123456789';
const SEED = { side: 'left', ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20.0, ratio5: 32.5, ratio6: 21.7 };
const seed = JSON.stringify(SEED);

/**
 * The fast ingest route (POST /api/fsr_data answered before the framework's pipeline) against the
 * same route through Nest and Fastify (FSR_FAST_INGEST=false): over real sockets, every good and bad
 * request gets the same status, headers that matter, and body from both. Each row also states the
 * answer it must get, so both paths being wrong the same way fails too.
 */
describe('fast ingest route: the same answers as the framework route', () => {
  let db: ScratchDatabase;
  const apps: NestFastifyApplication[] = [];
  const closers: (() => Promise<void>)[] = [];
  let fastPort = 0;
  let nestPort = 0;

  async function instance(fast: boolean): Promise<number> {
    const config = loadFsrConfig({
      DATABASE_URL: db.url,
      INTERNAL_API_KEY: INTERNAL_KEY,
      FSR_DEVICE_TOKEN_SECRET: 'itest-device-secret-itest-device-secret-x',
      FSR_FAST_INGEST: String(fast),
      FSR_RATE_LIMIT: '3',
      FSR_RATE_WINDOW_SEC: '60',
      FSR_FLUSH_INTERVAL_MS: '20',
      BODY_LIMIT_BYTES: '1024',
      LOG_LEVEL: 'silent',
    });
    const { deps, close } = await createFsrDeps(config);
    const app = await createFsrApp(deps, { level: 'silent', service: 'itest' });
    const port = await listen(app, '127.0.0.1', 0);
    apps.push(app);
    closers.push(async () => {
      await app.close();
      await close();
    });
    return port;
  }

  before(async () => {
    db = await createScratchDatabase();
    fastPort = await instance(true);
    nestPort = await instance(false);
  });

  after(async () => {
    for (const c of closers) await c();
    await db.drop();
  });

  const tokens = new Map<string, string>();
  async function tokenFor(deviceId: string): Promise<string> {
    const known = tokens.get(deviceId);
    if (known) return known;
    const r = await apps[0]!.inject({ method: 'POST', url: `/internal/fsr/devices/${deviceId}/token`, headers: { 'x-internal-api-key': INTERNAL_KEY } });
    assert.equal(r.statusCode, 200, r.body);
    const token = r.json<{ token: string }>().token;
    tokens.set(deviceId, token);
    return token;
  }

  /** Sends one request to both instances and checks they answer alike, and as expected. */
  async function both(
    name: string,
    opts: { path?: string; headers?: Record<string, string>; body?: string; chunked?: boolean; device?: string; noAuth?: boolean },
    expected: ExpectedAnswer,
  ): Promise<Answer> {
    const device = opts.device ?? `dev-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`;
    const headers: Record<string, string> = {
      'x-device-id': device,
      ...(opts.noAuth ? {} : { authorization: `Bearer ${await tokenFor(device)}` }),
      ...(opts.headers ?? { 'content-type': 'application/json' }),
    };
    const path = opts.path ?? '/api/fsr_data';
    const a = comparable(await send(fastPort, path, headers, opts.body, opts.chunked));
    const b = comparable(await send(nestPort, path, headers, opts.body, opts.chunked));
    return assertSameAnswer(name, a, b, path, expected);
  }

  it('accepts the error body (docs/contracts/ios-api.md §0) (plain, with a charset, with a query string)', async () => {
    const ok = await both('seed', { body: seed }, { status: 202 });
    assert.deepEqual(ok.body, { status: 'ACCEPTED' });
    assert.equal(ok.contentType, 'application/json; charset=utf-8');
    await both('charset', { body: seed, headers: { 'content-type': 'application/json; charset=utf-8' } }, { status: 202 });
    await both('query', { body: seed, path: '/api/fsr_data?src=esp32' }, { status: 202 });
  });

  it('refuses other media types and bodies without one (415)', async () => {
    await both('text', { body: seed, headers: { 'content-type': 'text/plain' } }, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    await both('no type', { body: seed, headers: {} }, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    await both('form', { body: 'side=left', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, { status: 415 });
  });

  it('refuses bodies over the limit, with or without a declared length (413)', async () => {
    const big = JSON.stringify({ ...SEED, pad: 'x'.repeat(2000) });
    await both('big', { body: big }, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
    await both('big chunked', { body: big, chunked: true }, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses bad JSON, prototype poisoning and empty bodies (400)', async () => {
    await both('malformed', { body: '{"side":"left",' }, { status: 400, code: 'MALFORMED_JSON' });
    await both('proto', { body: `{"__proto__":{"admin":true},${seed.slice(1)}` }, { status: 400, code: 'MALFORMED_JSON' });
    await both('constructor', { body: `{"constructor":{"prototype":{"x":1}},${seed.slice(1)}` }, { status: 400, code: 'MALFORMED_JSON' });
    await both('empty', { body: '' }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('empty no type', { headers: {} }, { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('names the field of an invalid body (400 VALIDATION_ERROR)', async () => {
    await both('ratio over', { body: JSON.stringify({ ...SEED, ratio1: 101 }) }, { status: 400, code: 'VALIDATION_ERROR', message: /ratio1 must be between 0 and 100/ });
    const { ratio6: _r6, ...noRatio6 } = SEED;
    await both('missing', { body: JSON.stringify(noRatio6) }, { status: 400, code: 'VALIDATION_ERROR', message: /ratio6/ });
    await both('side', { body: JSON.stringify({ ...SEED, side: 'middle' }) }, { status: 400, code: 'VALIDATION_ERROR', message: /side/ });
    await both('extra', { body: JSON.stringify({ ...SEED, weight: 80 }) }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('array', { body: '[]' }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('null', { body: 'null' }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('string ratio', { body: JSON.stringify({ ...SEED, ratio2: '8.4' }) }, { status: 400, code: 'VALIDATION_ERROR', message: /ratio2/ });
  });

  it('docs/robustness.md: refuses what PostgreSQL cannot store, single and batch (400 VALIDATION_ERROR), and keeps storing', async () => {
    const tiny = /ratio1 must be 0 or at least 1e-38/;
    await both('tiny ratio', { body: JSON.stringify({ ...SEED, ratio1: 1e-300 }) }, { status: 400, code: 'VALIDATION_ERROR', message: tiny });
    await both('tiny ratio text', { body: seed.replace('"ratio1":12.3', '"ratio1":7e-46') }, { status: 400, code: 'VALIDATION_ERROR', message: tiny });
    await both('huge ratio', { body: seed.replace('"ratio1":12.3', '"ratio1":1e400') }, { status: 400, code: 'VALIDATION_ERROR', message: /ratio1/ });
    await both('nul device', { body: JSON.stringify({ ...SEED, deviceId: 'esp\u0000' }), device: 'dev-nul', headers: { 'content-type': 'application/json' } }, { status: 400, code: 'VALIDATION_ERROR', message: /deviceId/ });
    const batch = (over: Record<string, unknown>) => JSON.stringify({ samples: [{ ...SEED, ts: Math.floor(Date.now() / 1000) }, { ...SEED, ...over }] });
    const p = '/api/fsr_data/batch';
    await both('batch year 0000', { path: p, body: batch({ ts: '0000-01-01T00:00:00Z' }) }, { status: 400, code: 'VALIDATION_ERROR', message: /samples\.1\.ts: ts must be a time from 2000-01-01T00:00:00Z on/ });
    await both('batch ts 1', { path: p, body: batch({ ts: 1 }) }, { status: 400, code: 'VALIDATION_ERROR', message: /samples\.1\.ts/ });
    await both('batch tiny ratio', { path: p, body: batch({ ts: Math.floor(Date.now() / 1000), ratio6: 1e-300 }) }, { status: 400, code: 'VALIDATION_ERROR', message: /samples\.1\.ratio6/ });
    await both('batch far future', { path: p, body: batch({ ts: 1e15 }) }, { status: 400, code: 'VALIDATION_ERROR', message: /future/ });
    await both('after poison', { body: seed, device: 'dev-after-poison' }, { status: 202 });
    const repo = apps[0]!.get(SamplesRepository, { strict: false });
    await eventually(async () => ((await repo.count('dev-after-poison')) === 2 ? true : undefined), 5_000, 'rows written');
  });

  it('checks the device and its token (400, 401, 403) and the per-device limit (429 with Retry-After)', async () => {
    await both('bad device header', { body: seed, device: 'has space', noAuth: true }, { status: 400, code: 'VALIDATION_ERROR' });
    await both('no token', { body: seed, noAuth: true }, { status: 401, code: 'UNAUTHORIZED' });
    await both(
      'other token',
      { body: seed, device: 'dev-victim', noAuth: true, headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('dev-other')}` } },
      { status: 403, code: 'FORBIDDEN' },
    );
    await both('mismatch', { body: JSON.stringify({ ...SEED, deviceId: 'dev-elsewhere' }) }, { status: 400, code: 'VALIDATION_ERROR' });
    for (let i = 0; i < 3; i++) await both('limited', { body: seed, device: 'dev-limited' }, { status: 202 });
    const limited = await both('limited', { body: seed, device: 'dev-limited' }, { status: 429, code: 'RATE_LIMITED' });
    assert.ok(Number(limited.retryAfter) >= 1, 'Retry-After in seconds');
  });

  it('the server built for the fast routes keeps Fastify\'s keep-alive (72 s) and has request / header deadlines (30 s / 10 s)', () => {
    const server = apps[0]!.getHttpServer() as import('node:http').Server;
    assert.equal(server.keepAliveTimeout, 72_000);
    // Fastify's own default is no request timeout: a client dribbling a body held its socket for ever.
    assert.equal(server.requestTimeout, 30_000);
    assert.equal(server.headersTimeout, 10_000);
  });

  it('leaves other methods and paths to the framework', async () => {
    await both('trailing slash', { body: seed, path: '/api/fsr_data/' }, { status: 404, code: 'ROUTE_NOT_FOUND' });
    const get = await new Promise<number>((resolve, reject) =>
      request({ host: '127.0.0.1', port: fastPort, path: '/api/fsr_data', method: 'GET', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    assert.equal(get, 404);
  });

  it('a sample taken on the fast route is in the latest snapshot, in PostgreSQL and in the request metrics', async () => {
    await both('stored', { body: JSON.stringify({ ...SEED, side: 'right', ratio6: 77 }), device: 'dev-stored' }, { status: 202 });
    const latest = await apps[0]!.inject({ method: 'GET', url: '/api/fsr_data/latest?deviceId=dev-stored' });
    assert.deepEqual(latest.json(), { left: null, right: { ...SEED, side: 'right', ratio6: 77 } });
    const repo = apps[0]!.get(SamplesRepository, { strict: false });
    // both instances share the database: one row from each
    await eventually(async () => ((await repo.count('dev-stored')) === 2 ? true : undefined), 5_000, 'rows written');
    const metrics = await apps[0]!.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /http_request_duration_seconds_count\{method="POST",route="\/api\/fsr_data",status="202"\} [1-9]/);
    assert.match(metrics.body, /http_request_duration_seconds_count\{method="POST",route="\/api\/fsr_data",status="415"\} [1-9]/);
  });
});
