import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { assertApiDocsServed, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Distributed mode: each app as its own process, talking through real Redis and PostgreSQL.
 * The control plane allocates sessions to the data-plane node that announced itself on the bus.
 */
describe('each app started on its own with DATABASE_URL and REDIS_URL', () => {
  let db: ScratchDatabase;
  const procs: RunningProcess[] = [];
  const common = {
    REDIS_URL,
    BUS_PREFIX: `e2e:${randomUUID()}:`,
    SESSION_TOKEN_SECRET: 'dist-session-secret-dist-session-secret-xx',
    INFERENCE_TOKEN_SECRET: 'dist-inference-secret-dist-inference-secr',
    PORT: '0',
    INFERENCE_HEARTBEAT_MS: '200',
  };

  before(async () => {
    db = await createScratchDatabase();
  });

  after(async () => {
    for (const p of procs.reverse()) assert.equal(await p.stop('SIGTERM'), 0, p.output().slice(-1500));
    await db.drop();
  });

  it('control plane allocates to the inference node announced over Redis; fsr and chat answer health', async () => {
    const cp = await startProcess('apps/control-plane/dist/src/main.js', { ...common, DATABASE_URL: db.url });
    procs.push(cp);
    const noNode = await http<{ code: string }>(cp.baseUrl, 'POST', '/api/session', { userId: 'u' });
    assert.deepEqual([noNode.status, noNode.json.code], [503, 'NO_CAPACITY']);
    // The live console is the control plane's too (the gateway's catch-all sends /console here).
    const page = await http(cp.baseUrl, 'GET', '/console');
    assert.equal(page.status, 200);
    assert.match(page.text, /data-testid="console-start"/);
    assert.equal((await http(cp.baseUrl, 'GET', '/console/static/stomp.umd.min.js')).status, 200);

    const inf = await startProcess('apps/inference/dist/src/main.js', { ...common, INFERENCE_NODE_ID: 'node-e2e', INFERENCE_PUBLIC_WS_BASE: 'ws://inference.local:8000', INFERENCE_POSE_WORKERS: '0' });
    procs.push(inf);
    const created = await eventually(async () => {
      const r = await http<{ wsUrl: string; sessionId: string }>(cp.baseUrl, 'POST', '/api/session', { userId: 'u' });
      return r.status === 200 ? r.json : undefined;
    }, 10_000, 'an allocation');
    assert.equal(created.wsUrl, `ws://inference.local:8000/ws/${created.sessionId}`);

    for (const script of ['apps/fsr/dist/src/main.js', 'apps/chat/dist/src/main.js']) {
      const p = await startProcess(script, { ...common, DATABASE_URL: db.url });
      procs.push(p);
      const ready = await http<{ status: string }>(p.baseUrl, 'GET', '/health/ready');
      assert.equal(ready.json.status, 'ready', script);
    }
    // every app serves /docs: the control plane and fsr with their OpenAPI documents, all four with the AsyncAPI one
    const [, , fsr, chat] = procs.slice(-4);
    for (const [p, openapi] of [[cp, ['/openapi.json']], [inf, []], [fsr!, ['/openapi.json']], [chat!, []]] as const) {
      await assertApiDocsServed(async (url) => {
        const r = await fetch(`${p.baseUrl}${url}`);
        return { status: r.status, contentType: r.headers.get('content-type') ?? '', body: await r.text() };
      }, openapi);
    }
  });

  it('a STOMP client on either of two chat processes gets DATA with the AI status set on the control plane', async () => {
    const cp = procs.find((p) => p.output().includes('control-plane listening'))!;
    const chats = [
      await startProcess('apps/chat/dist/src/main.js', { ...common, DATABASE_URL: db.url, DATA_PUSH_MS: '200' }),
      await startProcess('apps/chat/dist/src/main.js', { ...common, DATABASE_URL: db.url, DATA_PUSH_MS: '200' }),
    ];
    procs.push(...chats);
    for (const [i, chat] of chats.entries()) {
      const { sessionId, wsToken } = (await http<{ sessionId: string; wsToken: string }>(cp.baseUrl, 'POST', '/internal/session')).json;
      const ws = new WebSocket(`${chat.baseUrl.replace('http://', 'ws://')}/ws?token=${wsToken}`);
      const bodies: string[] = [];
      ws.on('message', (d) => bodies.push(d.toString()));
      await new Promise((r) => ws.once('open', r));
      ws.send('CONNECT\naccept-version:1.1,1.2\n\n\0');
      await eventually(async () => (bodies.some((b) => b.startsWith('CONNECTED')) ? true : undefined), 5_000, 'CONNECTED');
      ws.send('SUBSCRIBE\ndestination:/user/queue/session\nack:auto\nid:/user/queue/session\n\n\0');
      const knee = i === 0 ? 'bad' : 'good';
      const set = await http(cp.baseUrl, 'POST', '/internal/ai/status', { lumbar: 'good', knee, ankle: 'null', sessionId });
      assert.equal(set.status, 200);
      await eventually(async () => (bodies.some((b) => b.startsWith('MESSAGE') && b.includes(`"knee":"${knee}"`)) ? true : undefined), 5_000, `DATA on chat ${i + 1}`);
      ws.terminate();
    }
  });

  it('refuses to start with missing configuration, listing every problem at once', async () => {
    await assert.rejects(startProcess('apps/control-plane/dist/src/main.js', { PORT: '0', SESSION_TOKEN_SECRET: 'short' }, 20_000), (e: Error) =>
      /DATABASE_URL/.test(e.message) && /SESSION_TOKEN_SECRET/.test(e.message) && /INFERENCE_TOKEN_SECRET/.test(e.message),
    );
  });
});
