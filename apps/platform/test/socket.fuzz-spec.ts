import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { body as stompBody, commandName, headerEntry } from '@squirret/stomp/dist/testing/fuzz-arbitraries';
import { serializeFrame } from '@squirret/stomp';
import { Client as PgClient } from 'pg';
import { WebSocket } from 'ws';
import { note, pool, runWsInput, springToken, summary, tally, type Tally, type WsInput } from './fuzz-harness';

// The socket-level fuzzer: seeded inputs over every surface of the started all-in-one process,
// while two well-behaved clients (a REST loop and a STOMP subscriber) check that service goes on.
// FUZZ_SEED picks the seed, FUZZ_SOCKET_INPUTS the inputs per surface, FUZZ_SURFACE_SECONDS the
// time bound of each surface. A crashed process is recorded and restarted, so every surface runs.

const SEED = Number(process.env.FUZZ_SEED ?? 1307);
const TARGET = Number(process.env.FUZZ_SOCKET_INPUTS ?? 10_000);
const BUDGET_MS = Number(process.env.FUZZ_SURFACE_SECONDS ?? 45) * 1000;
const DEADLINE_MS = 5_000;
const SPRING_SECRET = 'fuzz-spring-secret-fuzz-spring-secret-0123';
const INTERNAL_KEY = 'fuzz-internal-key-0123456789';
const SESSION_SECRET = 'fuzz-session-secret-fuzz-session-secret-xx';
const INFERENCE_SECRET = 'fuzz-inference-secret-fuzz-inference-secre';
type Body = Record<string, unknown>;

