import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { header, type StompFrame } from './frame';
import { ParseErrorCode } from './parse-error';
import { StompParser, type ParseResult } from './parser';
import type { StompLimits } from './limits';
import { stompClientLib, stompJs } from './testing/client-frames';

const KOREAN_JSON = '{"type":"CLIENT_EVENT","name":"스쿼트 시작","ts":1}';

/** Pushes chunks one after another and merges what came out. */
function feed(parser: StompParser, chunks: readonly (Buffer | string)[]): ParseResult {
  const frames: StompFrame[] = [];
  let heartbeats = 0;
  for (const chunk of chunks) {
    const r = parser.push(chunk);
    frames.push(...r.frames);
    heartbeats += r.heartbeats;
    if (r.error) return { frames, heartbeats, error: r.error };
  }
  return { frames, heartbeats };
}

function parseOne(data: Buffer | string, limits?: Partial<StompLimits>): StompFrame {
  const result = new StompParser(limits).push(data);
  assert.equal(result.error, undefined, result.error?.message);
  assert.equal(result.frames.length, 1);
  return result.frames[0] as StompFrame;
}

function parseError(data: Buffer | string | readonly (Buffer | string)[], limits?: Partial<StompLimits>) {
  const chunks = Array.isArray(data) ? data : [data as Buffer | string];
  const result = feed(new StompParser(limits), chunks);
  assert.ok(result.error, 'expected a parse error');
  return result.error;
}

function assertSameFrame(actual: StompFrame | undefined, expected: StompFrame): void {
  assert.ok(actual);
  assert.equal(actual.command, expected.command);
  assert.deepEqual(actual.headers, expected.headers);
  assert.deepEqual(actual.body, expected.body);
}

describe('StompParser: real client frames', () => {
  it('reads the StompClientLib CONNECT byte for byte', () => {
    const frame = parseOne('CONNECT\naccept-version:1.1,1.2\n\n\0');
    assert.equal(frame.command, 'CONNECT');
    assert.deepEqual(frame.headers, [['accept-version', '1.1,1.2']]);
    assert.equal(frame.body.length, 0);
  });

  it('reads the StompClientLib SUBSCRIBE whose id is the destination', () => {
    const frame = parseOne(stompClientLib.subscribe('/topic/session/abc'));
    assert.deepEqual(frame.headers, [
      ['destination', '/topic/session/abc'],
      ['ack', 'auto'],
      ['id', '/topic/session/abc'],
    ]);
  });

  it('reads the StompClientLib JSON SEND with a UTF-8 byte content-length', () => {
    const wire = stompClientLib.sendJson('/app/session/abc/event', KOREAN_JSON);
    assert.ok(wire.includes(`content-length:${Buffer.byteLength(KOREAN_JSON)}\n`));
    assert.notEqual(Buffer.byteLength(KOREAN_JSON), KOREAN_JSON.length);
    const frame = parseOne(wire);
    assert.equal(frame.command, 'SEND');
    assert.equal(header(frame, 'content-type'), 'application/json;charset=UTF-8');
    assert.equal(header(frame, 'destination'), '/app/session/abc/event');
    assert.equal(frame.body.toString('utf8'), KOREAN_JSON);
    assert.deepEqual(JSON.parse(frame.body.toString('utf8')), { type: 'CLIENT_EVENT', name: '스쿼트 시작', ts: 1 });
  });

  it('reads the stompjs CONNECT, SUBSCRIBE, SEND and DISCONNECT', () => {
    assert.deepEqual(parseOne(stompJs.connect()).headers, [
      ['accept-version', '1.2,1.1,1.0'],
      ['heart-beat', '10000,10000'],
    ]);
    assert.deepEqual(parseOne(stompJs.subscribe('sub-0', '/topic/a')).headers, [
      ['id', 'sub-0'],
      ['destination', '/topic/a'],
    ]);
    const send = parseOne(stompJs.publishJson('/app/a', KOREAN_JSON));
    assert.equal(send.body.toString(), KOREAN_JSON);
    assert.deepEqual(parseOne(stompJs.disconnect('close-1')).headers, [['receipt', 'close-1']]);
  });

  it('reads a stompjs binary SEND whose body holds NULs', () => {
    const body = Buffer.from([0, 1, 0, 255, 0]);
    const frame = parseOne(stompJs.publishBinary('/app/bin', body));
    assert.deepEqual(frame.body, body);
  });
});

