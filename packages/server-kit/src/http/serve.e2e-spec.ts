import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';

const FIXTURE = 'packages/server-kit/dist/testing/shutdown-fixture.js';

/** Sends raw bytes and collects what the server answers until it closes the socket. */
function raw(port: number, chunks: { data: string; afterMs: number }[], deadlineMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    let text = '';
    const timers: NodeJS.Timeout[] = [];
    const done = (closed: boolean) => {
      for (const t of timers) clearTimeout(t);
      s.destroy();
      resolve({ text, closed });
    };
    s.on('data', (d) => (text += d.toString()));
    s.on('close', () => done(true));
    s.on('error', () => undefined);
    s.on('connect', () => {
      for (const c of chunks) timers.push(setTimeout(() => s.writable && s.write(c.data), c.afterMs));
    });
    timers.push(setTimeout(() => done(false), deadlineMs));
  });
}

const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('HTTP edge: request timeouts and graceful shutdown', () => {
  let svc: RunningProcess;
  before(async () => {
    svc = await startProcess(FIXTURE, { REQUEST_TIMEOUT_MS: '1500', HEADERS_TIMEOUT_MS: '1000', HOLD_MS: '1500' });
  });
  after(async () => {
    await svc?.stop('SIGKILL');
  });

  it('closes a client that dribbles its body with 408 REQUEST_TIMEOUT in the error body (docs/contracts/ios-api.md §0) (was: never closed)', async () => {
    const head = 'POST /hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const dribble = Array.from({ length: 20 }, (_, i) => ({ data: ' ', afterMs: 200 * (i + 1) }));
    const { text, closed } = await raw(svc.port, [{ data: head, afterMs: 0 }, ...dribble], 10_000);
    assert.ok(closed, 'the server closed the socket');
    assert.match(text, /^HTTP\/1\.1 408 /);
    const body = bodyOf(text);
    assert.equal(body.code, 'REQUEST_TIMEOUT');
    assert.equal(body.status, 408);
    for (const k of ['timestamp', 'error', 'message', 'path']) assert.ok(k in body, k);
  });

  it('closes a client that never finishes its headers with 408', async () => {
    const { text, closed } = await raw(svc.port, [{ data: 'GET /hello HTTP/1.1\r\nHost: x\r\n', afterMs: 0 }, { data: 'X-A: 1\r\n', afterMs: 500 }], 10_000);
    assert.ok(closed);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.equal(bodyOf(text).code, 'REQUEST_TIMEOUT');
  });

  it('answers bytes that are not HTTP with 400 in the error body (docs/contracts/ios-api.md §0)', async () => {
    const { text, closed } = await raw(svc.port, [{ data: '\x16\x03\x01 not http\r\n\r\n', afterMs: 0 }], 5_000);
    assert.ok(closed);
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.equal(bodyOf(text).code, 'VALIDATION_ERROR');
  });

  it('a promise rejection nobody caught is logged and the process keeps serving', async () => {
    assert.equal((await http(svc.baseUrl, 'GET', '/hello/stray')).status, 200);
    await eventually(async () => (svc.output().includes('unhandled promise rejection (contained)') ? true : undefined), 5_000, 'the log line');
    assert.equal(svc.child.exitCode, null);
    assert.deepEqual((await http(svc.baseUrl, 'GET', '/hello')).json, { hello: 'world' });
  });

  it('a well-behaved request meanwhile is served', async () => {
    assert.deepEqual((await http(svc.baseUrl, 'GET', '/hello')).json, { hello: 'world' });
  });

  it('SIGTERM: readiness turns 503 at once, while the drain holds the shutdown, then the process exits 0', async () => {
    assert.equal((await http(svc.baseUrl, 'GET', '/health/ready')).status, 200);
    const exited = new Promise<number | null>((r) => svc.child.once('exit', (code) => r(code)));
    svc.child.kill('SIGTERM');
    await eventually(async () => (svc.output().includes('drain started') ? true : undefined), 5_000, 'drain to start');
    const ready = await http<Record<string, unknown>>(svc.baseUrl, 'GET', '/health/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.json.code, 'NOT_READY');
    assert.match(String(ready.json.message), /shutdown/);
    assert.equal(await exited, 0, svc.output().slice(-2000));
  });
});
