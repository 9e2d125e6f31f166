import { Hs256Jwt, JwtError, hmacKey } from '@squirret/auth';
import { asUserId } from '@squirret/contracts';
import type { SpringIdentity } from './spring-identity';

/** How Spring tokens are read: the shared secret and which claims carry what. */
export interface SpringTokenOptions {
  readonly secret: string | undefined;
  readonly encoding: 'raw' | 'base64';
  readonly userIdClaim: string;
  readonly roleClaim: string;
  readonly coupleIdClaim: string;
  readonly nameClaim: string;
  readonly trainerRole: string;
  readonly audience: string | undefined;
  readonly clockToleranceSec: number;
}

/** Why a token was refused (safe to log and to send: never contains the token). */
export class SpringTokenError extends Error {
  constructor(readonly reason: string) {
    super(`token refused: ${reason}`);
    this.name = 'SpringTokenError';
  }
}

const USER_ID = /^[\w.@:+-]{1,128}$/u;

/**
 * Verifies tokens issued by the Spring service (HS256 with the shared secret, algorithm pinned,
 * `exp` required) and turns their configurable claims into a SpringIdentity.
 */
export class SpringTokenVerifier {
  private readonly jwt: Hs256Jwt | undefined;
  private readonly trainerRole: string;

  constructor(private readonly options: SpringTokenOptions) {
    this.jwt = options.secret ? new Hs256Jwt(hmacKey(options.secret, options.encoding)) : undefined;
    this.trainerRole = normalizeRole(options.trainerRole);
  }

  get configured(): boolean {
    return this.jwt !== undefined;
  }

  verify(token: string | null | undefined, nowSec?: number): SpringIdentity {
    if (!this.jwt) throw new SpringTokenError('token verification is not configured (SPRING_JWT_SECRET)');
    if (!token) throw new SpringTokenError('missing token');
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token, {
        clockToleranceSec: this.options.clockToleranceSec,
        ...(this.options.audience ? { audience: this.options.audience } : {}),
        ...(nowSec !== undefined ? { nowSec } : {}),
      });
    } catch (err) {
      if (err instanceof JwtError) throw new SpringTokenError(err.reason.toLowerCase().replace(/_/g, ' '));
      throw new SpringTokenError('malformed');
    }
    const rawId = claims[this.options.userIdClaim];
    const userId = typeof rawId === 'number' && Number.isSafeInteger(rawId) ? String(rawId) : rawId;
    if (typeof userId !== 'string' || !USER_ID.test(userId)) throw new SpringTokenError(`no usable ${this.options.userIdClaim} claim`);
    const name = claims[this.options.nameClaim];
    return {
      userId: asUserId(userId),
      roles: readRoles(claims[this.options.roleClaim]),
      coupleId: readCoupleId(claims[this.options.coupleIdClaim]),
      name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : null,
      expiresAt: Number(claims.exp),
    };
  }

  isTrainer(identity: SpringIdentity): boolean {
    return identity.roles.has(this.trainerRole);
  }
}

/** `ROLE_TRAINER`, `trainer` and `Trainer` are the same role. */
export function normalizeRole(role: string): string {
  const upper = role.trim().toUpperCase();
  return upper.startsWith('ROLE_') ? upper.slice(5) : upper;
}

/** A role claim may be a string, a comma-separated string, or an array (Spring authorities). */
function readRoles(value: unknown): ReadonlySet<string> {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const roles = new Set<string>();
  for (const r of list) {
    if (typeof r === 'string' && r.trim()) roles.add(normalizeRole(r));
    // Spring Security serializes GrantedAuthority as {"authority":"ROLE_X"}.
    else if (typeof r === 'object' && r !== null && typeof (r as { authority?: unknown }).authority === 'string') {
      roles.add(normalizeRole((r as { authority: string }).authority));
    }
  }
  return roles;
}

function readCoupleId(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}