describe('StompParser: chunking', () => {
  const samples: [string, Buffer][] = [
    ['StompClientLib SEND with a Korean body', Buffer.from(stompClientLib.sendJson('/app/x', KOREAN_JSON))],
    ['stompjs CONNECT', Buffer.from(stompJs.connect())],
    ['content-length body with NULs', stompJs.publishBinary('/app/bin', Buffer.from([0, 0, 7, 0]))],
    ['CRLF frame without content-length', Buffer.from('SEND\r\ndestination:/a\r\nx:y\\cz\r\n\r\nhello\0')],
  ];

  for (const [name, wire] of samples) {
    it(`gives the same frame for every single split point: ${name}`, () => {
      const expected = parseOne(wire);
      for (let at = 0; at <= wire.length; at++) {
        const result = feed(new StompParser(), [wire.subarray(0, at), wire.subarray(at)]);
        assert.equal(result.error, undefined, `split at ${at}`);
        assert.equal(result.frames.length, 1, `split at ${at}`);
        assertSameFrame(result.frames[0], expected);
      }
    });
  }

  it('gives the same frame for every pair of split points (three chunks)', () => {
    const wire = Buffer.from(stompClientLib.sendJson('/app/x', '{"a":"가"}'));
    const expected = parseOne(wire);
    for (let i = 0; i <= wire.length; i++) {
      for (let j = i; j <= wire.length; j++) {
        const result = feed(new StompParser(), [wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)]);
        assert.equal(result.frames.length, 1, `split at ${i},${j}`);
        assertSameFrame(result.frames[0], expected);
      }
    }
  });

  it('survives one byte at a time across several frames and heart-beats', () => {
    const wire = Buffer.from(`\n${stompJs.connect()}\r\n\n${stompClientLib.sendJson('/a', KOREAN_JSON)}\n`);
    const chunks = [...wire].map((b) => Buffer.from([b]));
    const result = feed(new StompParser(), chunks);
    assert.equal(result.error, undefined);
    assert.deepEqual(
      result.frames.map((f) => f.command),
      ['CONNECT', 'SEND'],
    );
    assert.equal(result.heartbeats, 4);
    assert.equal(result.frames[1]?.body.toString(), KOREAN_JSON);
  });

  it('does not keep references to the caller’s chunk for partial data', () => {
    const parser = new StompParser();
    const chunk = Buffer.from('SEND\ndestination:/a\n\nhel');
    parser.push(chunk);
    chunk.fill(0x21);
    const result = parser.push('lo\0');
    assert.equal(result.frames[0]?.body.toString(), 'hello');
    assert.equal(header(result.frames[0] as StompFrame, 'destination'), '/a');
  });

  it('accepts string chunks', () => {
    const parser = new StompParser();
    assert.equal(parser.push('SEND\ndestination:/가\n').frames.length, 0);
    const frame = parser.push('\n나\0').frames[0];
    assert.equal(frame?.body.toString(), '나');
    assert.equal(header(frame as StompFrame, 'destination'), '/가');
  });

  it('returns nothing for an empty chunk', () => {
    assert.deepEqual(new StompParser().push(Buffer.alloc(0)), { frames: [], heartbeats: 0 });
  });
});

