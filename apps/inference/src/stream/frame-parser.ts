import { BINARY_FRAME, InferenceClientMessageSchema, type InferenceErrorCode } from '@squirret/contracts';

/** A frame ready for the model: its number, its client time (ms, when given) and the image bytes. */
export interface ParsedFrame {
  readonly kind: 'frame';
  readonly frameNumber: number;
  readonly clientTimeMs: number | undefined;
  readonly image: Buffer;
  readonly encoding: 'json' | 'binary';
}

/** An in-band token refresh. */
export interface ParsedAuth {
  readonly kind: 'auth';
  readonly token: string;
}

/** Why a message was refused; `frameNumber` when it could be read. */
export interface ParseFailure {
  readonly kind: 'error';
  readonly code: InferenceErrorCode;
  readonly message: string;
  readonly frameNumber?: number;
}

export type ParsedMessage = ParsedFrame | ParsedAuth | ParseFailure;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAGIC = Buffer.from(BINARY_FRAME.magic, 'ascii');

/**
 * A client clock may differ from ours, but not by more than this: a timestamp further away is a
 * bug or an attack (1e306 s is Infinity in ms; 1e308 ms leaves no precision for 33 ms steps).
 */
export const MAX_CLIENT_CLOCK_SKEW_MS = 24 * 3600 * 1000;

/** Options of the parsers: the image limit and the server clock timestamps are checked against. */
export interface ParseOptions {
  readonly maxImageBytes: number;
  readonly nowMs?: () => number;
}

type Timestamp = { ok: true; ms: number | undefined } | { ok: false; message: string };

/**
 * Client timestamps: the contract sends epoch seconds; binary frames carry epoch milliseconds.
 * Absent or 0: the server's clock. Otherwise a finite time within a day of ours, else refused.
 */
function toMs(t: number | undefined, unit: 's' | 'ms', nowMs: number): Timestamp {
  if (t === undefined || t === 0) return { ok: true, ms: undefined };
  const ms = unit === 's' ? t * 1000 : t;
  if (!Number.isFinite(ms) || Math.abs(ms - nowMs) > MAX_CLIENT_CLOCK_SKEW_MS) {
    return { ok: false, message: `timestamp must be epoch ${unit === 's' ? 'seconds' : 'milliseconds'} within a day of the server's clock (or 0)` };
  }
  return { ok: true, ms };
}

const limitsOf = (o: number | ParseOptions): Required<ParseOptions> =>
  typeof o === 'number' ? { maxImageBytes: o, nowMs: Date.now } : { maxImageBytes: o.maxImageBytes, nowMs: o.nowMs ?? Date.now };

/** Parses one text message (JSON frame or auth). Pure. */
export function parseTextMessage(text: string, options: number | ParseOptions): ParsedMessage {
  const { maxImageBytes, nowMs } = limitsOf(options);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'error', code: 'MALFORMED_JSON', message: 'message is not valid JSON' };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (type !== 'frame' && type !== 'auth') {
    return { kind: 'error', code: 'UNKNOWN_TYPE', message: 'type must be frame or auth' };
  }
  const parsed = InferenceClientMessageSchema.safeParse(json);
  if (!parsed.success) {
    const fn = (json as { frameNumber?: unknown }).frameNumber;
    const issue = parsed.error.issues[0];
    return {
      kind: 'error',
      code: 'INVALID_FRAME',
      message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`,
      ...(typeof fn === 'number' && Number.isSafeInteger(fn) && fn >= 0 ? { frameNumber: fn } : {}),
    };
  }
  const m = parsed.data;
  if (m.type === 'auth') return { kind: 'auth', token: m.token };
  // Strip a data URL prefix some clients add.
  const b64 = m.image_base64.startsWith('data:') ? m.image_base64.slice(m.image_base64.indexOf(',') + 1) : m.image_base64;
  // A bare data URL prefix ("data:,") leaves nothing to decode: refused like a binary frame without image bytes.
  if (b64.length === 0) return { kind: 'error', code: 'INVALID_IMAGE', message: 'image_base64 holds no image bytes', frameNumber: m.frameNumber };
  if (b64.length % 4 === 1 || !BASE64.test(b64)) {
    return { kind: 'error', code: 'INVALID_BASE64', message: 'image_base64 is not valid base64', frameNumber: m.frameNumber };
  }
  if (Math.floor((b64.length * 3) / 4) > maxImageBytes) {
    return { kind: 'error', code: 'IMAGE_TOO_LARGE', message: `image is over ${maxImageBytes} bytes`, frameNumber: m.frameNumber };
  }
  const ts = toMs(m.timestamp, 's', nowMs());
  if (!ts.ok) return { kind: 'error', code: 'INVALID_FRAME', message: ts.message, frameNumber: m.frameNumber };
  return { kind: 'frame', frameNumber: m.frameNumber, clientTimeMs: ts.ms, image: Buffer.from(b64, 'base64'), encoding: 'json' };
}

/** Parses one binary message: the 16-byte header (`SQF1`, frameNumber, timestamp ms) then the image. Pure. */
export function parseBinaryMessage(data: Buffer, options: number | ParseOptions): ParsedMessage {
  const { maxImageBytes, nowMs } = limitsOf(options);
  if (data.length < BINARY_FRAME.headerBytes || !data.subarray(0, 4).equals(MAGIC)) {
    return { kind: 'error', code: 'INVALID_FRAME', message: `binary frames start with the ${BINARY_FRAME.headerBytes}-byte SQF1 header` };
  }
  const frameNumber = data.readUInt32LE(4);
  const ts = toMs(data.readDoubleLE(8), 'ms', nowMs());
  if (!ts.ok) return { kind: 'error', code: 'INVALID_FRAME', message: ts.message, frameNumber };
  const image = data.subarray(BINARY_FRAME.headerBytes);
  if (image.length === 0) return { kind: 'error', code: 'INVALID_IMAGE', message: 'binary frame has no image bytes', frameNumber };
  if (image.length > maxImageBytes) {
    return { kind: 'error', code: 'IMAGE_TOO_LARGE', message: `image is over ${maxImageBytes} bytes`, frameNumber };
  }
  return { kind: 'frame', frameNumber, clientTimeMs: ts.ms, image, encoding: 'binary' };
}

/** Builds a binary frame (clients, tests and benchmarks); the layout is written once, in the contracts. */
export { encodeBinaryFrame } from '@squirret/contracts';
