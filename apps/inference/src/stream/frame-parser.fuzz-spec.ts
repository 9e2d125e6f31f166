import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BINARY_FRAME, COCO17, INFERENCE_ERROR_CODES, type Keypoint } from '@squirret/contracts';
import { SquatAnalyzer } from '@squirret/squat';
import { encodeBinaryFrame, parseBinaryMessage, parseTextMessage, type ParsedMessage } from './frame-parser';
import { poseErrorToWire } from './session-registry';
import { StreamSession, type FrameEstimator } from './stream-session';

const SEED = Number(process.env.FUZZ_SEED ?? 1307);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * Number(process.env.FUZZ_SCALE ?? 1))), endOnFailure: true });
const MAX_IMAGE = 4096;
// A fixed server clock, so the run is the same on every day; client times are judged against it.
const NOW_MS = 1_800_000_000_000;
const OPTS = { maxImageBytes: MAX_IMAGE, nowMs: () => NOW_MS };
const DAY_MS = 24 * 3600 * 1000;
const CODES = new Set<string>(Object.keys(INFERENCE_ERROR_CODES));
// Largest time a Date can hold (ms): anything the analyzer, the ledger or a log line may turn into a date.
const MAX_TIME_MS = 8.64e15;

/** The parser's contract for any input: a frame, an auth, or a typed error; never a throw, never a poisoned number. */
function checkContract(p: ParsedMessage): void {
  assert.ok(p.kind === 'frame' || p.kind === 'auth' || p.kind === 'error', p.kind);
  if (p.kind === 'error') {
    assert.ok(CODES.has(p.code), p.code);
    assert.equal(typeof p.message, 'string');
    if (p.frameNumber !== undefined) assert.ok(Number.isSafeInteger(p.frameNumber) && p.frameNumber >= 0, `error echoes frameNumber ${p.frameNumber}`);
  }
  if (p.kind === 'frame') {
    assert.ok(Number.isSafeInteger(p.frameNumber) && p.frameNumber >= 0);
    assert.ok(p.image.length > 0 && p.image.length <= MAX_IMAGE);
    if (p.clientTimeMs !== undefined) {
      assert.ok(Number.isFinite(p.clientTimeMs) && p.clientTimeMs > 0 && p.clientTimeMs <= MAX_TIME_MS, `clientTimeMs ${p.clientTimeMs} is not a time`);
      assert.ok(Math.abs(p.clientTimeMs - NOW_MS) <= DAY_MS, `clientTimeMs ${p.clientTimeMs} is more than a day from the server's clock`);
    }
  }
}

/** Numbers a hostile client puts anywhere a number goes (JSON text, so NaN / Infinity appear as 1e400 or null). */
const hostileNumberText = fc.oneof(
  fc.constantFrom('1e306', '1e308', '1.7976931348623157e308', '1e400', '-1e400', '-0', '0', '-1', '5e-324', '1e-300', 'null', '9007199254740993', '1e20', '4294967296', '1.5', '"7"', 'true', '[]', '{}'),
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : 'null')),
  fc.integer().map(String),
  fc.nat({ max: 2 ** 32 }).map(String),
);
const base64Text = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => JSON.stringify(Buffer.from(b).toString('base64'))),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => JSON.stringify(`data:image/jpeg;base64,${Buffer.from(b).toString('base64')}`)),
  fc.constantFrom('""', '"@@@"', '"abcde"', '"===="', '"data:,"', 'null', '1', JSON.stringify('A'.repeat(6000))),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
);
/** A JSON text shaped like a frame with hostile fields, some missing, some extra. */
const hostileFrameText = fc
  .record({
    type: fc.constantFrom('"frame"', '"auth"', '"FRAME"', 'null', '1', '"video"'),
    frameNumber: fc.option(hostileNumberText, { nil: undefined }),
    image_base64: fc.option(base64Text, { nil: undefined }),
    timestamp: fc.option(hostileNumberText, { nil: undefined }),
    token: fc.option(fc.oneof(fc.string({ maxLength: 30 }).map((s) => JSON.stringify(s)), fc.constant(JSON.stringify('x'.repeat(9000)))), { nil: undefined }),
  })
  .map((r) => `{${Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => `"${k}":${v}`).join(',')}}`);

