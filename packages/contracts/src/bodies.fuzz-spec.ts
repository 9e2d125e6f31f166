import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod';
import {
  AddRoomMemberRequestSchema,
  CoupleClientMessageSchema,
  CreatePtSessionRequestSchema,
  CreateRoomRequestSchema,
  DistributorClientMessageSchema,
  UpsertPersonRequestSchema,
} from './chat-rooms';
import {
  AiStatusRequestSchema,
  CreateInferenceSessionRequestSchema,
  FinishSessionRequestSchema,
  UpgradeRequestSchema,
} from './control-plane';
import { FSR_BATCH_MAX_SAMPLES, FsrBatchRequestSchema, FsrSampleRequestSchema } from './fsr';
import { AppToServerMessageSchema } from './session-channel';

// "Anything a schema accepts can be stored": every body the services take is written to PostgreSQL
// (text / varchar, `real`, `double precision`, `timestamptz`, integer columns). These properties
// check the accepted value, not the error message, so any fix that refuses the bad input passes.

const SEED = Number(process.env.FUZZ_SEED ?? 1307);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * Number(process.env.FUZZ_SCALE ?? 1))), endOnFailure: true });

/** text / varchar: PostgreSQL's UTF-8 text cannot hold U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`). */
function storableText(s: string): string | undefined {
  return s.includes('\0') ? 'holds a NUL byte' : undefined;
}
/** `real` (float4): finite, and not so small that float4 rounds it to 0 (PostgreSQL refuses the underflow). */
function storableReal(x: number): string | undefined {
  if (!Number.isFinite(x)) return `${x} is not finite`;
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return `${x} overflows real`;
  if (f === 0 && x !== 0) return `${x} underflows real`;
  return undefined;
}
/** `double precision` / integer columns: a finite number (integers within the safe range). */
function storableNumber(x: number): string | undefined {
  return Number.isFinite(x) ? undefined : `${x} is not finite`;
}
/** `timestamptz` through node-pg: a valid Date with a four-digit year AD (year 0000 and beyond 9999 are refused). */
function storableTime(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return `time ${ms} is not finite`;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return `time ${ms} is not a date`;
  const y = d.getUTCFullYear();
  return y >= 1 && y <= 9999 ? undefined : `year ${y} cannot be stored`;
}

