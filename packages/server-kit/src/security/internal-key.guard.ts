import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import type { FastifyRequest } from 'fastify';

/** Injection token of the configured internal API key (undefined: internal endpoints are open, for local use). */
export const INTERNAL_API_KEY = Symbol('INTERNAL_API_KEY');
/** Header that carries the internal API key. */
export const INTERNAL_API_KEY_HEADER = 'x-internal-api-key';

const digest = (v: string) => createHash('sha256').update(v).digest();

/** Guards internal admin endpoints with the internal API key when one is configured. */
@Injectable()
export class InternalKeyGuard implements CanActivate {
  constructor(@Inject(INTERNAL_API_KEY) private readonly key: string | undefined) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.key) return true;
    const given = ctx.switchToHttp().getRequest<FastifyRequest>().headers[INTERNAL_API_KEY_HEADER];
    if (typeof given !== 'string' || given.length === 0) {
      throw new AppError('UNAUTHORIZED', `internal endpoint: the ${INTERNAL_API_KEY_HEADER} header is required`);
    }
    // Compare digests so the comparison takes the same time whatever the lengths.
    if (!timingSafeEqual(digest(given), digest(this.key))) {
      throw new AppError('FORBIDDEN', 'internal API key is not valid');
    }
    return true;
  }
}
