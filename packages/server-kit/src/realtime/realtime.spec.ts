import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { CLOSE_CODES, DRAIN_CLOSE_CODE } from '@squirret/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebSocket } from 'ws';
import { createHttpApp, listen } from '../http/create-app';
import { KitModule } from '../kit.module';
import { MetricsService } from '../metrics/metrics';
import { RealtimeGateway, type RealtimeGatewayHooks } from './realtime.adapter';
import type { RealtimeServer, RealtimeSocket } from './realtime-server';

interface User {
  readonly user: string;
}

/** Records what the layer did, for the assertions. */
const seen = { settled: [] as string[], disconnects: 0 };

/** A small protocol on the layer: echo, throw, reject, flood; token auth before the upgrade. */
@RealtimeGateway('echo', /^\/rt\/echo$/)
class EchoGateway implements RealtimeGatewayHooks<User> {
  afterInit(server: RealtimeServer<User>): void {
    server.configure({
      maxPayload: 64 * 1024,
      maxBufferedBytes: 256 * 1024,
      pingMs: 150,
      drainGraceMs: 1_000,
      authenticate: (_req, { query }) => {
        const token = query.get('token');
        if (token === 'good') return { accept: { user: query.get('user') ?? 'someone' } };
        if (token === 'browser') return { close: CLOSE_CODES.POLICY_VIOLATION, reason: 'unauthorized: bad token' };
        return { refuse: 'UNAUTHORIZED', message: 'a valid token is required (?token=)' };
      },
    });
  }

  handleConnection(socket: RealtimeSocket<User>): void {
    socket.onMessage((data, isBinary) => {
      if (isBinary) return void socket.send(Buffer.concat([Buffer.from([0xff]), data]));
      const text = data.toString('utf8');
      if (text === 'throw') throw new Error('handler bug');
      if (text === 'reject') return Promise.reject(new Error('async handler bug'));
      if (text === 'flood') {
        const chunk = 'x'.repeat(32 * 1024);
        for (let i = 0; i < 400 && socket.send(chunk); i++);
        return;
      }
      socket.send(`${socket.context.user}: ${text}`);
    });
    // a final report the drain must wait for
    socket.onClose(() => new Promise<void>((r) => setTimeout(() => (seen.settled.push(socket.context.user), r()), 150)));
  }

  handleDisconnect(): void {
    seen.disconnects++;
  }
}

/** A gateway in Nest's own JSON style (`@SubscribeMessage`), on the same port. */
@RealtimeGateway('json', /^\/rt\/json$/)
class JsonGateway implements RealtimeGatewayHooks<null> {
  afterInit(server: RealtimeServer<null>): void {
    server.configure({ maxPayload: 1024, maxBufferedBytes: 64 * 1024, pingMs: 0, authenticate: () => ({ accept: null }) });
  }

  handleConnection(): void {}

  @SubscribeMessage('sum')
  sum(@MessageBody() data: number[]): { event: string; data: number } {
    return { event: 'sum', data: data.reduce((a, b) => a + b, 0) };
  }
}

@Module({
  imports: [KitModule.forRoot({ logging: { level: 'silent', service: 'spec' }, internalApiKey: undefined })],
  providers: [EchoGateway, JsonGateway],
})
class RealtimeSpecModule {}

interface Client {
  readonly ws: WebSocket;
  readonly messages: (string | Buffer)[];
  readonly closed: Promise<{ code: number; reason: string }>;
  next(): Promise<string | Buffer>;
}

