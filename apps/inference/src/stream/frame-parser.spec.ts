import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { encodeBinaryFrame, parseBinaryMessage, parseTextMessage } from './frame-parser';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const frame = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'frame', frameNumber: 7, image_base64: JPEG.toString('base64'), timestamp: 1730892345.25, ...over });

describe('parseTextMessage', () => {
  it('reads the seed frame: number, image bytes, timestamp seconds -> ms', () => {
    const p = parseTextMessage(frame(), 1024);
    assert.equal(p.kind, 'frame');
    if (p.kind !== 'frame') return;
    assert.deepEqual([p.frameNumber, p.clientTimeMs, p.encoding], [7, 1730892345250, 'json']);
    assert.ok(p.image.equals(JPEG));
  });

  it('accepts a data URL prefix and a missing timestamp', () => {
    const p = parseTextMessage(frame({ image_base64: `data:image/jpeg;base64,${JPEG.toString('base64')}`, timestamp: undefined }), 1024);
    assert.equal(p.kind === 'frame' && p.clientTimeMs, undefined);
    assert.ok(p.kind === 'frame' && p.image.equals(JPEG));
  });

  it('reads an in-band auth message', () => {
    assert.deepEqual(parseTextMessage('{"type":"auth","token":"a.b.c"}', 1024), { kind: 'auth', token: 'a.b.c' });
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
      const p = parseTextMessage(text, 1024);
      assert.equal(p.kind, 'error');
      if (p.kind !== 'error') return;
      assert.equal(p.code, code);
      assert.equal(p.frameNumber, frameNumber === -1 ? undefined : frameNumber);
    });
  }
});

describe('binary frames', () => {
  it('round-trips the 16-byte header', () => {
    const p = parseBinaryMessage(encodeBinaryFrame(42, 1730892345250, JPEG), 1024);
    assert.equal(p.kind, 'frame');
    if (p.kind !== 'frame') return;
    assert.deepEqual([p.frameNumber, p.clientTimeMs, p.encoding], [42, 1730892345250, 'binary']);
    assert.ok(p.image.equals(JPEG));
  });

  it('uses the server clock when the timestamp is 0', () => {
    const p = parseBinaryMessage(encodeBinaryFrame(1, 0, JPEG), 1024);
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
      const p = parseBinaryMessage(data, 1024);
      assert.equal(p.kind === 'error' && p.code, code);
    }
  });
});
