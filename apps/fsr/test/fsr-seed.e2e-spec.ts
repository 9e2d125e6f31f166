import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { FsrStreamMessage } from '@squirret/contracts';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';

type Body = Record<string, unknown>;
const MAX_BUFFERED = 64 * 1024;

/** The contract's feet: 5.1's upload as the left foot, 5.2's snapshot values as the right. */
const LEFT = { side: 'left', ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20.0, ratio5: 32.5, ratio6: 21.7 };
const RIGHT = { side: 'right', ratio1: 15.2, ratio2: 7.5, ratio3: 3.1, ratio4: 25.4, ratio5: 30.0, ratio6: 18.8 };

/** A stream client (the real `ws` package) that keeps what it receives. */
function streamClient(url: string) {
  const ws = new WebSocket(url);
  const messages: FsrStreamMessage[] = [];
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as FsrStreamMessage));
  const opened = new Promise<void>((r, j) => ws.once('open', () => r()).once('error', j));
  const until = (what: string, ok: (m: FsrStreamMessage[]) => boolean, timeoutMs = 10_000) =>
    eventually(async () => (ok(messages) ? true : undefined), timeoutMs, what);
  return { ws, messages, opened, closed, until };
}

/**
 * A simulated ESP32 against the all-in-one process (`npm start`), the contract's FSR steps (5.1-5.5,
 * cURL 2, 3, 3-1, 5) over real HTTP and a real WebSocket client, and every bad body.
 */