describe('fuzz: inference frame parser (JSON and binary SQF1)', () => {
  it('any text, any JSON value and any hostile frame-shaped JSON gets a frame, an auth or a typed error', () => {
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''), hostileFrameText, hostileFrameText);
    fc.assert(
      fc.property(text, (t) => checkContract(parseTextMessage(t, OPTS))),
      runs(20_000),
    );
  });

  it('good JSON frames round trip: number, image bytes and time (s -> ms)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.option(fc.double({ min: (NOW_MS - DAY_MS) / 1000 + 1, max: (NOW_MS + DAY_MS) / 1000 - 1, noNaN: true }), { nil: undefined }),
        (frameNumber, image, timestamp) => {
          const p = parseTextMessage(JSON.stringify({ type: 'frame', frameNumber, image_base64: Buffer.from(image).toString('base64'), timestamp }), OPTS);
          checkContract(p);
          assert.equal(p.kind, 'frame');
          if (p.kind !== 'frame') return;
          assert.equal(p.frameNumber, frameNumber);
          assert.ok(p.image.equals(Buffer.from(image)));
          assert.equal(p.clientTimeMs, timestamp === undefined ? undefined : timestamp * 1000);
        },
      ),
      runs(5_000),
    );
  });

  it('any bytes, and any SQF1 header with hostile float64 / uint32 values, get a frame or a typed error', () => {
    const hostileDouble = fc.oneof(
      fc.double(),
      fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, NaN, -0, 0, 8.64e15 + 1, 1e306),
    );
    const sqf1 = fc
      .tuple(fc.nat({ max: 2 ** 32 - 1 }), hostileDouble, fc.uint8Array({ maxLength: 64 }), fc.boolean())
      .map(([n, ts, img, nanBits]) => {
        const frame = encodeBinaryFrame(n, ts, Buffer.from(img));
        // A NaN with a payload, as a C client may write it.
        if (nanBits) frame.writeUInt32LE(0x7ff80001, 12);
        return frame;
      });
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), sqf1, sqf1);
    fc.assert(
      fc.property(bytes, (b) => checkContract(parseBinaryMessage(b, OPTS))),
      runs(20_000),
    );
  });

  it('good binary frames round trip through encodeBinaryFrame', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.double({ min: NOW_MS - DAY_MS + 1, max: NOW_MS + DAY_MS - 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 512 }), (n, ts, img) => {
        const p = parseBinaryMessage(encodeBinaryFrame(n, ts, Buffer.from(img)), OPTS);
        checkContract(p);
        assert.ok(p.kind === 'frame');
        assert.deepEqual([p.frameNumber, p.clientTimeMs, p.encoding, p.image.equals(Buffer.from(img))], [n, ts, 'binary', true]);
        assert.equal(encodeBinaryFrame(n, ts, Buffer.from(img)).length, BINARY_FRAME.headerBytes + img.length);
      }),
      runs(5_000),
    );
  });
});

// ---- regressions of docs/robustness.md ("one input takes the platform down or poisons it") -----------------

const standing: Keypoint[] = COCO17.map((name, i) => ({ name, x: 0.5, y: 0.1 + i * 0.05, score: 0.9 }));
const instant: FrameEstimator = { estimate: async () => ({ keypoints: standing, inferenceMs: 1 }) };
const tick = () => new Promise((r) => setImmediate(r));

/** Runs the parsed messages through one StreamSession, frame by frame, and returns what it answered. */
async function stream(messages: ParsedMessage[]): Promise<Record<string, unknown>[]> {
  const sent: Record<string, unknown>[] = [];
  let clock = 1_000;
  const s = new StreamSession('s-fuzz', new SquatAnalyzer(), instant, poseErrorToWire, () => (clock += 33));
  s.attach({ send: (m) => void sent.push(m as unknown as Record<string, unknown>), analysed: () => undefined });
  for (const m of messages) {
    if (m.kind === 'frame') s.offer(m);
    else sent.push({ type: 'error', code: m.kind === 'error' ? m.code : 'AUTH' });
    await tick();
    await s.idle();
  }
  return sent;
}

describe('regressions: a hostile timestamp never poisons the session', () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64');
  const good = (n: number) => parseTextMessage(JSON.stringify({ type: 'frame', frameNumber: n, image_base64: jpeg, timestamp: NOW_MS / 1000 + n / 30 }), OPTS);

  it('a JSON frame with timestamp 1e306 is refused or ignored, and the frames after it are analysed', async () => {
    const bad = parseTextMessage(JSON.stringify({ type: 'frame', frameNumber: 1, image_base64: jpeg, timestamp: 1e306 }), OPTS);
    const sent = await stream([good(0), bad, good(2), good(3)]);
    const later = sent.filter((m) => m.frameNumber === 2 || m.frameNumber === 3);
    assert.deepEqual(later.map((m) => m.type), ['analysis', 'analysis'], JSON.stringify(sent.map((m) => [m.type, m.code])));
    checkContract(bad);
  });

  it('a binary frame whose float64 timestamp is 1e308 is refused or ignored, and the frames after it are analysed', async () => {
    const img = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const bin = (n: number, ts: number) => parseBinaryMessage(encodeBinaryFrame(n, ts, img), OPTS);
    const bad = bin(1, 1e308);
    const sent = await stream([bin(0, NOW_MS), bad, bin(2, NOW_MS + 66), bin(3, NOW_MS + 99)]);
    const later = sent.filter((m) => m.frameNumber === 2 || m.frameNumber === 3);
    assert.deepEqual(later.map((m) => m.type), ['analysis', 'analysis'], JSON.stringify(sent.map((m) => [m.type, m.code])));
    checkContract(bad);
  });
});
