import {
  INFERENCE_AUDIENCE,
  SESSION_AUDIENCE,
  type InferenceTokenClaims,
  type SessionRole,
  type SessionTokenClaims,
} from '@squirret/contracts';
import { Hs256Jwt, hmacKey, newJti } from './jwt';

/** A verifier that holds only its own token kind's secret; the subclasses pin audience and claims. */
abstract class OwnSecretVerifier {
  private readonly jwt: Hs256Jwt;

  constructor(
    secret: string,
    private readonly clockToleranceSec: number,
    private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.jwt = new Hs256Jwt(hmacKey(secret));
  }

  protected check<C extends object>(token: string, audience: string, requiredClaims: readonly string[], subject?: string): C {
    return this.jwt.verify<C>(token, {
      audience,
      ...(subject !== undefined ? { subject } : {}),
      requiredClaims,
      clockToleranceSec: this.clockToleranceSec,
      nowSec: this.nowSec(),
    });
  }
}

/** Verifies the app's session token (STOMP `/ws?token=`) with only its own secret (the chat service). */
export class SessionTokenVerifier extends OwnSecretVerifier {
  verify(token: string): SessionTokenClaims {
    return this.check<SessionTokenClaims>(token, SESSION_AUDIENCE, ['sub', 'role']);
  }
}

/** Verifies the inference token (`/ws/{sessionId}?token=`) with only its own secret (the data plane). */
export class InferenceTokenVerifier extends OwnSecretVerifier {
  verify(token: string, sessionId: string): InferenceTokenClaims {
    return this.check<InferenceTokenClaims>(token, INFERENCE_AUDIENCE, ['sub'], sessionId);
  }
}

/** Settings for the two token kinds the control plane issues. */
export interface TokenSettings {
  readonly sessionSecret: string;
  readonly inferenceSecret: string;
  readonly sessionTtlSec: number;
  readonly inferenceTtlSec: number;
  readonly clockToleranceSec: number;
}

/** Issues and verifies the app's session token and the inference token. The clock is injected. */
export class TokenService {
  private readonly session: Hs256Jwt;
  private readonly inference: Hs256Jwt;
  private readonly sessionVerifier: SessionTokenVerifier;
  private readonly inferenceVerifier: InferenceTokenVerifier;

  constructor(
    private readonly settings: TokenSettings,
    private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.session = new Hs256Jwt(hmacKey(settings.sessionSecret));
    this.inference = new Hs256Jwt(hmacKey(settings.inferenceSecret));
    this.sessionVerifier = new SessionTokenVerifier(settings.sessionSecret, settings.clockToleranceSec, nowSec);
    this.inferenceVerifier = new InferenceTokenVerifier(settings.inferenceSecret, settings.clockToleranceSec, nowSec);
  }

  issueSessionToken(sessionId: string, role: SessionRole, userId?: string): string {
    const iat = this.nowSec();
    const claims: SessionTokenClaims = {
      sub: sessionId,
      aud: SESSION_AUDIENCE,
      role,
      ...(userId !== undefined ? { uid: userId } : {}),
      iat,
      exp: iat + this.settings.sessionTtlSec,
      jti: newJti(),
    };
    return this.session.sign(claims);
  }

  issueInferenceToken(sessionId: string, userId?: string): string {
    const iat = this.nowSec();
    const claims: InferenceTokenClaims = {
      sub: sessionId,
      aud: INFERENCE_AUDIENCE,
      ...(userId !== undefined ? { uid: userId } : {}),
      iat,
      nbf: iat,
      exp: iat + this.settings.inferenceTtlSec,
      jti: newJti(),
    };
    return this.inference.sign(claims);
  }

  verifySessionToken(token: string): SessionTokenClaims {
    return this.sessionVerifier.verify(token);
  }

  verifyInferenceToken(token: string, sessionId: string): InferenceTokenClaims {
    return this.inferenceVerifier.verify(token, sessionId);
  }
}