describe('StompParser: frames and heart-beats in one chunk', () => {
  it('returns several frames from one push, in order', () => {
    const wire =
      stompJs.subscribe('sub-0', '/topic/a') + stompJs.publishJson('/app/a', '{}') + stompJs.disconnect('close-1');
    const result = new StompParser().push(wire);
    assert.deepEqual(
      result.frames.map((f) => f.command),
      ['SUBSCRIBE', 'SEND', 'DISCONNECT'],
    );
    assert.equal(result.heartbeats, 0);
  });

  it('counts bare LF and CRLF between frames as heart-beats', () => {
    const result = new StompParser().push(`\n\r\n${stompJs.disconnect('r')}\n\n\r\n`);
    assert.equal(result.frames.length, 1);
    assert.equal(result.heartbeats, 5);
  });

  it('reports a lone heart-beat', () => {
    assert.deepEqual(new StompParser().push('\n'), { frames: [], heartbeats: 1 });
    const parser = new StompParser();
    assert.equal(parser.push('\r').heartbeats, 0);
    assert.equal(parser.push('\n').heartbeats, 1);
  });

  it('returns the frames before a bad one together with the error', () => {
    const result = new StompParser().push(`${stompJs.disconnect('a')}SEND\nbad\n\n\0`);
    assert.equal(result.frames.length, 1);
    assert.equal(result.error?.code, ParseErrorCode.MALFORMED_FRAME);
  });
});

describe('StompParser: line endings', () => {
  it('accepts CRLF everywhere and strips the CR', () => {
    const frame = parseOne('SUBSCRIBE\r\nid:0\r\ndestination:/a\r\n\r\n\0');
    assert.equal(frame.command, 'SUBSCRIBE');
    assert.deepEqual(frame.headers, [
      ['id', '0'],
      ['destination', '/a'],
    ]);
  });

  it('accepts LF and CRLF mixed in one frame', () => {
    const frame = parseOne('SEND\ndestination:/a\r\nx:1\n\r\nbody\0');
    assert.deepEqual(frame.headers, [
      ['destination', '/a'],
      ['x', '1'],
    ]);
    assert.equal(frame.body.toString(), 'body');
  });

  it('keeps CR and LF inside a body', () => {
    assert.equal(parseOne('SEND\ndestination:/a\n\nline1\r\nline2\n\0').body.toString(), 'line1\r\nline2\n');
  });

  it('refuses a CR between frames that is not followed by LF', () => {
    assert.equal(parseError('\rX').code, ParseErrorCode.MALFORMED_FRAME);
  });
});

describe('StompParser: bodies', () => {
  it('reads a content-length body containing NULs and needs the NUL after it', () => {
    const frame = parseOne(Buffer.from('SEND\ndestination:/a\ncontent-length:5\n\na\0b\0c\0'));
    assert.deepEqual(frame.body, Buffer.from('a\0b\0c'));
  });

  it('refuses a content-length body not followed by NUL', () => {
    const error = parseError('SEND\ndestination:/a\ncontent-length:2\n\nabc\0');
    assert.equal(error.code, ParseErrorCode.MISSING_NUL);
  });

  it('reads a body without content-length up to the first NUL, the rest being the next frame', () => {
    const result = new StompParser().push('SEND\ndestination:/a\n\nab\0DISCONNECT\n\n\0');
    assert.equal(result.frames[0]?.body.toString(), 'ab');
    assert.equal(result.frames[1]?.command, 'DISCONNECT');
  });

  it('reads content-length:0 and an empty body without content-length', () => {
    assert.equal(parseOne('SEND\ncontent-length:0\n\n\0').body.length, 0);
    assert.equal(parseOne('SEND\n\n\0').body.length, 0);
  });

  it('uses the first content-length when it repeats', () => {
    const frame = parseOne('SEND\ncontent-length:3\ncontent-length:1\n\na\0b\0');
    assert.deepEqual(frame.body, Buffer.from('a\0b'));
  });

  for (const bad of ['-1', 'abc', '1.5', ' 5', '5 ', '', '0x10', '+3']) {
    it(`refuses content-length ${JSON.stringify(bad)}`, () => {
      assert.equal(parseError(`SEND\ncontent-length:${bad}\n\nab\0`).code, ParseErrorCode.INVALID_CONTENT_LENGTH);
    });
  }
});

