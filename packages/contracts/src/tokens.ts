/** Audience of the inference data-plane token. */
export const INFERENCE_AUDIENCE = 'inference-ws';
/** Audience of the app's session (STOMP) token. */
export const SESSION_AUDIENCE = 'session-ws';

/** Role carried by a session token. */
export type SessionRole = 'guest' | 'user';

/** Claims of the app's session token (STOMP `/ws?token=`). */
export interface SessionTokenClaims {
  readonly sub: string;
  readonly aud: typeof SESSION_AUDIENCE;
  readonly role: SessionRole;
  readonly uid?: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** Claims of the inference token (`/ws/{sessionId}?token=` on the data plane). */
export interface InferenceTokenClaims {
  readonly sub: string;
  readonly aud: typeof INFERENCE_AUDIENCE;
  readonly uid?: string;
  readonly iat: number;
  readonly nbf?: number;
  readonly exp: number;
  readonly jti: string;
}
