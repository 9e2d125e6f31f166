import { createHmac, createSecretKey, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Why a token was refused; never contains the token itself. */
export type JwtErrorReason =
  | 'MALFORMED'
  | 'BAD_ALGORITHM'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'BAD_AUDIENCE'
  | 'BAD_SUBJECT'
  | 'ISSUED_IN_FUTURE'
  | 'MISSING_CLAIM';

/** A refused token. The message is safe to log (it never echoes the token). */
export class JwtError extends Error {
  constructor(readonly reason: JwtErrorReason, message: string) {
    super(message);
    this.name = 'JwtError';
  }
}

/** Claims every token we sign carries; extra claims are allowed. */
export interface BaseClaims {
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly aud?: string | readonly string[];
  readonly nbf?: number;
  readonly jti?: string;
}

/** What a verifier checks beyond the signature. */
export interface VerifyOptions {
  /** Required audience (the token's `aud` must equal it or contain it). */
  readonly audience?: string;
  /** Required subject. */
  readonly subject?: string;
  /** Allowed clock skew in seconds for exp / nbf / iat. */
  readonly clockToleranceSec?: number;
  /** Current time in seconds (injected for tests). */
  readonly nowSec?: number;
  /** Claims that must be present (besides exp, which always is). */
  readonly requiredClaims?: readonly string[];
}

const HEADER_B64 = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Turns a configured secret into a KeyObject (fast HMAC; raw bytes or base64 as Spring's JJWT keeps them). */
export function hmacKey(secret: string | Buffer, encoding: 'raw' | 'base64' = 'raw'): KeyObject {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, encoding === 'base64' ? 'base64' : 'utf8') : secret;
  if (bytes.length < 32) throw new Error('HS256 secret must be at least 32 bytes (256 bits)');
  return createSecretKey(bytes);
}

/**
 * HS256 only. The algorithm is pinned: the header must say HS256, so `alg: none`, RS/HS key confusion
 * and any other algorithm are refused before the signature is even looked at.
 */
export class Hs256Jwt {
  constructor(private readonly key: KeyObject) {}

  sign(claims: BaseClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const input = `${HEADER_B64}.${payload}`;
    const sig = createHmac('sha256', this.key).update(input).digest('base64url');
    return `${input}.${sig}`;
  }

  verify<T extends object = BaseClaims>(token: string, opts: VerifyOptions = {}): T {
    if (typeof token !== 'string' || token.length > 8192) throw new JwtError('MALFORMED', 'token is malformed');
    const parts = token.split('.');
    if (parts.length !== 3) throw new JwtError('MALFORMED', 'token is malformed');
    const [h, p, s] = parts as [string, string, string];
    const header = parseSegment(h);
    if (header.alg !== 'HS256') throw new JwtError('BAD_ALGORITHM', 'token algorithm is not allowed');
    if (header.crit !== undefined) throw new JwtError('MALFORMED', 'token has unsupported critical headers');
    // Compared as text in the one canonical base64url spelling (43 characters, no padding): a
    // decoder forgives other last characters and a trailing `=`, which would let one signature
    // be written several ways.
    const expected = Buffer.from(createHmac('sha256', this.key).update(`${h}.${p}`).digest('base64url'));
    const given = Buffer.from(s);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new JwtError('BAD_SIGNATURE', 'token signature is invalid');
    }
    const claims = parseSegment(p);
    checkClaims(claims, opts);
    return claims as unknown as T;
  }
}

function parseSegment(segment: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new JwtError('MALFORMED', 'token is malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('MALFORMED', 'token is malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtError('MALFORMED', 'token is malformed');
  }
  return value as Record<string, unknown>;
}

function checkClaims(c: Record<string, unknown>, opts: VerifyOptions): void {
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  const skew = opts.clockToleranceSec ?? 5;
  for (const name of ['exp', ...(opts.requiredClaims ?? [])]) {
    if (c[name] === undefined) throw new JwtError('MISSING_CLAIM', `token has no ${name} claim`);
  }
  const num = (name: string): number | undefined => {
    const v = c[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new JwtError('MALFORMED', `token ${name} is not a number`);
    return v;
  };
  const exp = num('exp');
  const nbf = num('nbf');
  const iat = num('iat');
  if (exp !== undefined && now - skew >= exp) throw new JwtError('EXPIRED', 'token has expired');
  if (nbf !== undefined && now + skew < nbf) throw new JwtError('NOT_YET_VALID', 'token is not yet valid');
  if (iat !== undefined && now + skew < iat) throw new JwtError('ISSUED_IN_FUTURE', 'token was issued in the future');
  if (opts.audience !== undefined) {
    const aud = c.aud;
    const ok = typeof aud === 'string' ? aud === opts.audience : Array.isArray(aud) && aud.includes(opts.audience);
    if (!ok) throw new JwtError('BAD_AUDIENCE', 'token audience is not accepted');
  }
  if (c.sub !== undefined && typeof c.sub !== 'string') throw new JwtError('BAD_SUBJECT', 'token subject is not a string');
  if (opts.subject !== undefined && c.sub !== opts.subject) {
    throw new JwtError('BAD_SUBJECT', 'token subject does not match');
  }
}

/** A fresh token id. */
export const newJti = (): string => randomUUID();