describe('FSR service in the all-in-one process, as the contract shows it', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;
  let wsBase: string;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'e2e-session-secret-e2e-session-secret-xxxxxx',
      INFERENCE_TOKEN_SECRET: 'e2e-inference-secret-e2e-inference-secret-xx',
      LOG_LEVEL: 'warn',
      BODY_LIMIT_BYTES: String(256 * 1024),
      FSR_RATE_LIMIT: '100000',
      FSR_WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    });
    base = platform.baseUrl;
    wsBase = base.replace('http://', 'ws://');
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    const code = await platform?.stop('SIGTERM');
    assert.equal(code, 0, `platform exit code ${code}:\n${platform.output().slice(-2000)}`);
    await db?.drop();
  });

  it('before any data: latest is null for both feet, feedback NO_DATA, combined says there is nothing yet', async () => {
    assert.deepEqual((await http(base, 'GET', '/api/fsr_data/latest')).json, { left: null, right: null });
    assert.deepEqual((await http(base, 'GET', '/api/fsr_data/feedback')).json, {
      stage: 'UNKNOWN',
      status: 'NO_DATA',
      feedback: '최근 10초 동안 깔창 데이터가 없습니다.',
      metrics: null,
    });
    const combined = await http<Body>(base, 'GET', '/api/fsr_data/feedback/combined');
    assert.deepEqual(combined.json.ai, { status: 'NO_DATA', raw: null, messages: [] });
    assert.deepEqual(combined.json.overallMessages, ['아직 분석할 AI 또는 깔창 데이터가 없습니다.']);
  });

  it('5.1 / 5.2 / 5.3: the ESP32 posts both feet (202); latest and the stream show them', async () => {
    const stream = streamClient(`${wsBase}/ws/fsr-data`);
    await stream.opened;
    await stream.until('snapshot', (m) => m.length >= 1);
    assert.deepEqual(stream.messages[0], { type: 'snapshot', deviceId: 'default', left: null, right: null });

    for (const body of [LEFT, RIGHT]) {
      const r = await http(base, 'POST', '/api/fsr_data', body, { 'content-type': 'application/json; charset=utf-8' });
      assert.deepEqual([r.status, r.json], [202, { status: 'ACCEPTED' }]);
    }
    assert.deepEqual((await http(base, 'GET', '/api/fsr_data/latest')).json, { left: LEFT, right: RIGHT });

    await stream.until('two samples', (m) => m.length >= 3);
    const samples = stream.messages.slice(1).map((m) => {
      assert.equal(m.type, 'sample');
      const { at, ...rest } = m as FsrStreamMessage & { at: number };
      assert.equal(typeof at, 'number');
      return rest;
    });
    assert.deepEqual(samples, [{ type: 'sample', deviceId: 'default', ...LEFT }, { type: 'sample', deviceId: 'default', ...RIGHT }]);

    // A late subscriber gets the latest snapshot at once; a filtered one only its own device.
    const late = streamClient(`${wsBase}/ws/fsr-data`);
    const other = streamClient(`${wsBase}/ws/fsr-data?deviceId=esp32-other`);
    await late.until('late snapshot', (m) => m.length >= 1);
    await other.until('other snapshot', (m) => m.length >= 1);
    assert.deepEqual(late.messages[0], { type: 'snapshot', deviceId: 'default', left: LEFT, right: RIGHT });
    assert.deepEqual(other.messages[0], { type: 'snapshot', deviceId: 'esp32-other', left: null, right: null });
    await http(base, 'POST', '/api/fsr_data', { ...LEFT, deviceId: 'esp32-other' });
    await other.until('its own sample', (m) => m.length >= 2);
    await stream.until('the other device too (no filter)', (m) => m.length >= 4);
    await late.until('the other device on the late subscriber too', (m) => m.some((x) => x.deviceId === 'esp32-other'));
    assert.deepEqual(stream.messages[3], late.messages[1]);
    assert.deepEqual(other.messages.map((m) => m.deviceId), ['esp32-other', 'esp32-other']);
    for (const c of [stream, late, other]) c.ws.close();

    // A bad filter is refused at the upgrade with the error body's status.
    const refused = await new Promise<number>((r) => new WebSocket(`${wsBase}/ws/fsr-data?deviceId=no%20spaces`).once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)).once('error', () => r(-1)));
    assert.equal(refused, 400);
  });

  it('5.4 / cURL 3: feedback over the last 10 s, both feet averaged', async () => {
    const r = await http<Body>(base, 'GET', '/api/fsr_data/feedback');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, {
      stage: 'UNKNOWN',
      status: 'GOOD',
      feedback: '좋습니다. 양발 균형이 안정적입니다.',
      metrics: { front: 21.7, rear: 51.5, inner: 49.1, outer: 50.9, heel: 51.5, innerOuterDiff: 1.8, leftRightDiff: 5.4 },
    });
  });

  it('cURL 5 then 3-1: after POST /internal/ai/status the combined feedback has AI and FSR', async () => {
    const ai = await http(base, 'POST', '/internal/ai/status', { lumbar: 'good', knee: 'bad', ankle: 'null' });
    assert.equal(ai.status, 200);
    const combined = await eventually(async () => {
      const c = await http<Body>(base, 'GET', '/api/fsr_data/feedback/combined');
      return (c.json.ai as Body).status === 'BAD' ? c.json : undefined;
    }, 5_000, 'the AI status in the combined feedback');
    assert.deepEqual(combined, {
      ai: { status: 'BAD', raw: { lumbar: 'good', knee: 'bad', ankle: 'null' }, messages: ['무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.'] },
      fsr: {
        stage: 'UNKNOWN',
        status: 'GOOD',
        feedback: '좋습니다. 양발 균형이 안정적입니다.',
        metrics: { front: 21.7, rear: 51.5, inner: 49.1, outer: 50.9, heel: 51.5, innerOuterDiff: 1.8, leftRightDiff: 5.4 },
      },
      overallMessages: ['무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.', '좋습니다. 양발 균형이 안정적입니다.'],
    });
  });

  it('a squat descent leaning forward: DESCENT from the pressure trend, BAD, with the seed-style sentences', async () => {
    // Two seconds of both feet, heel share rising from 28% to 36% (the descent), forefoot 50% -> 44%.
    const now = Date.now() / 1000;
    const halves = {
      left: [[32.5, 17.5, 14.3, 7.7, 18.2, 9.8], [28.6, 15.4, 13, 7, 23.4, 12.6]],
      right: [[30, 20, 13.2, 8.8, 16.8, 11.2], [26.4, 17.6, 12, 8, 21.6, 14.4]],
    } as const;
    const samples = [1.9, 1.5, 1.1, 0.9, 0.5, 0].flatMap((ago, k) =>
      (['left', 'right'] as const).map((side) => {
        const r = halves[side][k < 3 ? 0 : 1];
        return { side, ratio1: r[0], ratio2: r[1], ratio3: r[2], ratio4: r[3], ratio5: r[4], ratio6: r[5], ts: now - ago };
      }),
    );
    const posted = await http(base, 'POST', '/api/fsr_data/batch', { samples }, { 'x-device-id': 'esp32-squat' });
    assert.deepEqual([posted.status, posted.json], [202, { status: 'ACCEPTED', accepted: 12 }]);

    const fb = await http<Body>(base, 'GET', '/api/fsr_data/feedback?deviceId=esp32-squat');
    assert.deepEqual(fb.json, {
      stage: 'DESCENT',
      status: 'BAD',
      feedback: '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요. 뒤꿈치에 체중이 부족합니다. 뒤꿈치를 좀 더 누르세요. 무릎이 안쪽으로 모이고 있습니다.',
      metrics: { front: 47, rear: 32, inner: 62.5, outer: 37.5, heel: 32, innerOuterDiff: 25, leftRightDiff: 5 },
    });
    const combined = await http<Body>(base, 'GET', '/api/fsr_data/feedback/combined?deviceId=esp32-squat');
    assert.deepEqual(combined.json.overallMessages, [
      '무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.',
      '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요.',
      '뒤꿈치에 체중이 부족합니다. 뒤꿈치를 좀 더 누르세요.',
      '무릎이 안쪽으로 모이고 있습니다.',
    ]);
  });

  it('every bad body or query gets the error body (docs/contracts/ios-api.md §0) naming the problem', async () => {
    const future = Date.now() / 1000 + 3600;
    const ts = Date.now() / 1000;
    const cases: { name: string; method?: string; path?: string; body?: string; headers?: Record<string, string>; status: number; code: string; message?: string }[] = [
      { name: 'ratio over 100', body: JSON.stringify({ ...LEFT, ratio1: 120 }), status: 400, code: 'VALIDATION_ERROR', message: 'ratio1 must be between 0 and 100' },
      { name: 'negative ratio', body: JSON.stringify({ ...LEFT, ratio3: -1 }), status: 400, code: 'VALIDATION_ERROR', message: 'ratio3 must be between 0 and 100' },
      { name: 'ratio as a string', body: JSON.stringify({ ...LEFT, ratio2: '8.4' }), status: 400, code: 'VALIDATION_ERROR', message: 'ratio2 must be a number between 0 and 100' },
      { name: 'ratio null', body: JSON.stringify({ ...LEFT, ratio5: null }), status: 400, code: 'VALIDATION_ERROR', message: 'ratio5 must be a number between 0 and 100' },
      { name: 'missing ratio', body: JSON.stringify({ side: 'left', ratio1: 1, ratio2: 1, ratio3: 1, ratio4: 1, ratio5: 1 }), status: 400, code: 'VALIDATION_ERROR', message: 'ratio6 is required' },
      { name: 'bad side', body: JSON.stringify({ ...LEFT, side: 'both' }), status: 400, code: 'VALIDATION_ERROR', message: 'side must be "left" or "right"' },
      { name: 'no side', body: JSON.stringify({ ratio1: 1, ratio2: 1, ratio3: 1, ratio4: 1, ratio5: 1, ratio6: 1 }), status: 400, code: 'VALIDATION_ERROR', message: 'side must be "left" or "right"' },
      { name: 'unknown field', body: JSON.stringify({ ...LEFT, pressure: 3 }), status: 400, code: 'VALIDATION_ERROR', message: 'unknown field(s): pressure' },
      { name: 'array body', body: JSON.stringify([LEFT]), status: 400, code: 'VALIDATION_ERROR', message: 'request body must be a JSON object' },
      { name: 'empty body', status: 400, code: 'VALIDATION_ERROR', message: 'request body must be a JSON object' },
      { name: 'malformed JSON', body: '{"side":"left",', status: 400, code: 'MALFORMED_JSON' },
      { name: 'bad deviceId field', body: JSON.stringify({ ...LEFT, deviceId: 'has space' }), status: 400, code: 'VALIDATION_ERROR', message: 'deviceId must be 1 to 64 letters, digits, ".", "_", ":" or "-"' },
      { name: 'bad X-Device-Id', body: JSON.stringify(LEFT), headers: { 'x-device-id': 'a/b' }, status: 400, code: 'VALIDATION_ERROR', message: 'X-Device-Id must be 1 to 64 letters, digits, ".", "_", ":" or "-"' },
      { name: 'header and field disagree', body: JSON.stringify({ ...LEFT, deviceId: 'esp-a' }), headers: { 'x-device-id': 'esp-b' }, status: 400, code: 'VALIDATION_ERROR', message: 'deviceId in the body and the X-Device-Id header differ' },
      { name: 'bad sessionId', body: JSON.stringify({ ...LEFT, sessionId: '42' }), status: 400, code: 'VALIDATION_ERROR', message: 'sessionId must be a UUID' },
      { name: 'form body', body: 'side=left', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'oversized body', body: JSON.stringify({ ...LEFT, pad: 'x'.repeat(300 * 1024) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { name: 'batch: empty', path: '/api/fsr_data/batch', body: JSON.stringify({ samples: [] }), status: 400, code: 'VALIDATION_ERROR', message: 'samples must not be empty' },
      { name: 'batch: not an array', path: '/api/fsr_data/batch', body: JSON.stringify({ samples: LEFT }), status: 400, code: 'VALIDATION_ERROR', message: 'samples must be an array of samples' },
      { name: 'batch: sample without ts', path: '/api/fsr_data/batch', body: JSON.stringify({ samples: [LEFT] }), status: 400, code: 'VALIDATION_ERROR', message: 'samples.0.ts: ts is required' },
      { name: 'batch: bad ratio', path: '/api/fsr_data/batch', body: JSON.stringify({ samples: [{ ...LEFT, ts }, { ...LEFT, ratio4: 101, ts }] }), status: 400, code: 'VALIDATION_ERROR', message: 'samples.1.ratio4: ratio4 must be between 0 and 100' },
      { name: 'batch: from the future', path: '/api/fsr_data/batch', body: JSON.stringify({ samples: [{ ...LEFT, ts: future }] }), status: 400, code: 'VALIDATION_ERROR', message: 'samples.0.ts is more than 60 s in the future' },
      { name: 'batch: too many', path: '/api/fsr_data/batch', body: JSON.stringify({ samples: Array(501).fill({ ...LEFT, ts }) }), status: 400, code: 'VALIDATION_ERROR', message: 'samples must hold at most 500 samples' },
      { name: 'latest: bad deviceId', method: 'GET', path: '/api/fsr_data/latest?deviceId=%20', status: 400, code: 'VALIDATION_ERROR' },
      { name: 'feedback: bad sessionId', method: 'GET', path: '/api/fsr_data/feedback?sessionId=1', status: 400, code: 'VALIDATION_ERROR', message: 'sessionId must be a UUID' },
      { name: 'combined: bad deviceId', method: 'GET', path: '/api/fsr_data/feedback/combined?deviceId=' + 'x'.repeat(65), status: 400, code: 'VALIDATION_ERROR' },
      { name: 'token issue without tokens configured', path: '/internal/fsr/devices/esp-1/token', status: 409, code: 'DEVICE_TOKENS_DISABLED' },
    ];
    for (const c of cases) {
      const path = c.path ?? '/api/fsr_data';
      const r = await http<Body>(base, c.method ?? 'POST', path, c.body, c.headers ?? {});
      assert.equal(r.status, c.status, `${c.name}: ${r.text}`);
      assert.deepEqual(Object.keys(r.json).sort(), ['code', 'error', 'message', 'path', 'status', 'timestamp'], c.name);
      assert.deepEqual([r.json.status, r.json.code, r.json.path], [c.status, c.code, path.split('?')[0]], c.name);
      if (c.message) assert.equal(r.json.message, c.message, c.name);
      assert.match(String(r.json.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, c.name);
    }
    const metrics = await http(base, 'GET', '/metrics');
    assert.match(metrics.text, /fsr_ingest_requests_total\{form="single",outcome="invalid"\} \d+/);
    assert.match(metrics.text, /fsr_ingest_samples_total\{form="batch"\} 12/);
  });

  it('a stream subscriber that stops reading is closed with 4008 while another keeps receiving everything', async () => {
    const device = 'esp32-flood';
    const fast = streamClient(`${wsBase}/ws/fsr-data?deviceId=${device}`);
    const slow = streamClient(`${wsBase}/ws/fsr-data?deviceId=${device}`);
    await Promise.all([fast.opened, slow.opened]);
    await fast.until('snapshot', (m) => m.length >= 1);
    slow.ws.pause();

    const slowCount = async () => Number(/fsr_stream_slow_consumers_total (\d+)/.exec((await http(base, 'GET', '/metrics')).text)?.[1] ?? 0);
    const start = Date.now() / 1000 - 5;
    let sent = 0;
    while ((await slowCount()) === 0) {
      assert.ok(sent < 200_000, 'the slow subscriber was never cut off');
      const samples = Array.from({ length: 500 }, (_, i) => ({ ...LEFT, ratio1: (sent + i) % 100, ts: start + (sent + i) / 1_000_000 }));
      const r = await http(base, 'POST', '/api/fsr_data/batch', { samples }, { 'x-device-id': device });
      assert.equal(r.status, 202, r.text);
      sent += samples.length;
    }
    // Read what is queued so the close frame behind it arrives.
    slow.ws.resume();
    assert.equal(await slow.closed, 4008);
    await fast.until(`all ${sent} samples`, (m) => m.length === sent + 1, 30_000);
    assert.equal(fast.ws.readyState, WebSocket.OPEN);
    assert.deepEqual(
      fast.messages.slice(1).map((m) => (m as { ratio1: number }).ratio1),
      Array.from({ length: sent }, (_, i) => i % 100),
      'in order, none missing',
    );
    fast.ws.close();
  });
});
