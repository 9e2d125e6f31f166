import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError, FsrBatchRequestSchema, FsrFeedbackQuerySchema, FsrSampleRequestSchema } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import { resolveDeviceId } from './device-id';
import { parseSampleBody } from './sample-body';

const seed = { side: 'left', ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20.0, ratio5: 32.5, ratio6: 21.7 };
const message = (schema: Parameters<typeof parseOrThrow>[0], body: unknown): string => {
  try {
    parseOrThrow(schema, body);
  } catch (e) {
    assert.ok(e instanceof AppError && e.code === 'VALIDATION_ERROR');
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
};

describe('FSR request validation (messages name the field)', () => {
  it('accepts the error body (docs/contracts/ios-api.md §0), boundaries included, with an optional device and session', () => {
    parseOrThrow(FsrSampleRequestSchema, seed);
    parseOrThrow(FsrSampleRequestSchema, { ...seed, ratio1: 0, ratio6: 100, deviceId: 'esp32-01', sessionId: 'a9433005-6d0d-4981-b7b9-6df0ec0366e8' });
  });

  it('refuses each bad sample with the seed-style message', () => {
    const cases: [unknown, string][] = [
      [{ ...seed, ratio1: 100.01 }, 'ratio1 must be between 0 and 100'],
      [{ ...seed, ratio3: -0.1 }, 'ratio3 must be between 0 and 100'],
      [{ ...seed, ratio2: '8.4' }, 'ratio2 must be a number between 0 and 100'],
      [{ ...seed, ratio4: null }, 'ratio4 must be a number between 0 and 100'],
      [{ side: 'left', ratio1: 1, ratio2: 1, ratio3: 1, ratio4: 1, ratio5: 1 }, 'ratio6 is required'],
      [{ ...seed, side: 'middle' }, 'side must be "left" or "right"'],
      [{ ...seed, side: undefined }, 'side must be "left" or "right"'],
      [{ ...seed, pressure: 3 }, 'unknown field(s): pressure'],
      [{ ...seed, deviceId: 'has space' }, 'deviceId must be 1 to 64 letters, digits, ".", "_", ":" or "-"'],
      [{ ...seed, sessionId: 'nope' }, 'sessionId must be a UUID'],
      [[seed], 'request body must be a JSON object'],
      [undefined, 'request body must be a JSON object'],
    ];
    for (const [body, expected] of cases) assert.equal(message(FsrSampleRequestSchema, body), expected, JSON.stringify(body));
  });

  it('refuses bad batches, naming the sample', () => {
    const ok = { ...seed, ts: 1730892345 };
    parseOrThrow(FsrBatchRequestSchema, { samples: [ok, { ...seed, ts: '2025-11-09T07:10:23Z' }] });
    assert.equal(message(FsrBatchRequestSchema, { samples: [] }), 'samples must not be empty');
    assert.equal(message(FsrBatchRequestSchema, { samples: Array(501).fill(ok) }), 'samples must hold at most 500 samples');
    assert.equal(message(FsrBatchRequestSchema, { samples: [ok, { ...ok, ratio5: 101 }] }), 'samples.1.ratio5: ratio5 must be between 0 and 100');
    assert.equal(message(FsrBatchRequestSchema, { samples: [seed] }), 'samples.0.ts: ts is required');
    assert.equal(message(FsrBatchRequestSchema, { samples: [{ ...ok, ts: 'yesterday' }] }), 'samples.0.ts: ts must be Unix epoch seconds or an ISO-8601 time');
    assert.equal(message(FsrBatchRequestSchema, [ok]), 'request body must be a JSON object');
  });

  it('docs/robustness.md: refuses what PostgreSQL cannot store (a ratio that underflows real, a ts in year 0000, NUL in a string)', () => {
    for (const tiny of [1e-300, 7e-46, 1e-40, 1e-39]) {
      assert.equal(message(FsrSampleRequestSchema, { ...seed, ratio3: tiny }), 'ratio3 must be 0 or at least 1e-38 (smaller values cannot be stored)', String(tiny));
      assert.equal(message(FsrBatchRequestSchema, { samples: [{ ...seed, ratio3: tiny, ts: 1730892345 }] }), 'samples.0.ratio3: ratio3 must be 0 or at least 1e-38 (smaller values cannot be stored)');
    }
    assert.equal(message(FsrSampleRequestSchema, { ...seed, ratio3: -1e-300 }), 'ratio3 must be between 0 and 100');
    parseOrThrow(FsrSampleRequestSchema, { ...seed, ratio3: 1.2e-38, ratio4: 0, ratio5: -0 });
    const tooOld = 'samples.0.ts: ts must be a time from 2000-01-01T00:00:00Z on';
    for (const ts of ['0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '1969-07-20T20:17:00+00:00', 946684799, 1e-300, 1]) {
      assert.equal(message(FsrBatchRequestSchema, { samples: [{ ...seed, ts }] }), tooOld, String(ts));
    }
    parseOrThrow(FsrBatchRequestSchema, { samples: [{ ...seed, ts: '2000-01-01T00:00:00Z' }, { ...seed, ts: 946684800 }] });
    assert.equal(message(FsrSampleRequestSchema, { ...seed, deviceId: 'esp\u0000' }), 'deviceId must be 1 to 64 letters, digits, ".", "_", ":" or "-"');
    assert.equal(message(FsrSampleRequestSchema, { ...seed, sessionId: 'a9433005-6d0d-4981-b7b9-6df0ec0366e\u0000' }), 'sessionId must be a UUID');
    assert.equal(message(FsrSampleRequestSchema, { ...seed, side: 'left\u0000' }), 'side must be "left" or "right"');
    assert.equal(message(FsrBatchRequestSchema, { deviceId: '\u0000', samples: [{ ...seed, ts: 1730892345 }] }), 'deviceId must be 1 to 64 letters, digits, ".", "_", ":" or "-"');
    assert.throws(() => resolveDeviceId({ 'x-device-id': 'esp\u0000' }, undefined, 'default'), (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_ERROR');
  });

  it('checks the query of the read endpoints', () => {
    assert.equal(message(FsrFeedbackQuerySchema, { sessionId: '1' }), 'sessionId must be a UUID');
    assert.equal(message(FsrFeedbackQuerySchema, { deviceId: '' }), 'deviceId must be 1 to 64 letters, digits, ".", "_", ":" or "-"');
  });
});

describe('resolveDeviceId', () => {
  const code = (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_ERROR';
  it('takes the header, else the body field, else the default device', () => {
    assert.equal(resolveDeviceId({ 'x-device-id': 'esp-h' }, undefined, 'default'), 'esp-h');
    assert.equal(resolveDeviceId({}, 'esp-b', 'default'), 'esp-b');
    assert.equal(resolveDeviceId({ 'x-device-id': 'esp-1' }, 'esp-1', 'default'), 'esp-1');
    assert.equal(resolveDeviceId({}, undefined, 'default'), 'default');
  });

  it('refuses a bad header and a header that contradicts the body', () => {
    assert.throws(() => resolveDeviceId({ 'x-device-id': 'a b' }, undefined, 'default'), code);
    assert.throws(() => resolveDeviceId({ 'x-device-id': 'esp-1' }, 'esp-2', 'default'), code);
  });
});

describe('parseSampleBody (direct check of the seed form, zod for the rest)', () => {
  const outcome = (parse: (b: unknown) => unknown, body: unknown): string => {
    try {
      return `ok ${JSON.stringify(parse(body))}`;
    } catch (e) {
      assert.ok(e instanceof AppError && e.code === 'VALIDATION_ERROR');
      return `error ${e.message}`;
    }
  };
  const viaZod = (b: unknown) => parseOrThrow(FsrSampleRequestSchema, b);

  it('decides and words exactly like the schema', () => {
    const values: unknown[] = [0, -0, 100, 12.3, 100.01, -0.1, Number.NaN, Infinity, -Infinity, 1e-300, -1e-300, 7e-46, 1e-38, 1.2e-38, 5e-324, '8.4', null, undefined, true, {}, []];
    const bodies: unknown[] = [seed, { ...seed, side: 'right' }, { ...seed, ratio1: 0, ratio6: 100 }, [seed], undefined, null, 'x', 5, Object.assign(Object.create(null), seed)];
    for (const key of ['side', 'ratio1', 'ratio2', 'ratio3', 'ratio4', 'ratio5', 'ratio6']) {
      for (const v of [...values, 'left', 'middle', 'LEFT']) bodies.push({ ...seed, [key]: v });
      const without = Object.fromEntries(Object.entries(seed).filter(([k]) => k !== key));
      bodies.push(without);
      bodies.push({ ...without, pressure: 1 });
    }
    bodies.push({ ...seed, pressure: 3 }, { ...seed, deviceId: 'esp32-01' }, { ...seed, deviceId: 'has space' });
    bodies.push({ ...seed, sessionId: 'a9433005-6d0d-4981-b7b9-6df0ec0366e8' }, { ...seed, sessionId: 'nope' });
    bodies.push(JSON.parse('{"side":"left","ratio1":1,"ratio2":2,"ratio3":3,"ratio4":4,"ratio5":5,"ratio6":6}'));
    for (const body of bodies) assert.equal(outcome(parseSampleBody, body), outcome(viaZod, body), JSON.stringify(body));
  });
});
