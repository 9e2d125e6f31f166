import { strict as assert } from 'node:assert';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { FastRoutes, type FastRequest } from './fast-routes';

function post(port: number, path: string, body: string, method = 'POST', extra: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...extra };
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('FastRoutes', () => {
  const fast = new FastRoutes({ bodyLimitBytes: 512 });
  const seen: FastRequest[] = [];
  let server: Server;
  let port = 0;

  before(async () => {
    fast.add({
      method: 'POST',
      path: '/in',
      status: 202,
      handle: async (req) => {
        seen.push(req);
        const b = req.body as { fail?: string } | undefined;
        if (b?.fail === 'app') throw new AppError('VALIDATION_ERROR', 'x must be a number');
        if (b?.fail === 'bug') throw new Error('secret internals at db.example:5432');
        return { status: 'ACCEPTED' };
      },
    });
    // Everything the fast routes leave goes here: the stand-in for Fastify.
    server = createServer((req, res) => {
      if (!fast.dispatch(req, res)) res.writeHead(299).end('framework');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  it('answers its route with the handler result, the parsed body and the headers reaching the handler', async () => {
    const r = await post(port, '/in?x=1', '{"a":1}');
    assert.deepEqual([r.status, JSON.parse(r.body)], [202, { status: 'ACCEPTED' }]);
    assert.deepEqual(seen.at(-1)?.body, { a: 1 });
    assert.equal(seen.at(-1)?.headers['content-type'], 'application/json');
  });

  it('gives the handler the socket\'s peer as the client address, not a forwarded one (trustProxy off)', async () => {
    await post(port, '/in', '{}', 'POST', { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(seen.at(-1)?.ip, '127.0.0.1');
  });

  it('with trustProxy, the first X-Forwarded-For address, as Fastify\'s request.ip', async () => {
    const proxied = new FastRoutes({ bodyLimitBytes: 512, trustProxy: true });
    const ips: string[] = [];
    proxied.add({ method: 'POST', path: '/ip', status: 200, handle: async (req) => (ips.push(req.ip), {}) });
    const s = createServer((req, res) => {
      if (!proxied.dispatch(req, res)) res.writeHead(299).end();
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const p = (s.address() as AddressInfo).port;
    try {
      await post(p, '/ip', '{}', 'POST', { 'x-forwarded-for': '203.0.113.9, 10.0.0.2' });
      await post(p, '/ip', '{}');
      assert.deepEqual(ips, ['203.0.113.9', '127.0.0.1']);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('leaves other paths and methods to the framework', async () => {
    assert.deepEqual(await post(port, '/other', '{}'), { status: 299, body: 'framework' });
    assert.deepEqual(await post(port, '/in/', '{}'), { status: 299, body: 'framework' });
    assert.deepEqual(await post(port, '/in', '{}', 'PUT'), { status: 299, body: 'framework' });
  });

  it('a domain error keeps its code; an unexpected one is a 500 that names no internals', async () => {
    const app = await post(port, '/in', '{"fail":"app"}');
    assert.equal(app.status, 400);
    assert.deepEqual({ ...JSON.parse(app.body), timestamp: undefined }, { timestamp: undefined, status: 400, error: 'Bad Request', code: 'VALIDATION_ERROR', message: 'x must be a number', path: '/in' });
    const bug = await post(port, '/in', '{"fail":"bug"}');
    assert.equal(bug.status, 500);
    assert.equal(JSON.parse(bug.body).code, 'INTERNAL_ERROR');
    assert.doesNotMatch(bug.body, /secret|5432/);
  });

  it('a handler that throws before returning a promise gets a 500, and the server keeps serving', async () => {
    fast.add({
      method: 'POST',
      path: '/sync-throw',
      status: 200,
      handle: () => {
        throw new Error('thrown synchronously');
      },
    });
    const r = await post(port, '/sync-throw', '{}');
    assert.deepEqual([r.status, JSON.parse(r.body).code], [500, 'INTERNAL_ERROR']);
    assert.equal((await post(port, '/in', '{"a":2}')).status, 202);
  });

  it('refuses a second route on the same path', () => {
    assert.throws(() => fast.add({ method: 'POST', path: '/in', status: 200, handle: async () => ({}) }), /registered twice/);
  });

  it('once closing, hands every request to the framework (which refuses while the server closes)', async () => {
    fast.close();
    assert.deepEqual(await post(port, '/in', '{"a":1}'), { status: 299, body: 'framework' });
  });
});