describe('server-kit realtime layer (real Nest app, real sockets)', () => {
  let app: NestFastifyApplication;
  let base = '';

  before(async () => {
    app = await createHttpApp(RealtimeSpecModule, { bodyLimitBytes: 1024, trustProxy: false });
    const port = await listen(app, '127.0.0.1', 0);
    base = `ws://127.0.0.1:${port}`;
  });

  after(async () => {
    await app?.close().catch(() => undefined);
  });

  const open = (path: string, options: { autoPong?: boolean } = {}) =>
    new Promise<Client>((resolve, reject) => {
      const ws = new WebSocket(`${base}${path}`, options);
      const messages: (string | Buffer)[] = [];
      const waiters: ((m: string | Buffer) => void)[] = [];
      ws.on('message', (d, isBinary) => {
        const m = isBinary ? (d as Buffer) : d.toString();
        const w = waiters.shift();
        if (w) w(m);
        else messages.push(m);
      });
      const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
      ws.once('open', () =>
        resolve({
          ws,
          messages,
          closed,
          next: () => (messages.length ? Promise.resolve(messages.shift()!) : new Promise((r) => waiters.push(r))),
        }),
      );
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });

  const refusalOf = (path: string) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const ws = new WebSocket(`${base}${path}`);
      ws.once('open', () => reject(new Error('upgraded')));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      });
      ws.once('error', () => undefined);
    });

  it('authenticates before the upgrade: a refused token gets 401 in the seed body and is never upgraded', async () => {
    const { status, body } = await refusalOf('/rt/echo?token=nope');
    assert.equal(status, 401);
    assert.equal(body.code, 'UNAUTHORIZED');
    assert.equal(body.path, '/rt/echo');
    for (const k of ['timestamp', 'status', 'error', 'message']) assert.ok(k in body, k);
  });

  it('a `close` admission upgrades and closes with the given code (what a browser can read)', async () => {
    const c = await open('/rt/echo?token=browser');
    assert.deepEqual(await c.closed, { code: CLOSE_CODES.POLICY_VIOLATION, reason: 'unauthorized: bad token' });
  });

  it('routes by path on the one port: an unknown path is 404, the JSON gateway answers @SubscribeMessage', async () => {
    assert.equal((await refusalOf('/rt/nowhere')).status, 404);
    const j = await open('/rt/json');
    j.ws.send(JSON.stringify({ event: 'sum', data: [1, 2, 3] }));
    assert.deepEqual(JSON.parse(String(await j.next())), { event: 'sum', data: 6 });
    j.ws.close();
  });

  it('hands the protocol raw frames: text with the context of its auth, binary as binary', async () => {
    const c = await open('/rt/echo?token=good&user=ana');
    c.ws.send('hello');
    assert.equal(await c.next(), 'ana: hello');
    c.ws.send(Buffer.from([1, 2, 3]));
    assert.deepEqual(await c.next(), Buffer.from([0xff, 1, 2, 3]));
    c.ws.close();
    await c.closed;
  });

  it('a throwing or rejecting handler closes only its own socket (1011); the others keep being served', async () => {
    const a = await open('/rt/echo?token=good&user=a');
    const b = await open('/rt/echo?token=good&user=b');
    const r = await open('/rt/echo?token=good&user=r');
    a.ws.send('throw');
    r.ws.send('reject');
    assert.equal((await a.closed).code, CLOSE_CODES.INTERNAL_ERROR);
    assert.equal((await r.closed).code, CLOSE_CODES.INTERNAL_ERROR);
    b.ws.send('still here');
    assert.equal(await b.next(), 'b: still here');
    b.ws.close();
    await b.closed;
  });

  it('bounded send: a client that does not read is closed with 4008 (SLOW_CONSUMER)', async () => {
    const c = await open('/rt/echo?token=good');
    const raw = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    c.ws.send('flood');
    // stop reading right away, so the server's buffer fills
    raw.pause();
    await new Promise((r) => setTimeout(r, 300));
    raw.resume();
    assert.equal((await c.closed).code, CLOSE_CODES.SLOW_CONSUMER);
  });

  it('liveness: a socket that does not answer pings is closed with 4010; one that does stays open', async () => {
    const dead = await open('/rt/echo?token=good', { autoPong: false });
    const alive = await open('/rt/echo?token=good&user=alive');
    assert.equal((await dead.closed).code, CLOSE_CODES.HEARTBEAT_TIMEOUT);
    alive.ws.send('ok?');
    assert.equal(await alive.next(), 'alive: ok?');
    alive.ws.close();
    await alive.closed;
  });

  it('counts connections, messages, bytes, closes by code, refusals and faults per gateway in the registry', async () => {
    const text = await app.get(MetricsService, { strict: false }).registry.metrics();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    assert.equal(value('realtime_upgrade_refusals_total{gateway="echo",status="401"}'), 1);
    assert.equal(value('realtime_closes_total{gateway="echo",code="1008"}'), 1);
    assert.equal(value('realtime_closes_total{gateway="echo",code="1011"}'), 2);
    assert.equal(value('realtime_closes_total{gateway="echo",code="4008"}'), 1);
    assert.equal(value('realtime_closes_total{gateway="echo",code="4010"}'), 1);
    assert.equal(value('realtime_faults_total{gateway="echo"}'), 2);
    // browser, hello, a, b, r, flood, dead, alive
    assert.equal(value('realtime_connections_total{gateway="echo"}'), 8);
    // in: hello + binary + throw + reject + still here + flood + ok? = 7 messages
    assert.equal(value('realtime_messages_total{gateway="echo",direction="in"}'), 7);
    assert.ok(value('realtime_messages_total{gateway="echo",direction="out"}') >= 4);
    assert.ok(value('realtime_bytes_total{gateway="echo",direction="out"}') > 256 * 1024, 'the flood counted');
    assert.equal(value('realtime_messages_total{gateway="json",direction="in"}'), 1);
    assert.equal(value('realtime_connections{gateway="echo"}'), 0);
  });

  it('drains once at shutdown: open sockets get DRAIN_CLOSE_CODE (1012) and their close handlers finish first', async () => {
    assert.equal(DRAIN_CLOSE_CODE, CLOSE_CODES.SERVICE_RESTART);
    // the sockets of the earlier tests are gone, their final reports out
    await new Promise((r) => setTimeout(r, 300));
    const c1 = await open('/rt/echo?token=good&user=drain-1');
    const c2 = await open('/rt/echo?token=good&user=drain-2');
    const disconnectsBefore = seen.disconnects;
    await app.close();
    assert.equal((await c1.closed).code, DRAIN_CLOSE_CODE);
    assert.equal((await c2.closed).code, DRAIN_CLOSE_CODE);
    assert.deepEqual(seen.settled.filter((u) => u.startsWith('drain-')).sort(), ['drain-1', 'drain-2'], 'both final reports were waited for');
    assert.equal(seen.disconnects - disconnectsBefore, 2, 'Nest handleDisconnect ran for each');
  });
});
