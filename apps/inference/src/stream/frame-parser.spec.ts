import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeBinaryFrame, parseBinaryMessage, parseTextMessage } from './frame-parser';

/** The server's clock in these tests: the seed example's timestamp. */
const NOW_MS = 1730892345250;
const opts = { maxImageBytes: 1024, nowMs: () => NOW_MS };
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const frame = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'frame', frameNumber: 7, image_base64: JPEG.toString('base64'), timestamp: 1730892345.25, ...over });

describe('parseTextMessage', () => {
  it('reads the seed frame: number, image bytes, timestamp seconds -> ms', () => {
    const p = parseTextMessage(frame(), opts);
    assert.equal(p.kind, 'frame');
    if (p.kind !== 'frame') return;
    assert.deepEqual([p.frameNumber, p.clientTimeMs, p.encoding], [7, 1730892345250, 'json']);
    assert.ok(p.image.equals(JPEG));
  });

  it('accepts a data URL prefix and a missing timestamp', () => {
    const p = parseTextMessage(frame({ image_base64: `data:image/jpeg;base64,${JPEG.toString('base64')}`, timestamp: undefined }), opts);
    assert.equal(p.kind === 'frame' && p.clientTimeMs, undefined);
    assert.ok(p.kind === 'frame' && p.image.equals(JPEG));
  });

  it('reads an in-band auth message', () => {
    assert.deepEqual(parseTextMessage('{"type":"auth","token":"a.b.c"}', opts), { kind: 'auth', token: 'a.b.c' });
  });

  const cases: [string, string, string, number | undefined][] = [
    ['malformed JSON', '{"type":"frame",', 'MALFORMED_JSON', undefined],
    ['not an object', '42', 'UNKNOWN_TYPE', undefined],
    ['unknown type', '{"type":"video"}', 'UNKNOWN_TYPE', undefined],
    ['missing image', JSON.stringify({ type: 'frame', frameNumber: 3 }), 'INVALID_FRAME', 3],
    ['negative frame number', frame({ frameNumber: -1 }), 'INVALID_FRAME', -1],
    ['fractional frame number', frame({ frameNumber: 1.5 }), 'INVALID_FRAME', undefined],
    ['empty image', frame({ image_base64: '' }), 'INVALID_FRAME', 7],
    ['invalid base64', frame({ image_base64: '@@@not base64@@@' }), 'INVALID_BASE64', 7],
    ['truncated base64', frame({ image_base64: 'abcde' }), 'INVALID_BASE64', 7],
    ['image over the limit', frame({ image_base64: Buffer.alloc(2000).toString('base64') }), 'IMAGE_TOO_LARGE', 7],
    ['auth without token', '{"type":"auth"}', 'INVALID_FRAME', undefined],
  ];
  for (const [name, text, code, frameNumber] of cases) {
    it(`refuses ${name} with ${code}`, () => {
      const p = parseTextMessage(text, opts);
      assert.equal(p.kind, 'error');
      if (p.kind !== 'error') return;
      assert.equal(p.code, code);
      assert.equal(p.frameNumber, frameNumber === -1 ? undefined : frameNumber);
    });
  }
});

describe('binary frames', () => {
  it('round-trips the 16-byte header', () => {
    const p = parseBinaryMessage(encodeBinaryFrame(42, 1730892345250, JPEG), opts);
    assert.equal(p.kind, 'frame');
    if (p.kind !== 'frame') return;
    assert.deepEqual([p.frameNumber, p.clientTimeMs, p.encoding], [42, 1730892345250, 'binary']);
    assert.ok(p.image.equals(JPEG));
  });

  it('uses the server clock when the timestamp is 0', () => {
    const p = parseBinaryMessage(encodeBinaryFrame(1, 0, JPEG), opts);
    assert.equal(p.kind === 'frame' && p.clientTimeMs, undefined);
  });

  it('refuses a short message, a wrong magic, no image and an oversize image', () => {
    const bad: [Buffer, string][] = [
      [Buffer.from('SQF1'), 'INVALID_FRAME'],
      [Buffer.concat([Buffer.from('JPEG'), Buffer.alloc(20)]), 'INVALID_FRAME'],
      [encodeBinaryFrame(1, 0, Buffer.alloc(0)), 'INVALID_IMAGE'],
      [encodeBinaryFrame(1, 0, Buffer.alloc(2000)), 'IMAGE_TOO_LARGE'],
    ];
    for (const [data, code] of bad) {
      const p = parseBinaryMessage(data, opts);
      assert.equal(p.kind === 'error' && p.code, code);
    }
  });
});

describe('timestamps out of range (docs/robustness.md reproducers)', () => {
  it('refuses a JSON frame whose timestamp is 1e306 (Infinity in ms) with INVALID_FRAME and its frame number', () => {
    const p = parseTextMessage(frame({ timestamp: 1e306 }), opts);
    assert.deepEqual(p.kind === 'error' && [p.code, p.frameNumber], ['INVALID_FRAME', 7]);
  });

  it('refuses a binary frame whose float64 header is 1e308, NaN, Infinity or negative', () => {
    for (const ts of [1e308, Number.NaN, Number.POSITIVE_INFINITY, -1, -1e308]) {
      const p = parseBinaryMessage(encodeBinaryFrame(9, ts, JPEG), opts);
      assert.deepEqual(p.kind === 'error' && [p.code, p.frameNumber], ['INVALID_FRAME', 9], String(ts));
    }
  });

  it('refuses timestamps more than a day away from the server clock, accepts those within', () => {
    const day = 24 * 3600 * 1000;
    assert.equal(parseBinaryMessage(encodeBinaryFrame(1, NOW_MS + day + 1, JPEG), opts).kind, 'error');
    assert.equal(parseBinaryMessage(encodeBinaryFrame(1, NOW_MS - day - 1, JPEG), opts).kind, 'error');
    assert.equal(parseBinaryMessage(encodeBinaryFrame(1, NOW_MS + day - 1, JPEG), opts).kind, 'frame');
    assert.equal(parseTextMessage(frame({ timestamp: (NOW_MS - day + 1000) / 1000 }), opts).kind, 'frame');
    assert.equal(parseTextMessage(frame({ timestamp: 1730892.345 }), opts).kind, 'error', 'milliseconds sent as seconds');
  });

  it('refuses a JSON frame whose image_base64 is only a data URL prefix (found by the fuzz tier)', () => {
    const r = parseTextMessage(JSON.stringify({ type: 'frame', frameNumber: 3, image_base64: 'data:,', timestamp: 0 }), 4096);
    assert.equal(r.kind, 'error');
    assert.equal(r.kind === 'error' && r.code, 'INVALID_IMAGE');
  });

  it('echoes frameNumber on an error only when it is a safe integer (found by the fuzz tier)', () => {
    const r = parseTextMessage('{"type":"frame","frameNumber":1e300}', 4096);
    assert.equal(r.kind, 'error');
    assert.equal(r.kind === 'error' && r.frameNumber, undefined);
  });
});