/** Walks an accepted value: every string must be storable text and every number at least finite. */
function walk(value: unknown, path: string, problems: string[]): void {
  if (typeof value === 'string') {
    const p = storableText(value);
    if (p) problems.push(`${path} ${p}`);
  } else if (typeof value === 'number') {
    const p = storableNumber(value);
    if (p) problems.push(`${path} ${p}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, problems));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, problems);
  }
}

/** Asserts that whenever `schema` accepts `input`, the parsed value passes `extra` and `walk`. */
function acceptedIsStorable<S extends z.ZodType>(schema: S, input: unknown, extra: (v: z.infer<S>) => (string | undefined)[] = () => []): void {
  const r = schema.safeParse(input);
  if (!r.success) return;
  const problems: string[] = [];
  walk(r.data, '$', problems);
  for (const p of extra(r.data)) if (p) problems.push(p);
  assert.deepEqual(problems, [], `accepted but not storable: ${JSON.stringify(input)?.slice(0, 300)}`);
}

/** A schema with a name, so a counterexample prints `CreateRoomRequestSchema`, not zod's internals. */
const named = (name: string, schema: z.ZodType) => Object.assign(Object.create(null) as object, { schema, [fc.toStringMethod]: () => name }) as { schema: z.ZodType };

// ---- generators ----------------------------------------------------------------------------------

/** Strings with NULs and other control characters made common, plus Korean. */
const hostileText = (maxLength = 24) =>
  fc.string({
    unit: fc.oneof(
      { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 2, arbitrary: fc.constantFrom('\0', '\u0001', '\n', ' ', '\uFEFF', '\u202E') },
      { weight: 2, arbitrary: fc.integer({ min: 0xac00, max: 0xd7a3 }).map((c) => String.fromCharCode(c)) },
    ),
    maxLength,
  });
const withNul = (s: fc.Arbitrary<string>) => fc.tuple(s, fc.nat({ max: 8 })).map(([t, at]) => `${t.slice(0, at)}\0${t.slice(at)}`);
const textField = (good: fc.Arbitrary<string>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: withNul(good) }, { weight: 2, arbitrary: hostileText() }, { weight: 1, arbitrary: fc.anything() });

/** Numbers at every edge a column cares about. */
const hostileNumber = fc.oneof(
  { weight: 3, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      1e-300, 5e-324, 7e-46, 7.1e-46, 1e-45, 1.4e-45, 1e-40, 1.17e-38, 1.2e-38, -0, 0, 100, 100.00000001, 1e306, 1e308,
      Number.MAX_VALUE, Infinity, -Infinity, NaN, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e20, -1,
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
);
const uuid = fc.oneof({ weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: textField(fc.uuid()) });
const deviceId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), textField(fc.constant('esp-1')));
const side = fc.constantFrom('left', 'right', 'LEFT', '', 'left\0', 'middle');

/** ISO times at the edges of what Date / PostgreSQL hold, and random ones. */
const isoTime = fc.oneof(
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:00:00+14:00',
    '2026-02-30T00:00:00Z', '2026-12-02T24:00:00Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '2026-12-02T10:00:00\0Z',
  ),
);
const ts = fc.oneof(hostileNumber, fc.double({ min: 1e9, max: 2e9, noNaN: true }), isoTime);
const ratios = fc.record({ ratio1: hostileNumber, ratio2: hostileNumber, ratio3: hostileNumber, ratio4: hostileNumber, ratio5: hostileNumber, ratio6: hostileNumber });
const goodRatios = fc.record({
  ratio1: fc.double({ min: 0, max: 100, noNaN: true }), ratio2: fc.double({ min: 0, max: 100, noNaN: true }), ratio3: fc.double({ min: 0, max: 100, noNaN: true }),
  ratio4: fc.double({ min: 0, max: 100, noNaN: true }), ratio5: fc.double({ min: 0, max: 100, noNaN: true }), ratio6: fc.double({ min: 0, max: 100, noNaN: true }),
});
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The time a batch sample is stored at, as the FSR ingest computes it (epoch seconds or ISO-8601). */
const sampleMs = (t: number | string) => (typeof t === 'number' ? Math.round(t * 1000) : Date.parse(t));
const realProblems = (s: Record<string, unknown>) =>
  (['ratio1', 'ratio2', 'ratio3', 'ratio4', 'ratio5', 'ratio6'] as const).map((k) => {
    const p = storableReal(s[k] as number);
    return p && `${k} ${p}`;
  });

describe('fuzz: FSR bodies: anything accepted can be stored', () => {
  it('POST /api/fsr_data: ratios fit a real column, strings hold no NUL', () => {
    const body = fc.oneof(
      fc.record({ side, r: fc.oneof(ratios, goodRatios), deviceId: optional(deviceId), sessionId: optional(uuid) }).map(({ r, ...o }) => clean({ ...o, ...r })),
      fc.anything(),
    );
    fc.assert(fc.property(body, (b) => acceptedIsStorable(FsrSampleRequestSchema, b, (v) => realProblems(v))), runs(10_000));
  });

  it('POST /api/fsr_data/batch: every sample fits (ratios real, ts a storable time)', () => {
    const sample = fc.record({ side, r: fc.oneof(ratios, goodRatios), ts }).map(({ r, ...o }) => ({ ...o, ...r }));
    const body = fc
      .record({ deviceId: optional(deviceId), sessionId: optional(uuid), samples: fc.array(sample, { minLength: 0, maxLength: 6 }) })
      .map(clean);
    fc.assert(
      fc.property(body, (b) =>
        acceptedIsStorable(FsrBatchRequestSchema, b, (v) =>
          v.samples.flatMap((s, i) => [...realProblems(s).map((p) => p && `samples[${i}].${p}`), ((p) => p && `samples[${i}].ts ${p}`)(storableTime(sampleMs(s.ts)))]),
        ),
      ),
      runs(10_000),
    );
  });

  it(`a batch of ${FSR_BATCH_MAX_SAMPLES + 1} samples is refused`, () => {
    const s = { side: 'left', ratio1: 1, ratio2: 1, ratio3: 1, ratio4: 1, ratio5: 1, ratio6: 1, ts: 1_800_000_000 };
    assert.equal(FsrBatchRequestSchema.safeParse({ samples: Array.from({ length: FSR_BATCH_MAX_SAMPLES + 1 }, () => s) }).success, false);
  });
});

describe('fuzz: chat messages: anything accepted can be stored', () => {
  it('couple chat socket messages (message / response / read)', () => {
    const msg = fc.oneof(
      fc.record({ type: fc.constant('message'), content: textField(fc.constant('안녕')), clientId: optional(textField(fc.constant('c-1'))) }).map(clean),
      fc.record({ type: fc.constant('response'), content: fc.constantFrom('네', '아니오', '네\0'), session_id: hostileNumber, clientId: optional(textField(fc.constant('c-2'))) }).map(clean),
      fc.record({ type: fc.constant('read'), messageId: hostileNumber }),
      fc.anything(),
    );
    fc.assert(fc.property(msg, (m) => acceptedIsStorable(CoupleClientMessageSchema, m)), runs(10_000));
  });

  it('distributor chat socket messages (chat / spread / read)', () => {
    const msg = fc.oneof(
      fc.record({ type: fc.constantFrom('chat', 'spread'), content: textField(fc.constant('운동 잘 했어요')), clientId: optional(textField(fc.constant('c-1'))) }).map(clean),
      fc.record({ type: fc.constant('read'), messageId: hostileNumber }),
    );
    fc.assert(fc.property(msg, (m) => acceptedIsStorable(DistributorClientMessageSchema, m, () => [])), runs(5_000));
  });

  it('chat REST bodies (rooms, members, people, PT sessions) and the session channel CLIENT_EVENT', () => {
    const t = textField(fc.constant('이름'));
    const cases = fc.oneof(
      fc.record({ room_name: t, couple_id: hostileNumber }).map((b) => [named('CreateRoomRequestSchema', CreateRoomRequestSchema), b] as const),
      fc.record({ user_id: t }).map((b) => [named('AddRoomMemberRequestSchema', AddRoomMemberRequestSchema), b] as const),
      fc.record({ id: t, name: t }).map((b) => [named('UpsertPersonRequestSchema', UpsertPersonRequestSchema), b] as const),
      fc.record({ trainer_id: t, member_id: t }).map((b) => [named('CreatePtSessionRequestSchema', CreatePtSessionRequestSchema), b] as const),
      fc.record({ type: fc.constant('CLIENT_EVENT'), payload: fc.record({ name: t, ts: optional(hostileNumber) }).map(clean) }).map((b) => [named('AppToServerMessageSchema', AppToServerMessageSchema), b] as const),
    );
    fc.assert(fc.property(cases, ([schema, body]) => acceptedIsStorable(schema.schema, body)), runs(10_000));
  });
});

describe('fuzz: control-plane REST bodies: anything accepted can be stored', () => {
  it('POST /api/session, /auth/upgrade, /api/session/{id}/finish, /internal/ai/status', () => {
    const judgement = fc.oneof(fc.constantFrom('good', 'bad', 'null'), textField(fc.constant('good')));
    const email = fc.oneof(fc.emailAddress(), withNul(fc.emailAddress()), fc.emailAddress().map((e) => e.replace('@', '\0@')), textField(fc.constant('a@b.co')));
    const userId = textField(fc.constantFrom('user123', 'b1f3e0a2-7d4c-4c5e-9a51-1f2e3d4c5b6a'));
    const cases = fc.oneof(
      fc.record({ userId }).map((b) => [named('CreateInferenceSessionRequestSchema', CreateInferenceSessionRequestSchema), b] as const),
      fc.record({ userId, sessionId: uuid, email }).map((b) => [named('UpgradeRequestSchema', UpgradeRequestSchema), b] as const),
      fc.record({ framesIn: hostileNumber, framesOut: hostileNumber, durationSeconds: hostileNumber }).map((b) => [named('FinishSessionRequestSchema', FinishSessionRequestSchema), b] as const),
      fc.record({ lumbar: judgement, knee: judgement, ankle: judgement, sessionId: optional(uuid) }).map((b) => [named('AiStatusRequestSchema', AiStatusRequestSchema), clean(b)] as const),
      fc.anything().map((b) => [named('CreateInferenceSessionRequestSchema', CreateInferenceSessionRequestSchema), b] as const),
    );
    fc.assert(fc.property(cases, ([schema, body]) => acceptedIsStorable(schema.schema, body)), runs(10_000));
  });
});

// ---- regressions of docs/robustness.md --------------------------------------------------------------------

describe('regressions: inputs that passed validation but PostgreSQL refused', () => {
  const sample = { side: 'left', ratio1: 10, ratio2: 10, ratio3: 10, ratio4: 10, ratio5: 10, ratio6: 50 };
  it('an FSR sample with ratio 1e-300 is refused (it poisoned every multi-row flush holding it)', () => {
    assert.equal(FsrSampleRequestSchema.safeParse({ ...sample, ratio3: 1e-300 }).success, false);
    assert.equal(FsrBatchRequestSchema.safeParse({ samples: [{ ...sample, ratio3: 1e-300, ts: 1_800_000_000 }] }).success, false);
  });
  it('an FSR batch sample with ts in year 0000 is refused', () => {
    assert.equal(FsrBatchRequestSchema.safeParse({ samples: [{ ...sample, ts: '0000-01-01T00:00:00Z' }] }).success, false);
  });
  it('a chat message whose content holds a NUL byte is refused (it failed the other rooms’ group commit)', () => {
    assert.equal(CoupleClientMessageSchema.safeParse({ type: 'message', content: 'a\0b', clientId: 'c1' }).success, false);
  });
  it('a NUL byte in userId / email of POST /api/session and /auth/upgrade is refused (it answered 500)', () => {
    assert.equal(CreateInferenceSessionRequestSchema.safeParse({ userId: 'u\0' }).success, false);
    const sessionId = '00000000-0000-4000-8000-000000000000';
    assert.equal(UpgradeRequestSchema.safeParse({ userId: 'u\0', sessionId, email: 'a@b.co' }).success, false);
  });
});
