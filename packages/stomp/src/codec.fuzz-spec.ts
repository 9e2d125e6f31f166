import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeHeaderText, unescapeHeaderText } from './escape';
import { isEscapeExempt, type StompFrame } from './frame';
import { ParseErrorCode, type ParseError } from './parse-error';
import { StompParser } from './parser';
import { serializeFrame } from './serializer';
import { body, chunked, commandName, fuzzParameters, headerEntry, headerText } from './testing/fuzz-arbitraries';

const CODES = new Set<string>(Object.values(ParseErrorCode));

/** Feeds every chunk and collects what came out; asserts the parser's own contract on the way. */
function parseAll(parser: StompParser, chunks: readonly Buffer[]): { frames: StompFrame[]; heartbeats: number; error?: ParseError } {
  const frames: StompFrame[] = [];
  let heartbeats = 0;
  let error: ParseError | undefined;
  for (const c of chunks) {
    const r = parser.push(c);
    if (error) {
      // A failed parser stays failed and yields nothing more.
      assert.deepEqual([r.frames.length, r.heartbeats, r.error], [0, 0, error]);
      continue;
    }
    frames.push(...r.frames);
    heartbeats += r.heartbeats;
    error = r.error;
  }
  return error ? { frames, heartbeats, error } : { frames, heartbeats };
}

const plain = (f: StompFrame) => ({ command: f.command, headers: f.headers.map(([n, v]) => [n, v]), body: [...f.body] });

/** A frame whose command the serializer can write (no line breaks, no NUL). */
const frameArb = fc.record({
  command: commandName.filter((c) => c.length > 0 && !/[\r\n\0]/.test(c)),
  headers: fc.array(headerEntry, { maxLength: 8 }).map((hs) => hs.filter(([n]) => n !== 'content-length')),
  body,
});

describe('fuzz: STOMP codec (parser, serializer, escapes)', () => {
  it('the parser never throws on random bytes cut anywhere; it returns frames and at most one typed error', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      // Bytes that look like STOMP, so the deep states are reached, with random corruption.
      fc
        .tuple(fc.array(frameArb, { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
        .map(([frames, flips]) => {
          const data = Buffer.concat(frames.map((f) => safeSerialize(f) ?? Buffer.alloc(0)));
          for (const [at, v] of flips) if (data.length > 0) data[at % data.length] = v;
          return data;
        }),
    );
    const limits = fc.record({
      maxFrameBytes: fc.integer({ min: 1, max: 512 }),
      maxHeaders: fc.integer({ min: 1, max: 8 }),
      maxHeaderLineBytes: fc.integer({ min: 1, max: 128 }),
      maxBodyBytes: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(bytes.chain((d) => fc.tuple(fc.constant(d), chunked(d))), fc.option(limits, { nil: undefined }), ([data, chunks], lim) => {
        const result = parseAll(new StompParser(lim ?? {}), chunks);
        if (result.error) assert.ok(CODES.has(result.error.code), result.error.code);
        // Chunking never changes the outcome: the same bytes in one push give the same frames and
        // fail or not alike (which limit is named first may differ: a partial line is checked early).
        const whole = new StompParser(lim ?? {}).push(data);
        assert.deepEqual(result.frames.map(plain), whole.frames.map(plain));
        assert.equal(result.error === undefined, whole.error === undefined);
        if (!result.error) assert.equal(result.heartbeats, whole.heartbeats);
        for (const f of result.frames) {
          assert.ok(!f.command.includes('\n') && !f.command.includes('\0'));
          if (lim) assert.ok(f.body.length <= lim.maxBodyBytes && f.headers.length <= lim.maxHeaders);
        }
      }),
      fuzzParameters(10_000),
    );
  });

  it('serialize then parse gives the same frame back, however the bytes are cut (escaped commands)', () => {
    fc.assert(
      fc.property(
        frameArb.filter((f) => !isEscapeExempt(f.command)).chain((f) => fc.tuple(fc.constant(f), chunked(serializeFrame(f)))),
        fc.nat({ max: 3 }),
        ([frame, chunks], eols) => {
          const parser = new StompParser({ maxFrameBytes: 1 << 20, maxHeaders: 64, maxHeaderLineBytes: 1 << 16, maxBodyBytes: 1 << 20 });
          const heartbeat = Buffer.from('\r\n'.repeat(eols));
          const result = parseAll(parser, [heartbeat, ...chunks, heartbeat]);
          assert.equal(result.error, undefined, JSON.stringify(result.error));
          assert.equal(result.frames.length, 1);
          assert.equal(result.heartbeats, eols * 2);
          const expected = frame.body.length > 0 ? [...frame.headers, ['content-length', String(frame.body.length)] as const] : frame.headers;
          assert.deepEqual(plain(result.frames[0] as StompFrame), plain({ ...frame, headers: expected }));
        },
      ),
      fuzzParameters(10_000),
    );
  });

  it('CONNECT / CONNECTED headers (never escaped) either round trip or are refused with a RangeError', () => {
    fc.assert(
      fc.property(fc.constantFrom('CONNECT', 'CONNECTED'), fc.array(headerEntry, { maxLength: 6 }), (command, headers) => {
        const frame = { command, headers: headers.filter(([n]) => n !== 'content-length'), body: Buffer.alloc(0) };
        let data: Buffer;
        try {
          data = serializeFrame(frame);
        } catch (e) {
          assert.ok(e instanceof RangeError);
          assert.ok(frame.headers.some(([n, v]) => /[\r\n]/.test(n + v) || n.includes(':')));
          return;
        }
        const result = new StompParser({ maxHeaderLineBytes: 1 << 16 }).push(data);
        assert.equal(result.error, undefined);
        assert.deepEqual(plain(result.frames[0] as StompFrame), plain(frame));
      }),
      fuzzParameters(5_000),
    );
  });

  it('unescape(escape(s)) is s; escaped text has no CR, LF or colon; unescape never throws', () => {
    fc.assert(
      fc.property(headerText(80), fc.string({ unit: fc.constantFrom('\\', 'c', 'n', 'r', 't', ':', 'x', '\n'), maxLength: 12 }), (text, noise) => {
        const escaped = escapeHeaderText(text);
        assert.ok(!/[\r\n:]/.test(escaped));
        assert.equal(unescapeHeaderText(escaped), text);
        const u = unescapeHeaderText(noise);
        // Only \\ \c \n \r are defined: anything else is refused, never passed through.
        const defined = !/\\(?![\\cnr])/.test(noise.replace(/\\[\\cnr]/g, ''));
        assert.equal(u === undefined, !defined, JSON.stringify(noise));
      }),
      fuzzParameters(10_000),
    );
  });
});

function safeSerialize(frame: StompFrame): Buffer | undefined {
  try {
    return serializeFrame(frame);
  } catch {
    return undefined;
  }
}
