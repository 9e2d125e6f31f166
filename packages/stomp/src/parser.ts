import { TextDecoder } from 'node:util';
import { header, isEscapeExempt, type StompFrame, type StompHeader } from './frame';
import { unescapeHeaderText } from './escape';
import { resolveLimits, type StompLimits } from './limits';
import { ParseErrorCode, parseError, type ParseError } from './parse-error';

/** What one `push` produced: whole frames, bare EOLs seen between frames, and the error that stopped it. */
export interface ParseResult {
  readonly frames: StompFrame[];
  /** Bare EOLs (heart-beats) seen between frames in this push. */
  readonly heartbeats: number;
  /** Set once the stream is unusable; frames before the bad bytes are still returned. */
  readonly error?: ParseError;
}

/** Options of a parser beyond its limits. */
export interface StompParserOptions {
  /** STOMP 1.0 has no header escaping; the session turns this off when it negotiates 1.0. */
  readonly unescapeHeaders?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const CONTENT_LENGTH = /^[0-9]+$/;

type Phase = 'between' | 'after-cr' | 'line' | 'body' | 'nul';

/**
 * Incremental STOMP frame parser for one connection. Bytes may arrive split anywhere; every limit
 * is checked before bytes are kept, so memory per connection stays under `maxFrameBytes`. After an
 * error the parser stays failed and returns that error for every later push.
 */
export class StompParser {
  readonly limits: StompLimits;
  /** Whether header escapes are decoded (STOMP 1.1 and 1.2); CONNECT/CONNECTED never are. */
  unescapeHeaders: boolean;

  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private phase: Phase = 'between';
  private failure: ParseError | undefined;
  private frameBytes = 0;
  private line: Buffer[] = [];
  private lineBytes = 0;
  private command: string | undefined;
  private headers: StompHeader[] = [];
  private contentLength: number | undefined;
  private body: Buffer[] = [];
  private bodyBytes = 0;

  constructor(limits: Partial<StompLimits> = {}, options: StompParserOptions = {}) {
    this.limits = resolveLimits(limits);
    this.unescapeHeaders = options.unescapeHeaders ?? true;
  }

  /** The error that stopped the parser, if any. */
  get error(): ParseError | undefined {
    return this.failure;
  }

  /** Feeds the next bytes of the stream (a string is taken as UTF-8). */
  push(chunk: Buffer | string): ParseResult {
    if (this.failure) return { frames: [], heartbeats: 0, error: this.failure };
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const out: { frames: StompFrame[]; heartbeats: number } = { frames: [], heartbeats: 0 };
    let pos = 0;
    while (pos < data.length) {
      const next = this.step(data, pos, out);
      if (typeof next !== 'number') {
        this.failure = next;
        this.release();
        return { ...out, error: next };
      }
      pos = next;
    }
    return out;
  }

  private step(data: Buffer, pos: number, out: { frames: StompFrame[]; heartbeats: number }): number | ParseError {
    switch (this.phase) {
      case 'between':
        return this.between(data, pos, out);
      case 'after-cr':
        if (data[pos] !== LF) return parseError(ParseErrorCode.MALFORMED_FRAME, 'CR not followed by LF');
        out.heartbeats++;
        this.phase = 'between';
        return pos + 1;
      case 'line':
        return this.readLine(data, pos);
      case 'body':
        return this.contentLength === undefined ? this.readBodyToNul(data, pos, out) : this.readSizedBody(data, pos);
      case 'nul':
        if (data[pos] !== NUL) return parseError(ParseErrorCode.MISSING_NUL, 'frame body not followed by NUL');
        out.frames.push(this.finishFrame());
        return pos + 1;
    }
  }

  private between(data: Buffer, pos: number, out: { heartbeats: number }): number | ParseError {
    const byte = data[pos];
    if (byte === LF) {
      out.heartbeats++;
      return pos + 1;
    }
    if (byte === CR) {
      this.phase = 'after-cr';
      return pos + 1;
    }
    if (byte === NUL) return parseError(ParseErrorCode.MALFORMED_FRAME, 'NUL where a command was expected');
    this.phase = 'line';
    this.frameBytes = 0;
    return pos;
  }

  /** Collects one command or header line; the bytes kept never exceed the line limit (+1 for a CR). */
  private readLine(data: Buffer, pos: number): number | ParseError {
    const lf = data.indexOf(LF, pos);
    const end = lf === -1 ? data.length : lf;
    const segment = data.subarray(pos, end);
    if (segment.includes(NUL)) return parseError(ParseErrorCode.MALFORMED_FRAME, 'NUL inside the frame headers');
    const lineBytes = this.lineBytes + segment.length;
    if (lineBytes > this.limits.maxHeaderLineBytes + 1) return this.lineTooLong();
    const frameBytes = this.frameBytes + segment.length + (lf === -1 ? 0 : 1);
    if (frameBytes + 1 > this.limits.maxFrameBytes) return this.frameTooLarge();
    this.frameBytes = frameBytes;
    if (lf === -1) {
      // The chunk may be reused by the caller: keep a copy of a partial line.
      this.line.push(Buffer.from(segment));
      this.lineBytes = lineBytes;
      return data.length;
    }
    let line = this.line.length === 0 ? segment : Buffer.concat([...this.line, segment]);
    this.line = [];
    this.lineBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.limits.maxHeaderLineBytes) return this.lineTooLong();
    const error = this.acceptLine(line);
    return error ?? lf + 1;
  }

