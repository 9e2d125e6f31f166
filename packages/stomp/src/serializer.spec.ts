import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createFrame, header } from './frame';
import { StompParser } from './parser';
import { serializeFrame } from './serializer';

function text(buf: Buffer): string {
  return buf.toString('utf8');
}

describe('serializeFrame', () => {
  it('writes command, headers, blank line, body and NUL with LF endings', () => {
    const out = serializeFrame(createFrame('RECEIPT', [['receipt-id', 'r-1']]));
    assert.equal(text(out), 'RECEIPT\nreceipt-id:r-1\n\n\0');
  });

  it('adds content-length in bytes (not characters) when there is a body', () => {
    const body = '{"msg":"안녕하세요"}';
    const out = serializeFrame(createFrame('MESSAGE', [['destination', '/topic/a']], body));
    assert.equal(text(out), `MESSAGE\ndestination:/topic/a\ncontent-length:${Buffer.byteLength(body)}\n\n${body}\0`);
    assert.equal(Buffer.byteLength(body), 25);
  });

  it('adds no content-length to an empty body', () => {
    assert.equal(text(serializeFrame(createFrame('RECEIPT', [['receipt-id', '1']]))), 'RECEIPT\nreceipt-id:1\n\n\0');
  });

  it('keeps a content-length the caller already gave', () => {
    const out = serializeFrame(createFrame('MESSAGE', [['content-length', '2']], 'hi'));
    assert.equal(text(out), 'MESSAGE\ncontent-length:2\n\nhi\0');
  });

  it('escapes header names and values of ordinary frames', () => {
    const out = serializeFrame(createFrame('MESSAGE', [['we:ird\n', 'a:b\nc\\d\re']]));
    assert.equal(text(out), 'MESSAGE\nwe\\cird\\n:a\\cb\\nc\\\\d\\re\n\n\0');
  });

  it('never escapes CONNECTED (or CONNECT) headers', () => {
    const out = serializeFrame(createFrame('CONNECTED', [['server', 'squirret\\1'], ['version', '1.2']]));
    assert.equal(text(out), 'CONNECTED\nserver:squirret\\1\nversion:1.2\n\n\0');
    const connect = serializeFrame(createFrame('CONNECT', [['passcode', 'a\\cb']]));
    assert.equal(text(connect), 'CONNECT\npasscode:a\\cb\n\n\0');
  });

  it('refuses to write an unescaped header that would forge a line', () => {
    assert.throws(() => serializeFrame(createFrame('CONNECTED', [['server', 'x\nversion:9']])), RangeError);
    assert.throws(() => serializeFrame(createFrame('CONNECTED', [['ser:ver', 'x']])), RangeError);
    assert.throws(() => serializeFrame(createFrame('MESSAGE', [['a', 'b\r']]), { escapeHeaders: false }), RangeError);
  });

  it('writes raw headers when escaping is off (STOMP 1.0)', () => {
    const out = serializeFrame(createFrame('MESSAGE', [['destination', 'a\\b']]), { escapeHeaders: false });
    assert.equal(text(out), 'MESSAGE\ndestination:a\\b\n\n\0');
  });

  it('round-trips through the parser, including NULs in the body and special characters in values', () => {
    const body = Buffer.from([1, 0, 2, 0, 0, 3]);
    const frame = createFrame(
      'MESSAGE',
      [
        ['destination', '/topic/a:b'],
        ['note', 'line1\nline2\r\\end'],
        ['note', 'second'],
      ],
      body,
    );
    const result = new StompParser().push(serializeFrame(frame));
    assert.equal(result.error, undefined);
    const [parsed] = result.frames;
    assert.ok(parsed);
    assert.equal(parsed.command, 'MESSAGE');
    assert.deepEqual(parsed.body, body);
    assert.equal(header(parsed, 'destination'), '/topic/a:b');
    assert.equal(header(parsed, 'note'), 'line1\nline2\r\\end');
    assert.deepEqual(parsed.headers.slice(0, 3), frame.headers);
    assert.equal(header(parsed, 'content-length'), '6');
  });

  it('emits no CR anywhere in the head', () => {
    const out = serializeFrame(createFrame('ERROR', [['message', 'bad\r\nthing']], 'x'));
    const head = out.subarray(0, out.indexOf('\n\n'));
    assert.equal(head.includes('\r'), false);
  });
});