describe('StompParser: headers and escaping', () => {
  it('keeps repeated headers in order; the first wins when reading', () => {
    const frame = parseOne('MESSAGE\nfoo:World\nfoo:Hello\n\n\0');
    assert.deepEqual(frame.headers, [
      ['foo', 'World'],
      ['foo', 'Hello'],
    ]);
    assert.equal(header(frame, 'foo'), 'World');
  });

  it('splits a header at the first colon only after unescaping', () => {
    const frame = parseOne('SEND\nurl:http\\c//x\\c80/a\nplain:a:b\n\n\0');
    assert.equal(header(frame, 'url'), 'http://x:80/a');
    // A raw colon in a value is tolerated (the first colon ends the name).
    assert.equal(header(frame, 'plain'), 'a:b');
  });

  it('decodes \\r \\n \\c \\\\ in names and values', () => {
    const frame = parseOne('SEND\nna\\cme:v\\r\\n\\c\\\\\n\n\0');
    assert.deepEqual(frame.headers, [['na:me', 'v\r\n:\\']]);
  });

  it('keeps empty values and values with spaces as sent (no trimming in 1.2)', () => {
    const frame = parseOne('SEND\nempty:\nspaced: x \n\n\0');
    assert.deepEqual(frame.headers, [
      ['empty', ''],
      ['spaced', ' x '],
    ]);
  });

  for (const bad of ['\\t', '\\', '\\C', 'a\\ b']) {
    it(`refuses the undefined escape ${JSON.stringify(bad)}`, () => {
      const error = parseError(`SEND\ndestination:${bad}\n\n\0`);
      assert.equal(error.code, ParseErrorCode.INVALID_ESCAPE);
    });
  }

  it('does not unescape CONNECT headers (a backslash in a passcode stays raw)', () => {
    const frame = parseOne('CONNECT\naccept-version:1.2\nlogin:a\\cb\npasscode:p\\t\\\\w\n\n\0');
    assert.equal(header(frame, 'login'), 'a\\cb');
    assert.equal(header(frame, 'passcode'), 'p\\t\\\\w');
  });

  it('does not unescape CONNECTED headers either', () => {
    assert.equal(header(parseOne('CONNECTED\nserver:x\\c1\n\n\0'), 'server'), 'x\\c1');
  });

  it('unescapes STOMP frames (only CONNECT and CONNECTED are exempt)', () => {
    assert.equal(header(parseOne('STOMP\nhost:a\\cb\n\n\0'), 'host'), 'a:b');
  });

  it('leaves escapes alone when unescaping is off (STOMP 1.0)', () => {
    const parser = new StompParser({}, { unescapeHeaders: false });
    assert.equal(header(parser.push('SEND\nd:a\\cb\\t\n\n\0').frames[0] as StompFrame, 'd'), 'a\\cb\\t');
  });

  it('refuses a header line without a colon or with an empty name', () => {
    assert.equal(parseError('SEND\nnocolon\n\n\0').code, ParseErrorCode.MALFORMED_FRAME);
    assert.equal(parseError('SEND\n:value\n\n\0').code, ParseErrorCode.MALFORMED_FRAME);
  });

  it('refuses a NUL inside the headers or where a command should start', () => {
    assert.equal(parseError('SEND\ndestination:/a\0\n\n\0').code, ParseErrorCode.MALFORMED_FRAME);
    assert.equal(parseError('CONNECT\n\0').code, ParseErrorCode.MALFORMED_FRAME);
    assert.equal(parseError('\0').code, ParseErrorCode.MALFORMED_FRAME);
  });

  it('refuses headers that are not UTF-8', () => {
    const wire = Buffer.concat([Buffer.from('SEND\nd:'), Buffer.from([0xc3, 0x28]), Buffer.from('\n\n\0')]);
    assert.equal(parseError(wire).code, ParseErrorCode.INVALID_UTF8);
  });

  it('accepts a UTF-8 character split between two chunks inside a header', () => {
    const wire = Buffer.from('SEND\ndestination:/방\n\n\0');
    const at = wire.indexOf(Buffer.from('방')) + 1;
    const result = feed(new StompParser(), [wire.subarray(0, at), wire.subarray(at)]);
    assert.equal(header(result.frames[0] as StompFrame, 'destination'), '/방');
  });
});

