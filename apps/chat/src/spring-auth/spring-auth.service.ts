import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import type { FastifyRequest } from 'fastify';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import type { SpringIdentity } from './spring-identity';
import { SpringTokenError, SpringTokenVerifier } from './spring-token.verifier';

const identities = new WeakMap<object, SpringIdentity>();

/** The identity the guard attached to a request (undefined when no guard ran). */
export const identityOf = (req: object): SpringIdentity | undefined => identities.get(req);

/** Spring-token authentication for the chat rooms' HTTP and WebSocket edges. */
@Injectable()
export class SpringAuthService {
  private readonly logger = new Logger('spring-auth');
  readonly verifier: SpringTokenVerifier;

  constructor(@Inject(CHAT_CONFIG) config: ChatConfig) {
    this.verifier = new SpringTokenVerifier({
      secret: config.SPRING_JWT_SECRET,
      encoding: config.SPRING_JWT_SECRET_ENCODING,
      userIdClaim: config.SPRING_USER_ID_CLAIM,
      roleClaim: config.SPRING_ROLE_CLAIM,
      coupleIdClaim: config.SPRING_COUPLE_ID_CLAIM,
      nameClaim: config.SPRING_NAME_CLAIM,
      trainerRole: config.SPRING_TRAINER_ROLE,
      audience: config.SPRING_JWT_AUDIENCE,
      clockToleranceSec: config.TOKEN_CLOCK_SKEW_SEC,
    });
    if (!this.verifier.configured) this.logger.warn('SPRING_JWT_SECRET is not set: every chat room request will be refused (401)');
  }

  /** `Authorization: Bearer <token>` → identity, or UNAUTHORIZED (401). */
  fromRequest(req: FastifyRequest): SpringIdentity {
    const cached = identities.get(req);
    if (cached) return cached;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    try {
      const identity = this.verifier.verify(m?.[1]);
      identities.set(req, identity);
      return identity;
    } catch (err) {
      const reason = err instanceof SpringTokenError ? err.reason : 'invalid token';
      throw new AppError('UNAUTHORIZED', `a valid Spring token is required (Authorization: Bearer): ${reason}`, { 'WWW-Authenticate': 'Bearer' });
    }
  }

  /** `?token=` of a WebSocket → identity, or why not (safe to log). */
  fromQuery(query: URLSearchParams): SpringIdentity | string {
    try {
      return this.verifier.verify(query.get('token'));
    } catch (err) {
      return err instanceof SpringTokenError ? err.reason : 'invalid token';
    }
  }

  isTrainer(identity: SpringIdentity): boolean {
    return this.verifier.isTrainer(identity);
  }
}
