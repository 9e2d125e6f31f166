import {
  INFERENCE_AUDIENCE,
  SESSION_AUDIENCE,
  type InferenceTokenClaims,
  type SessionRole,
  type SessionTokenClaims,
} from '@squirret/contracts';
import { Hs256Jwt, hmacKey, newJti } from './jwt';

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

  constructor(
    private readonly settings: TokenSettings,
    private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.session = new Hs256Jwt(hmacKey(settings.sessionSecret));
    this.inference = new Hs256Jwt(hmacKey(settings.inferenceSecret));
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
    return this.session.verify<SessionTokenClaims>(token, {
      audience: SESSION_AUDIENCE,
      requiredClaims: ['sub', 'role'],
      clockToleranceSec: this.settings.clockToleranceSec,
      nowSec: this.nowSec(),
    });
  }

  verifyInferenceToken(token: string, sessionId: string): InferenceTokenClaims {
    return this.inference.verify<InferenceTokenClaims>(token, {
      audience: INFERENCE_AUDIENCE,
      subject: sessionId,
      requiredClaims: ['sub'],
      clockToleranceSec: this.settings.clockToleranceSec,
      nowSec: this.nowSec(),
    });
  }
}