  private acceptLine(line: Buffer): ParseError | undefined {
    const text = this.decode(line);
    if (text === undefined) return parseError(ParseErrorCode.INVALID_UTF8, 'frame headers are not valid UTF-8');
    if (this.command === undefined) {
      this.command = text;
      return undefined;
    }
    if (line.length === 0) return this.endOfHeaders();
    if (this.headers.length >= this.limits.maxHeaders) {
      return parseError(ParseErrorCode.TOO_MANY_HEADERS, `more than ${this.limits.maxHeaders} headers`);
    }
    const colon = text.indexOf(':');
    if (colon <= 0) return parseError(ParseErrorCode.MALFORMED_FRAME, 'header line without a name and a colon');
    const rawName = text.slice(0, colon);
    const rawValue = text.slice(colon + 1);
    if (!this.unescapeHeaders || isEscapeExempt(this.command)) {
      this.headers.push([rawName, rawValue]);
      return undefined;
    }
    const name = unescapeHeaderText(rawName);
    const value = unescapeHeaderText(rawValue);
    if (name === undefined || value === undefined) {
      return parseError(ParseErrorCode.INVALID_ESCAPE, 'header has an undefined escape sequence');
    }
    this.headers.push([name, value]);
    return undefined;
  }

  /** Decides how the body ends; a declared length is checked against the limits before any body byte is kept. */
  private endOfHeaders(): ParseError | undefined {
    this.phase = 'body';
    const declared = header({ headers: this.headers }, 'content-length');
    if (declared === undefined) return undefined;
    if (!CONTENT_LENGTH.test(declared)) {
      return parseError(ParseErrorCode.INVALID_CONTENT_LENGTH, 'content-length is not a non-negative integer');
    }
    const length = Number(declared);
    if (length > this.limits.maxBodyBytes) return this.bodyTooLarge();
    if (this.frameBytes + length + 1 > this.limits.maxFrameBytes) return this.frameTooLarge();
    this.contentLength = length;
    if (length === 0) this.phase = 'nul';
    return undefined;
  }

  private readSizedBody(data: Buffer, pos: number): number {
    const wanted = (this.contentLength ?? 0) - this.bodyBytes;
    const take = Math.min(wanted, data.length - pos);
    this.body.push(Buffer.from(data.subarray(pos, pos + take)));
    this.bodyBytes += take;
    this.frameBytes += take;
    if (this.bodyBytes === this.contentLength) this.phase = 'nul';
    return pos + take;
  }

  private readBodyToNul(data: Buffer, pos: number, out: { frames: StompFrame[] }): number | ParseError {
    const nul = data.indexOf(NUL, pos);
    const end = nul === -1 ? data.length : nul;
    const size = end - pos;
    if (this.bodyBytes + size > this.limits.maxBodyBytes) return this.bodyTooLarge();
    if (this.frameBytes + size + 1 > this.limits.maxFrameBytes) return this.frameTooLarge();
    if (size > 0) this.body.push(Buffer.from(data.subarray(pos, end)));
    this.bodyBytes += size;
    this.frameBytes += size;
    if (nul === -1) return data.length;
    out.frames.push(this.finishFrame());
    return nul + 1;
  }

  private finishFrame(): StompFrame {
    const body = this.body.length === 1 ? (this.body[0] as Buffer) : Buffer.concat(this.body);
    const frame: StompFrame = { command: this.command ?? '', headers: this.headers, body };
    this.release();
    this.phase = 'between';
    return frame;
  }

  private release(): void {
    this.frameBytes = 0;
    this.line = [];
    this.lineBytes = 0;
    this.command = undefined;
    this.headers = [];
    this.contentLength = undefined;
    this.body = [];
    this.bodyBytes = 0;
  }

  private decode(bytes: Buffer): string | undefined {
    try {
      return this.utf8.decode(bytes);
    } catch {
      return undefined;
    }
  }

  private lineTooLong(): ParseError {
    const max = this.limits.maxHeaderLineBytes;
    return parseError(ParseErrorCode.HEADER_TOO_LONG, `header line longer than ${max} bytes`);
  }

  private frameTooLarge(): ParseError {
    return parseError(ParseErrorCode.FRAME_TOO_LARGE, `frame larger than ${this.limits.maxFrameBytes} bytes`);
  }

  private bodyTooLarge(): ParseError {
    return parseError(ParseErrorCode.BODY_TOO_LARGE, `body larger than ${this.limits.maxBodyBytes} bytes`);
  }
}