describe('StompParser: limits', () => {
  const small: Partial<StompLimits> = { maxFrameBytes: 64, maxHeaders: 3, maxHeaderLineBytes: 16, maxBodyBytes: 32 };

  it('accepts a frame of exactly maxFrameBytes and refuses one byte more', () => {
    const head = 'SEND\n\n';
    const fits = `${head}${'x'.repeat(64 - head.length - 1)}\0`;
    assert.equal(fits.length, 64);
    assert.equal(parseOne(fits, { ...small, maxBodyBytes: 64 }).body.length, 57);
    const over = `${head}${'x'.repeat(64 - head.length)}\0`;
    assert.equal(parseError(over, { ...small, maxBodyBytes: 64 }).code, ParseErrorCode.FRAME_TOO_LARGE);
  });

  it('refuses a declared content-length over the frame limit before reading the body', () => {
    const parser = new StompParser({ ...small, maxBodyBytes: 1000, maxHeaderLineBytes: 64 });
    const result = parser.push('SEND\ncontent-length:100\n\n');
    assert.equal(result.error?.code, ParseErrorCode.FRAME_TOO_LARGE);
  });

  it('refuses a declared content-length over the body limit before reading the body', () => {
    const limits = { ...small, maxHeaderLineBytes: 64 };
    const result = new StompParser(limits).push('SEND\ncontent-length:33\n\n');
    assert.equal(result.error?.code, ParseErrorCode.BODY_TOO_LARGE);
    const huge = new StompParser(limits).push('SEND\ncontent-length:99999999999999999999\n\n');
    assert.equal(huge.error?.code, ParseErrorCode.BODY_TOO_LARGE);
  });

  it('accepts a body of exactly maxBodyBytes and refuses one byte more (no content-length)', () => {
    assert.equal(parseOne(`SEND\n\n${'b'.repeat(32)}\0`, small).body.length, 32);
    assert.equal(parseError(`SEND\n\n${'b'.repeat(33)}\0`, small).code, ParseErrorCode.BODY_TOO_LARGE);
  });

  it('accepts maxHeaders headers and refuses one more', () => {
    assert.equal(parseOne('SEND\na:1\nb:2\nc:3\n\n\0', small).headers.length, 3);
    assert.equal(parseError('SEND\na:1\nb:2\nc:3\nd:4\n\n\0', small).code, ParseErrorCode.TOO_MANY_HEADERS);
  });

  it('accepts a header line of exactly maxHeaderLineBytes (LF or CRLF) and refuses one byte more', () => {
    const line = `k:${'v'.repeat(14)}`;
    assert.equal(line.length, 16);
    assert.equal(parseOne(`SEND\n${line}\n\n\0`, small).headers.length, 1);
    assert.equal(parseOne(`SEND\r\n${line}\r\n\r\n\0`, small).headers.length, 1);
    assert.equal(parseError(`SEND\n${line}v\n\n\0`, small).code, ParseErrorCode.HEADER_TOO_LONG);
    assert.equal(parseError(`SEND\n${line}v\r\n\r\n\0`, small).code, ParseErrorCode.HEADER_TOO_LONG);
  });

  it('applies the line limit to the command line and across chunks', () => {
    assert.equal(parseError('X'.repeat(17) + '\n\n\0', small).code, ParseErrorCode.HEADER_TOO_LONG);
    const chunks = ['SEND\nk:', 'v'.repeat(10), 'v'.repeat(10), '\n\n\0'];
    assert.equal(parseError(chunks, small).code, ParseErrorCode.HEADER_TOO_LONG);
  });

  it('cuts off an endless header line as soon as it passes the line limit, never buffering more', () => {
    const parser = new StompParser({ maxFrameBytes: 1000, maxHeaderLineBytes: 100 });
    let fed = 0;
    let result: ParseResult = parser.push('SEND\nk:');
    fed += 7;
    while (!result.error) {
      result = parser.push('v');
      fed++;
      assert.ok(fed < 200, 'parser kept buffering past the limit');
    }
    assert.equal(result.error.code, ParseErrorCode.HEADER_TOO_LONG);
    // "SEND\n" (5) + line of 102 bytes: the line limit plus the one byte that may be a CR.
    assert.equal(fed, 5 + 102);
  });

  it('cuts off an endless body (no content-length) the byte the frame passes maxFrameBytes', () => {
    const parser = new StompParser({ maxFrameBytes: 256, maxBodyBytes: 10_000 });
    let fed = 0;
    let result: ParseResult = parser.push('SEND\n\n');
    fed += 6;
    while (!result.error) {
      result = parser.push(Buffer.alloc(1, 0x61));
      fed++;
      assert.ok(fed <= 256, 'parser kept buffering past maxFrameBytes');
    }
    assert.equal(result.error.code, ParseErrorCode.FRAME_TOO_LARGE);
    // 255 bytes fit (the NUL would be byte 256); the 256th non-NUL byte is refused.
    assert.equal(fed, 256);
  });

  it('cuts off endless headers at maxFrameBytes even when each line is short', () => {
    const parser = new StompParser({ maxFrameBytes: 100, maxHeaders: 1000 });
    let fed = 0;
    let result: ParseResult = parser.push('SEND\n');
    fed += 5;
    while (!result.error) {
      result = parser.push('a:b\n');
      fed += 4;
      assert.ok(fed <= 104);
    }
    assert.equal(result.error.code, ParseErrorCode.FRAME_TOO_LARGE);
  });

  it('refuses an oversized body that arrives in one 10 MiB chunk', () => {
    const big = Buffer.concat([Buffer.from('SEND\n\n'), Buffer.alloc(10 * 1024 * 1024, 0x61), Buffer.from([0])]);
    const result = new StompParser().push(big);
    assert.equal(result.error?.code, ParseErrorCode.BODY_TOO_LARGE);
  });

  it('rejects limits that are not positive integers', () => {
    assert.throws(() => new StompParser({ maxFrameBytes: 0 }), RangeError);
    assert.throws(() => new StompParser({ maxHeaders: 1.5 }), RangeError);
  });
});

describe('StompParser: after an error', () => {
  it('stays failed and repeats the same error', () => {
    const parser = new StompParser();
    const first = parser.push('SEND\nbad\n\n\0');
    assert.equal(first.error?.code, ParseErrorCode.MALFORMED_FRAME);
    const later = parser.push(stompJs.connect());
    assert.deepEqual(later, { frames: [], heartbeats: 0, error: first.error });
    assert.equal(parser.error, first.error);
  });

  it('has readable, colon-free messages (they travel in an ERROR message header)', () => {
    const cases = [
      parseError('SEND\nbad\n\n\0'),
      parseError('SEND\nd:\\t\n\n\0'),
      parseError('SEND\ncontent-length:x\n\n\0'),
      parseError('SEND\ncontent-length:1\n\nab'),
      parseError('SEND\n\n' + 'x'.repeat(100), { maxFrameBytes: 50 }),
    ];
    for (const error of cases) {
      assert.ok(error.message.length > 0 && error.message.length < 80);
      assert.equal(error.message.includes(':'), false, error.message);
    }
  });
});
