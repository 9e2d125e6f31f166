import { Injectable, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { SpringAuthService, identityOf } from './spring-auth.service';
import type { SpringIdentity } from './spring-identity';

/** Requires a valid Spring token (Authorization: Bearer); 401 in the error body (docs/contracts/ios-api.md §0) otherwise. */
@Injectable()
export class SpringAuthGuard implements CanActivate {
  constructor(private readonly auth: SpringAuthService) {}

  canActivate(ctx: ExecutionContext): boolean {
    this.auth.fromRequest(ctx.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}

/** The caller's identity, in a handler guarded by SpringAuthGuard. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SpringIdentity => {
  const identity = identityOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!identity) throw new Error('CurrentUser used without SpringAuthGuard');
  return identity;
});
