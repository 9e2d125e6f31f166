import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';

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

const ALGORITHM = 'HS256' as const;
const MAX_TOKEN_CHARS = 8192;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Turns a configured secret into a KeyObject (raw bytes or base64 as Spring's JJWT keeps them).
 * jsonwebtoken 9 re-imports a string secret on every call, which costs 30-90x; a KeyObject does not.
 */
export function hmacKey(secret: string | Buffer, encoding: 'raw' | 'base64' = 'raw'): KeyObject {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, encoding === 'base64' ? 'base64' : 'utf8') : secret;
  if (bytes.length < 32) throw new Error('HS256 secret must be at least 32 bytes (256 bits)');
  return createSecretKey(bytes);
}

/**
 * HS256 tokens on `jsonwebtoken`, with the algorithm pinned: `alg: none`, RS/HS key confusion and any
 * other algorithm are refused before the signature is looked at. jsonwebtoken (via jwa) compares the
 * signature as text against the canonical base64url spelling, so a signature written another way
 * (other unused low bits, padding, `+/`) is refused; the test "canonical base64url spelling" pins that.
 * What jsonwebtoken does not check is added here: exp is required, a future iat is refused, sub must
 * be a string, and the error is one of our reasons with a message that never echoes the token.
 */
export class Hs256Jwt {
  constructor(private readonly key: KeyObject) {}

  sign(claims: BaseClaims): string {
    // The claims carry their own iat/exp; jsonwebtoken keeps a given iat and adds nothing else.
    return jsonwebtoken.sign(claims as object, this.key, { algorithm: ALGORITHM });
  }

  verify<T extends object = BaseClaims>(token: string, opts: VerifyOptions = {}): T {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw new JwtError('MALFORMED', 'token is malformed');
    const parts = token.split('.');
    if (parts.length !== 3) throw new JwtError('MALFORMED', 'token is malformed');
    const header = decodeHeader(parts[0]!);
    if (header.alg !== ALGORITHM) throw new JwtError('BAD_ALGORITHM', 'token algorithm is not allowed');
    if (header.crit !== undefined) throw new JwtError('MALFORMED', 'token has unsupported critical headers');
    if (!BASE64URL.test(parts[2]!)) throw new JwtError('BAD_SIGNATURE', 'token signature is invalid');
    const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
    const skew = opts.clockToleranceSec ?? 5;
    let claims: unknown;
    try {
      claims = jsonwebtoken.verify(token, this.key, {
        algorithms: [ALGORITHM],
        clockTimestamp: now,
        clockTolerance: skew,
        ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
        ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
      });
    } catch (err) {
      throw toJwtError(err);
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      throw new JwtError('MALFORMED', 'token is malformed');
    }
    checkExtraClaims(claims as Record<string, unknown>, opts, now, skew);
    return claims as T;
  }
}

function decodeHeader(segment: string): Record<string, unknown> {
  if (!BASE64URL.test(segment)) throw new JwtError('MALFORMED', 'token is malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('MALFORMED', 'token is malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtError('MALFORMED', 'token is malformed');
  return value as Record<string, unknown>;
}

/** Maps jsonwebtoken's errors to our reasons; its messages may quote claim values, ours never do. */
function toJwtError(err: unknown): JwtError {
  if (err instanceof jsonwebtoken.TokenExpiredError) return new JwtError('EXPIRED', 'token has expired');
  if (err instanceof jsonwebtoken.NotBeforeError) return new JwtError('NOT_YET_VALID', 'token is not yet valid');
  const message = err instanceof Error ? err.message : '';
  if (message === 'invalid signature' || message === 'jwt signature is required') {
    return new JwtError('BAD_SIGNATURE', 'token signature is invalid');
  }
  if (message === 'invalid algorithm') return new JwtError('BAD_ALGORITHM', 'token algorithm is not allowed');
  if (message.startsWith('jwt audience invalid')) return new JwtError('BAD_AUDIENCE', 'token audience is not accepted');
  if (message.startsWith('jwt subject invalid')) return new JwtError('BAD_SUBJECT', 'token subject does not match');
  if (message.startsWith('invalid exp') || message.startsWith('invalid nbf')) return new JwtError('MALFORMED', 'token claim is not a number');
  return new JwtError('MALFORMED', 'token is malformed');
}

function checkExtraClaims(c: Record<string, unknown>, opts: VerifyOptions, now: number, skew: number): void {
  for (const name of ['exp', ...(opts.requiredClaims ?? [])]) {
    if (c[name] === undefined) throw new JwtError('MISSING_CLAIM', `token has no ${name} claim`);
  }
  const iat = c.iat;
  if (iat !== undefined) {
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new JwtError('MALFORMED', 'token iat is not a number');
    if (now + skew < iat) throw new JwtError('ISSUED_IN_FUTURE', 'token was issued in the future');
  }
  if (c.sub !== undefined && typeof c.sub !== 'string') throw new JwtError('BAD_SUBJECT', 'token subject is not a string');
}

/** A fresh token id. */
export const newJti = (): string => randomUUID();
