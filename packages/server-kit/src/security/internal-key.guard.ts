import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import type { FastifyRequest } from 'fastify';

/** Injection token of the configured internal API key (undefined: internal endpoints are open, for local use). */
export const INTERNAL_API_KEY = Symbol('INTERNAL_API_KEY');
/** Header that carries the internal API key. */
export const INTERNAL_API_KEY_HEADER = 'x-internal-api-key';

const digest = (v: string) => createHash('sha256').update(v).digest();

/**
 * Why a request with header value `given` may not use an internal endpoint (undefined: it may):
 * 401 without the header, 403 with a wrong key; open when no key is configured. The one rule of
 * the guard below and of internal routes outside Nest (the queue board).
 */
export function internalKeyRefusal(key: string | undefined, given: unknown): AppError | undefined {
  if (!key) return undefined;
  if (typeof given !== 'string' || given.length === 0) {
    return new AppError('UNAUTHORIZED', `internal endpoint: the ${INTERNAL_API_KEY_HEADER} header is required`);
  }
  // Compare digests so the comparison takes the same time whatever the lengths.
  if (!timingSafeEqual(digest(given), digest(key))) return new AppError('FORBIDDEN', 'internal API key is not valid');
  return undefined;
}

/** Guards internal admin endpoints with the internal API key when one is configured. */
@Injectable()
export class InternalKeyGuard implements CanActivate {
  constructor(@Inject(INTERNAL_API_KEY) private readonly key: string | undefined) {}

  canActivate(ctx: ExecutionContext): boolean {
    const refusal = internalKeyRefusal(this.key, ctx.switchToHttp().getRequest<FastifyRequest>().headers[INTERNAL_API_KEY_HEADER]);
    if (refusal) throw refusal;
    return true;
  }
}