const hangul = fc.integer({ min: 0xac00, max: 0xd7a3 }).map((c) => String.fromCharCode(c));
const hangulText = (min: number, max: number) => fc.array(hangul, { minLength: min, maxLength: max }).map((a) => a.join(''));
const nulText = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\0${b}`);
/** A JSON value with the hostile numbers and strings of docs/robustness.md mixed in. */
const hostileScalar = fc.oneof(
  fc.constantFrom(1e-300, 5e-324, 1e306, 1e308, -0, -1, 0, 100, 2 ** 53, 1e20, 4294967296, '', '\0', 'null', true, null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  nulText,
  hangulText(1, 60),
);
const hostileJson = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileScalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 10 }), tie('v'), { maxKeys: 5 })),
})).v;
/** Takes a well-formed body and breaks one field: a hostile value, a missing field or an extra one. */
const mutate = (good: Body): fc.Arbitrary<unknown> =>
  Object.keys(good).length === 0
    ? fc.oneof(fc.constant(good), fc.tuple(fc.string({ maxLength: 12 }), hostileJson).map(([k, v]) => ({ [k]: v })), hostileJson)
    : fc.oneof(
    { weight: 2, arbitrary: fc.constant(good) },
    {
      weight: 5,
      arbitrary: fc.tuple(fc.constantFrom(...Object.keys(good)), hostileJson).map(([k, v]) => ({ ...good, [k]: v })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...Object.keys(good)).map((k) => Object.fromEntries(Object.entries(good).filter(([n]) => n !== k))) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), hostileJson).map(([k, v]) => ({ ...good, [k]: v })) },
    { weight: 1, arbitrary: hostileJson },
  );

describe('socket fuzzer against the all-in-one process', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base = '';
  let wsBase = '';
  const crashes: string[] = [];
  const env = () => ({
    PORT: '0',
    DATABASE_URL: db.url,
    SESSION_TOKEN_SECRET: SESSION_SECRET,
    INFERENCE_TOKEN_SECRET: INFERENCE_SECRET,
    INTERNAL_API_KEY: INTERNAL_KEY,
    SPRING_JWT_SECRET: SPRING_SECRET,
    CONTROL_PLANE_SESSION_RATE_LIMIT: '1000000',
    FSR_RATE_LIMIT: '1000000',
    CHAT_RATE_LIMIT: '1000000',
    CHAT_MAX_MESSAGE_CHARS: '500',
    INFERENCE_POSE_WORKERS: '0',
    CHAT_DATA_PUSH_MS: '200',
    CHAT_STOMP_CONNECT_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'warn',
  });
  const start = async () => {
    platform = await startProcess('apps/platform/dist/src/main.js', env(), 90_000);
    base = platform.baseUrl;
    wsBase = base.replace('http://', 'ws://');
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 20_000, 'readiness');
  };
  const alive = () => platform.child.exitCode === null && platform.child.signalCode === null;
  /** After each input batch: a crash is counted (with the last log lines) and the process restarted. */
  let restarting: Promise<void> | undefined;
  const ensureUp = async (t: Tally): Promise<void> => {
    // Workers that find the process dead together restart it once.
    if (restarting) return restarting;
    restarting = restartIfDown(t).finally(() => (restarting = undefined));
    return restarting;
  };
  const restartIfDown = async (t: Tally) => {
    if (alive()) {
      // A process that is about to die may still look alive: it must answer its liveness probe.
      const live = await http(base, 'GET', '/health/live').then((r) => r.status, () => 0);
      if (live === 200) return;
      await new Promise<void>((r) => {
        if (!alive()) return r();
        const timer = setTimeout(r, 3_000);
        platform.child.once('exit', () => (clearTimeout(timer), r()));
      });
      if (alive()) return; // slow, not dead
    }
    t.crashes++;
    const lines = platform.output().split('\n');
    const first = lines.findIndex((l) => /^\w*Error\b/.test(l));
    const frames = lines.slice(first + 1).filter((l) => /^\s+at /.test(l) && !l.includes('node_modules')).slice(0, 3);
    crashes.push(`${t.surface}: ${[lines[first] ?? 'exit without a stack', ...frames].map((l) => l.trim()).join(' | ').slice(0, 600)}`);
    await start();
    watchers.restart();
  };

  // ---- the well-behaved clients ------------------------------------------------------------------
  const watchers = {
    restOk: 0,
    restBad: [] as string[],
    data: 0,
    lastData: 0,
    stopped: false,
    sub: undefined as WebSocket | undefined,
    async restLoop() {
      while (!this.stopped) {
        const r = await http<Body>(base, 'POST', '/internal/session').catch((e: Error) => ({ status: 0, json: { e: e.message } as Body }));
        if (r.status === 200 && typeof r.json.sessionId === 'string' && typeof r.json.wsToken === 'string') this.restOk++;
        else if (alive()) this.restBad.push(`${r.status} ${JSON.stringify(r.json).slice(0, 120)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    },
    async subscribe() {
      const g = (await http<{ wsToken: string }>(base, 'POST', '/internal/session')).json;
      const ws = new WebSocket(`${wsBase}/ws?token=${g.wsToken}`, ['v12.stomp']);
      this.sub = ws;
      ws.on('message', (d) => {
        const text = d.toString();
        if (text.startsWith('MESSAGE') && text.includes('"DATA"')) {
          this.data++;
          this.lastData = Date.now();
        }
      });
      ws.on('error', () => undefined);
      await new Promise((r) => ws.once('open', r));
      ws.send('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0');
      ws.send('SUBSCRIBE\nid:sub-0\ndestination:/user/queue/session\n\n\0');
    },
    restart() {
      this.sub?.terminate();
      void this.subscribe();
    },
    /** The subscriber must get a fresh DATA push within 3 s of now. */
    async dataFlows(what: string) {
      const since = Date.now();
      await eventually(async () => (this.lastData > since ? true : undefined), 3_000, `a DATA push to the well-behaved subscriber after ${what}`);
    },
  };

  const tallies: Tally[] = [];
  before(async () => {
    db = await createScratchDatabase();
    await start();
    void watchers.restLoop();
    await watchers.subscribe();
    await watchers.dataFlows('start');
  });

  after(async () => {
    watchers.stopped = true;
    watchers.sub?.terminate();
    for (const t of tallies) console.log(summary(t));
    console.log(`FUZZ well-behaved rest=${watchers.restOk} ok, ${watchers.restBad.length} bad; stomp DATA=${watchers.data}`);
    for (const c of crashes) console.log(`FUZZ crash ${c}`);
    if (platform && alive()) await platform.stop('SIGTERM');
    await db?.drop();
  });

  const finish = async (t: Tally, complete: boolean) => {
    // Let what this surface left behind play out (connect and heart-beat timers close idle sockets
    // within 2 s), so a late crash is charged to the surface that caused it.
    await new Promise((r) => setTimeout(r, 2_500));
    tallies.push(t);
    console.log(summary(t));
    for (const e of t.examples) console.log(`  ${t.surface}: ${e}`);
    await ensureUp(t);
    assert.ok(alive(), 'the process is up');
    await watchers.dataFlows(t.surface);
    const restBad = watchers.restBad.splice(0);
    assert.deepEqual(restBad.slice(0, 5), [], 'the well-behaved REST client kept getting sessions');
    assert.deepEqual({ crashes: t.crashes, fivexx: t.fivexx, hung: t.hung, badCloses: t.badCloses }, { crashes: 0, fivexx: 0, hung: 0, badCloses: 0 }, summary(t));
    assert.ok(complete && t.inputs >= TARGET, `only ${t.inputs} of ${TARGET} inputs within ${BUDGET_MS} ms`);
  };

  /** Setup of a surface: retried once after a restart when a late crash of the last surface hits it. */
  const setup = async <T>(t: Tally, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch {
      await ensureUp(t);
      return fn();
    }
  };
  const guest = async () => (await http<{ sessionId: string; wsToken: string }>(base, 'POST', '/internal/session')).json;

  // ---- REST --------------------------------------------------------------------------------------
  it('REST: every seed path with random JSON, bytes, headers and content types: no 5xx, no hang', async () => {
    watchers.restBad.length = 0;
    await ensureUp(tally('setup'));
    const t = tally('rest');
    const g = await guest();
    const inf = (await http<{ sessionId: string; wsToken: string }>(base, 'POST', '/api/session', { userId: 'fuzz-user' })).json;
    const coupleToken = springToken(SPRING_SECRET, 'fuzz-a', { couple_id: 900, name: '퍼즈' });
    const trainer = springToken(SPRING_SECRET, 'fuzz-t', { role: 'TRAINER', name: '트레이너' });
    const sample = { side: 'left', ratio1: 10, ratio2: 10, ratio3: 20, ratio4: 20, ratio5: 20, ratio6: 20 };
    const id = fc.oneof(fc.constant(inf.sessionId), fc.constant(g.sessionId), fc.uuid(), fc.constantFrom('%00', '..', '%2e%2e%2f', 'x'.repeat(3000), '-1', '1e308', '%F0%28'), hangulText(1, 50).map(encodeURIComponent));
    const route = fc.oneof(
      fc.constantFrom(
        ['GET', '/health/live'], ['GET', '/health/ready'], ['GET', '/metrics'], ['GET', '/openapi.json'], ['GET', '/api/fsr_data/latest'],
        ['GET', '/api/fsr_data/feedback'], ['GET', '/api/fsr_data/feedback/combined'], ['GET', '/api/rooms'], ['GET', '/distributor/chat'],
        ['GET', '/distributor/chat/rooms'],
      ).map(([m, p]) => ({ method: m as string, path: p as string, body: fc.constant(undefined as unknown) })),
      fc.constant({ method: 'POST', path: '/internal/session', body: mutate({}) }),
      fc.constant({ method: 'POST', path: '/auth/upgrade', body: mutate({ userId: 'u1', sessionId: g.sessionId, email: 'a@b.co' }) }),
      fc.constant({ method: 'POST', path: '/api/session', body: mutate({ userId: 'user123' }) }),
      id.map((x) => ({ method: 'POST', path: `/api/session/${x}/refresh`, body: mutate({}) })),
      id.map((x) => ({ method: 'POST', path: `/api/session/${x}/finish`, body: mutate({ framesIn: 1, framesOut: 1, durationSeconds: 1 }) })),
      id.map((x) => ({ method: 'GET', path: `/internal/sessions/${x}`, body: fc.constant(undefined as unknown) })),
      fc.constant({ method: 'POST', path: '/internal/ai/status', body: mutate({ lumbar: 'good', knee: 'bad', ankle: 'null', sessionId: inf.sessionId }) }),
      fc.constant({ method: 'POST', path: '/api/fsr_data', body: mutate({ ...sample, deviceId: 'esp-fuzz' }) }),
      fc.constant({ method: 'POST', path: '/api/fsr_data/batch', body: mutate({ deviceId: 'esp-fuzz', samples: [{ ...sample, ts: 1_800_000_000 }] }) }),
      id.map((x) => ({ method: 'POST', path: `/internal/fsr/devices/${x}/token`, body: mutate({}) })),
      id.map((x) => ({ method: 'POST', path: `/internal/fsr/devices/${x}/revoke`, body: mutate({}) })),
      fc.constant({ method: 'POST', path: '/api/rooms', body: mutate({ room_name: '커플 대화방', couple_id: 900 }) }),
      id.map((x) => ({ method: 'GET', path: `/api/rooms/${x}/messages?before=${x}&limit=${x}`, body: fc.constant(undefined as unknown) })),
      id.map((x) => ({ method: 'POST', path: `/internal/chat/rooms/${x}/members`, body: mutate({ user_id: 'fuzz-b' }) })),
      id.map((x) => ({ method: 'GET', path: `/internal/chat/rooms/${x}/sessions`, body: fc.constant(undefined as unknown) })),
      fc.constantFrom('trainers', 'members').map((k) => ({ method: 'POST', path: `/internal/chat/${k}`, body: mutate({ id: 'fuzz-t', name: '이름' }) })),
      fc.constant({ method: 'POST', path: '/internal/chat/pt-sessions', body: mutate({ trainer_id: 'fuzz-t', member_id: 'fuzz-m' }) }),
      id.map((x) => ({ method: 'GET', path: `/distributor/chat/rooms/pt_${x}/messages`, body: fc.constant(undefined as unknown) })),
      id.map((x) => ({ method: 'GET', path: `/distributor/static/${x}`, body: fc.constant(undefined as unknown) })),
      fc.webPath().map((p) => ({ method: 'GET', path: p || '/', body: fc.constant(undefined as unknown) })),
    );
    const request = route.chain((r) =>
      fc.record({
        method: fc.oneof({ weight: 6, arbitrary: fc.constant(r.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
        path: fc.oneof({ weight: 6, arbitrary: fc.constant(r.path) }, { weight: 1, arbitrary: fc.webQueryParameters().map((q) => `${r.path}?${q}`) }),
        body: fc.oneof(
          { weight: 6, arbitrary: r.body.map((b) => (b === undefined ? undefined : JSON.stringify(b))) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
          { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,2', '\0', 'null', '1e400', `"${'가'.repeat(30_000)}"`, `{"userId":"${'x'.repeat(70_000)}"}`) },
        ),
        contentType: fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json\t', '*/*', 'x'),
        auth: fc.constantFrom(undefined, `Bearer ${coupleToken}`, `Bearer ${trainer}`, `Bearer ${g.wsToken}`, `Bearer ${inf.wsToken}`, 'Bearer', 'Bearer a.b.c', 'Basic Zm9vOmJhcg==', `Bearer ${coupleToken}x`),
        key: fc.constantFrom(undefined, INTERNAL_KEY, 'wrong', `${INTERNAL_KEY} `),
        deviceId: fc.option(fc.oneof(fc.constantFrom('esp-1', ''), fc.stringMatching(/^[ -~]{0,80}$/)), { nil: undefined }),
      }),
    );
    const inputs = fc.sample(request, { seed: SEED, numRuns: TARGET });
    const complete = await pool(inputs, 12, BUDGET_MS, async (r) => {
      const headers: Record<string, string> = {};
      if (r.contentType !== undefined) headers['content-type'] = r.contentType;
      if (r.auth !== undefined) headers.authorization = r.auth;
      if (r.key !== undefined) headers['x-internal-api-key'] = r.key;
      if (r.deviceId !== undefined) headers['x-device-id'] = r.deviceId;
      const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
      t.inputs++;
      try {
        const res = await fetch(`${base}${r.path}`, { method: r.method, headers, body: hasBody ? r.body : undefined, signal: AbortSignal.timeout(DEADLINE_MS) });
        await res.arrayBuffer();
        if (res.status === 503) t.unavailable++;
        else if (res.status >= 500) {
          t.fivexx++;
          note(t, `${res.status} ${r.method} ${r.path.slice(0, 80)} ${String(r.body).slice(0, 120)}`);
        }
      } catch (e) {
        const err = e as Error;
        if (err.name === 'TimeoutError') {
          t.hung++;
          note(t, `hung ${r.method} ${r.path.slice(0, 80)}`);
        } else if (!alive()) {
          note(t, `process gone at ${r.method} ${r.path.slice(0, 80)} ${String(r.body).slice(0, 120)}`);
          await ensureUp(t);
        } else if (err.cause instanceof Error && /SOCKET|ECONNRESET|closed/i.test(`${(err.cause as { code?: string }).code} ${err.cause.message}`)) {
          // The server dropped the connection without an answer.
          t.badCloses++;
          note(t, `dropped ${r.method} ${r.path.slice(0, 80)} ${String(r.body).slice(0, 80)}: ${err.cause.message}`);
        } else {
          // The client itself refused the request (a header value it cannot send): not an input.
          t.inputs--;
        }
      }
    }, () => false);
    await finish(t, complete);
  });

  // ---- STOMP /ws ---------------------------------------------------------------------------------
  it('STOMP /ws: random frames (long Korean destinations included) answer or close with a table code', async () => {
    watchers.restBad.length = 0;
    await ensureUp(tally('setup'));
    const t = tally('stomp');
    const tokens = await setup(t, () => Promise.all(Array.from({ length: 16 }, () => guest())));
    const frame = fc.oneof(
      { weight: 6, arbitrary: fc.record({ command: commandName, headers: fc.array(headerEntry, { maxLength: 5 }), body: stompBody }) },
      { weight: 2, arbitrary: fc.record({ command: fc.constantFrom('SUBSCRIBE', 'SEND', 'UNSUBSCRIBE'), headers: fc.tuple(fc.nat(99), fc.oneof(hangulText(30, 80).map((h) => `/topic/${h}`), fc.constantFrom('/user/queue/session', '/app/session.message'))).map(([i, d]) => [['id', `s${i}`], ['destination', d]] as [string, string][]), body: fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify({ type: 'CLIENT_EVENT', payload: { name: v } }))) }) },
    );
    const script = fc.record({
      token: fc.oneof({ weight: 8, arbitrary: fc.nat(tokens.length - 1).map((i) => (tokens[i] as { wsToken: string }).wsToken) }, { weight: 1, arbitrary: fc.constantFrom('', 'a.b.c', '%00') }),
      connect: fc.constantFrom('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0', 'STOMP\naccept-version:1.1,1.0\n\n\0', 'CONNECT\naccept-version:1.0\n\n\0', 'CONNECT\naccept-version:9\n\n\0', ''),
      frames: fc.array(fc.oneof({ weight: 8, arbitrary: frame }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) }), { minLength: 1, maxLength: 10 }),
      binary: fc.boolean(),
    });
    const scripts = fc.sample(script, { seed: SEED, numRuns: Math.ceil(TARGET / 4) });
    const toWire = (f: Buffer | { command: string; headers: readonly (readonly [string, string])[]; body: Buffer }, binary: boolean): string | Buffer | undefined => {
      if (Buffer.isBuffer(f)) return f;
      try {
        const data = serializeFrame(f);
        return binary ? data : data.toString('utf8');
      } catch {
        return undefined;
      }
    };
    let total = 0;
    const complete = await pool(scripts, 8, BUDGET_MS, async (s) => {
      const messages = [s.connect, ...s.frames.map((f) => toWire(f, s.binary))].filter((m): m is string | Buffer => m !== undefined && m.length > 0);
      total += messages.length;
      const input: WsInput = { url: `${wsBase}/ws?token=${s.token}`, protocols: ['v12.stomp', 'v11.stomp'], messages, probe: 'DISCONNECT\nreceipt:probe\n\n\0' };
      await runWsInput(t, input, DEADLINE_MS);
      if (!alive()) {
        note(t, `process gone after ${messages.map((m) => String(m).slice(0, 80)).join(' | ').slice(0, 250)}`);
        await ensureUp(t);
      }
    }, () => false);
    assert.ok(total > 0);
    await finish(t, complete);
  });

  // ---- inference /ws/{id} ------------------------------------------------------------------------
  it('inference /ws/{id}: random JSON and binary frames answer or close with a table code', async () => {
    watchers.restBad.length = 0;
    await ensureUp(tally('setup'));
    const t = tally('inference');
    const sessions = await setup(t, () => Promise.all(Array.from({ length: 16 }, async () => (await http<{ sessionId: string; wsUrl: string; wsToken: string }>(base, 'POST', '/api/session', { userId: 'fuzz' })).json)));
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]).toString('base64');
    const num = fc.oneof(fc.constantFrom('1e306', '1e308', '1e400', '-0', '-1', '0', '9007199254740993', '1e20', '1.5', 'null', '"7"'), fc.nat().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String));
    const sqf1 = fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.oneof(fc.double(), fc.constantFrom(1e308, NaN, -0, Infinity)), fc.uint8Array({ maxLength: 200 })).map(([n, ts, img]) => {
      const h = Buffer.alloc(16);
      h.write('SQF1', 0, 'ascii');
      h.writeUInt32LE(n, 4);
      h.writeDoubleLE(ts, 8);
      return Buffer.concat([h, Buffer.from(img)]);
    });
    const message = fc.oneof(
      fc.tuple(num, num, fc.oneof(fc.constant(`"${jpeg}"`), fc.constantFrom('""', '"@@"', '"abcde"', 'null'), fc.uint8Array({ maxLength: 100 }).map((b) => JSON.stringify(Buffer.from(b).toString('base64'))))).map(([n, ts, img]) => `{"type":"frame","frameNumber":${n},"image_base64":${img},"timestamp":${ts}}`),
      fc.oneof(fc.constant('{"type":"auth","token":"a.b.c"}'), fc.string({ maxLength: 40 }).map((s) => JSON.stringify({ type: 'auth', token: s }))),
      hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
      fc.string({ maxLength: 60 }),
      sqf1,
      fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
    );
    const script = fc.record({
      session: fc.nat(sessions.length - 1),
      auth: fc.oneof({ weight: 8, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: fc.constantFrom('none', 'other', 'junk') }),
      path: fc.oneof({ weight: 8, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: fc.oneof(fc.uuid(), hangulText(1, 40).map(encodeURIComponent), fc.constant('%00')) }),
      messages: fc.array(message, { minLength: 1, maxLength: 8 }),
    });
    const scripts = fc.sample(script, { seed: SEED, numRuns: Math.ceil(TARGET / 3) });
    const complete = await pool(scripts, 8, BUDGET_MS, async (s) => {
      const own = sessions[s.session] as { sessionId: string; wsUrl: string; wsToken: string };
      const other = sessions[(s.session + 1) % sessions.length] as { wsToken: string };
      const token = { own: own.wsToken, none: '', other: other.wsToken, junk: 'a.b.c' }[s.auth];
      const url = s.path === 'own' ? `${own.wsUrl}?token=${token}` : `${wsBase}/ws/${s.path}?token=${token}`;
      await runWsInput(t, { url, messages: s.messages, probe: '{' }, DEADLINE_MS);
      if (!alive()) await ensureUp(t);
    }, () => false);
    await finish(t, complete);
  });

  // ---- /ws/fsr-data ------------------------------------------------------------------------------
  it('/ws/fsr-data: random device ids and client messages answer (pong) or close with a table code', async () => {
    watchers.restBad.length = 0;
    await ensureUp(tally('setup'));
    const t = tally('fsr-data');
    const script = fc.record({
      query: fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/).map((d) => `?deviceId=${d}`), fc.string({ maxLength: 80 }).map((d) => `?deviceId=${encodeURIComponent(d)}`), fc.constant('?deviceId=%00'), fc.webQueryParameters().map((q) => `?${q}`)),
      messages: fc.array(fc.oneof(fc.string({ maxLength: 60 }), hostileJson.map((v) => JSON.stringify(v) ?? ''), fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b))), { minLength: 1, maxLength: 10 }),
    });
    const scripts = fc.sample(script, { seed: SEED, numRuns: Math.ceil(TARGET / 3) });
    const complete = await pool(scripts, 8, BUDGET_MS, async (s) => {
      await runWsInput(t, { url: `${wsBase}/ws/fsr-data${s.query}`, messages: s.messages.filter((m) => m.length > 0), probe: 'ping' }, DEADLINE_MS);
      if (!alive()) await ensureUp(t);
    }, () => false);
    await finish(t, complete);
  });

  // ---- chat /api/sessions/ws/{room} ---------------------------------------------------------------
  it('chat /api/sessions/ws/{room}: random messages answer or close with a table code', async () => {
    watchers.restBad.length = 0;
    await ensureUp(tally('setup'));
    const t = tally('chat');
    const rooms: { roomId: number; token: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const coupleId = 5000 + i;
      const token = springToken(SPRING_SECRET, `fz-a${i}`, { couple_id: coupleId, name: `A${i}` });
      const r = await http<Body>(base, 'POST', '/api/rooms', { room_name: `방 ${i}`, couple_id: coupleId }, { authorization: `Bearer ${token}` });
      assert.equal(r.status, 201, r.text);
      rooms.push({ roomId: Number(r.json.room_id), token });
    }
    const message = fc.oneof(
      fc.record({ type: fc.constant('message'), content: fc.oneof(hangulText(1, 40), nulText, fc.string({ maxLength: 600 }), fc.constant('')), clientId: fc.option(fc.oneof(fc.uuid(), nulText, fc.string({ maxLength: 80 })), { nil: undefined }) }).map((m) => JSON.stringify(m)),
      fc.record({ type: fc.constant('response'), content: fc.constantFrom('네', '아니오', 'x'), session_id: hostileScalar }).map((m) => JSON.stringify(m)),
      fc.record({ type: fc.constant('read'), messageId: hostileScalar }).map((m) => JSON.stringify(m)),
      hostileJson.map((v) => JSON.stringify(v) ?? ''),
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    );
    const script = fc.record({
      room: fc.nat(rooms.length - 1),
      auth: fc.oneof({ weight: 8, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: fc.constantFrom('other', 'none', 'junk', 'expired') }),
      path: fc.oneof({ weight: 8, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0', '-1', '99999999', '1e308', '%00', 'pt_1'), hangulText(1, 40).map(encodeURIComponent)) }),
      messages: fc.array(message, { minLength: 1, maxLength: 8 }),
    });
    const scripts = fc.sample(script, { seed: SEED, numRuns: Math.ceil(TARGET / 3) });
    const complete = await pool(scripts, 8, BUDGET_MS, async (s) => {
      const own = rooms[s.room] as { roomId: number; token: string };
      const token = { own: own.token, other: (rooms[(s.room + 1) % rooms.length] as { token: string }).token, none: '', junk: 'a.b.c', expired: springToken(SPRING_SECRET, 'fz-x', { couple_id: 5000 }, -60) }[s.auth];
      const path = s.path === 'own' ? String(own.roomId) : s.path;
      await runWsInput(t, { url: `${wsBase}/api/sessions/ws/${path}?token=${token}`, messages: s.messages.filter((m) => m.length > 0), probe: '{' }, DEADLINE_MS);
      if (!alive()) await ensureUp(t);
    }, () => false);
    await finish(t, complete);
  });

  // ---- regressions of docs/robustness.md ("one input takes the whole platform down") -------------------------

  it('SUBSCRIBE to a 40-Hangul destination closes that connection, process stays up', async () => {
    watchers.restBad.length = 0;
    await ensureUp(tally('setup'));
    const t = tally('regression-stomp-hangul');
    const g = await guest();
    await runWsInput(t, { url: `${wsBase}/ws?token=${g.wsToken}`, protocols: ['v12.stomp'], messages: ['CONNECT\naccept-version:1.2\n\n\0', `SUBSCRIBE\nid:0\ndestination:${'가'.repeat(40)}\n\n\0`], probe: 'DISCONNECT\nreceipt:r\n\n\0' }, DEADLINE_MS);
    // The crash came a moment after the ERROR: the liveness probe goes through ensureUp, which counts it.
    await new Promise((r) => setTimeout(r, 500));
    await ensureUp(t);
    assert.equal(t.crashes, 0, `the process died: ${crashes.at(-1) ?? ''}`);
    assert.deepEqual([t.badCloses, t.hung], [0, 0], t.examples.join('\n'));
    assert.equal((await http(base, 'GET', '/health/live')).status, 200);
  });

  it('a NUL byte in userId / email of POST /api/session and /auth/upgrade answers 400, not 500', async () => {
    const g = await guest();
    const a = await http<Body>(base, 'POST', '/api/session', { userId: 'u\u0000x' });
    const b = await http<Body>(base, 'POST', '/auth/upgrade', { userId: 'u\u0000x', sessionId: g.sessionId, email: 'a@b.co' });
    const c = await http<Body>(base, 'POST', '/auth/upgrade', { userId: 'u1', sessionId: g.sessionId, email: 'a\u0000@b.co' });
    assert.deepEqual([a.status, b.status, c.status], [400, 400, 400], `${a.text} ${b.text} ${c.text}`);
  });

  it('an FSR sample with ratio 1e-300 or a batch ts in year 0000 does not stop storage for other devices', async () => {
    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    try {
      const sample = { side: 'left', ratio1: 10, ratio2: 10, ratio3: 20, ratio4: 20, ratio5: 20, ratio6: 20 };
      const bad1 = await http<Body>(base, 'POST', '/api/fsr_data', { ...sample, ratio2: 1e-300, deviceId: 'esp-poison-1' });
      const bad2 = await http<Body>(base, 'POST', '/api/fsr_data/batch', { deviceId: 'esp-poison-2', samples: [{ ...sample, ts: '0000-01-01T00:00:00Z' }] });
      assert.ok(bad1.status < 500 && bad2.status < 500, `${bad1.status} ${bad2.status}`);
      const good = await http<Body>(base, 'POST', '/api/fsr_data', { ...sample, deviceId: 'esp-innocent' });
      assert.equal(good.status, 202, good.text);
      await eventually(async () => {
        const r = await pg.query<{ n: string }>("SELECT count(*) AS n FROM fsr_samples WHERE device_id = 'esp-innocent'");
        return Number(r.rows[0]?.n) > 0 ? true : undefined;
      }, 5_000, "the innocent device's sample to be stored");
    } finally {
      await pg.end();
    }
  });

  it('a chat message holding a NUL byte does not fail the other rooms’ messages', async () => {
    const open = async (coupleId: number) => {
      const token = springToken(SPRING_SECRET, `nul-${coupleId}`, { couple_id: coupleId });
      const r = await http<Body>(base, 'POST', '/api/rooms', { room_name: 'NUL', couple_id: coupleId }, { authorization: `Bearer ${token}` });
      const ws = new WebSocket(`${wsBase}/api/sessions/ws/${r.json.room_id}?token=${token}`);
      const got: Body[] = [];
      ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Body));
      await eventually(async () => (got.some((m) => m.type === 'session') ? true : undefined), 5_000, 'the session message');
      return { ws, got };
    };
    const [a, b] = await Promise.all([open(7001), open(7002)]);
    try {
      // Sent together, so the NUL message shares a group commit with the other room's messages.
      for (let i = 0; i < 20; i++) {
        if (i % 5 === 0) a.ws.send(JSON.stringify({ type: 'message', content: `bad\u0000byte ${i}`, clientId: `nul-${i}` }));
        b.ws.send(JSON.stringify({ type: 'message', content: `안녕하세요 ${i}`, clientId: `ok-${i}` }));
      }
      await eventually(async () => (b.got.filter((m) => m.type === 'ack').length >= 20 ? true : undefined), 5_000, 'the other room’s 20 acks');
      assert.deepEqual(b.got.filter((m) => m.type === 'error'), [], 'the other room got errors');
      const answer = await eventually(async () => a.got.find((m) => (m.type === 'ack' || m.type === 'error') && m.clientId === 'nul-0'), 5_000, 'an answer to the NUL message');
      assert.equal(answer.type, 'error', 'a NUL message is refused with its clientId, not stored');
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });
});
