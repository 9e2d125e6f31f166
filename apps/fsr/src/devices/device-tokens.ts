import { Hs256Jwt, JwtError, hmacKey, newJti } from '@squirret/auth';
import { AppError, FSR_DEVICE_AUDIENCE, type FsrDeviceTokenClaims } from '@squirret/contracts';

/** Settings of device tokens; no secret means tokens are off and ingest is open. */
export interface DeviceTokenSettings {
  readonly secret: string | undefined;
  readonly ttlSec: number;
  readonly clockToleranceSec?: number;
}

/**
 * Device tokens: HS256 JWTs with `aud fsr-device`, `sub` the device id and `gen` the device's token
 * generation, issued by the internal admin endpoint. Checking one costs an HMAC and a map lookup
 * (`generationOf`, see TokenGenerations), no round trip on the hot path; a token whose generation
 * is behind its device's was revoked.
 */
export class DeviceTokens {
  private readonly jwt: Hs256Jwt | undefined;

  constructor(
    private readonly settings: DeviceTokenSettings,
    private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000),
    private readonly generationOf: (deviceId: string) => number = () => 0,
  ) {
    this.jwt = settings.secret ? new Hs256Jwt(hmacKey(settings.secret)) : undefined;
  }

  /** Whether ingest needs a token (a secret is configured). */
  get required(): boolean {
    return this.jwt !== undefined;
  }

  /** Throws DEVICE_TOKENS_DISABLED (409) when no secret is configured. */
  assertEnabled(): void {
    if (!this.jwt) throw new AppError('DEVICE_TOKENS_DISABLED', 'device tokens are not configured (FSR_DEVICE_TOKEN_SECRET)');
  }

  /** A token for the device at its current token generation. */
  issue(deviceId: string, generation: number): { token: string; expiresAt: string } {
    this.assertEnabled();
    const iat = this.nowSec();
    const claims: FsrDeviceTokenClaims = {
      sub: deviceId,
      aud: FSR_DEVICE_AUDIENCE,
      iat,
      exp: iat + this.settings.ttlSec,
      jti: newJti(),
      ...(generation > 0 ? { gen: generation } : {}),
    };
    return { token: this.jwt!.sign(claims), expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  /**
   * Checks the `Authorization: Bearer` header for the device when tokens are required:
   * none or invalid is UNAUTHORIZED, a valid token of another device is FORBIDDEN.
   */
  authorize(authorization: string | undefined, deviceId: string): void {
    if (!this.jwt) return;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new AppError('UNAUTHORIZED', 'a device token is required: Authorization: Bearer <token>');
    let claims: FsrDeviceTokenClaims;
    try {
      claims = this.jwt.verify<FsrDeviceTokenClaims>(m[1]!, {
        audience: FSR_DEVICE_AUDIENCE,
        requiredClaims: ['sub'],
        clockToleranceSec: this.settings.clockToleranceSec ?? 5,
        nowSec: this.nowSec(),
      });
    } catch (err) {
      if (err instanceof JwtError) throw new AppError('UNAUTHORIZED', `device token refused: ${err.message}`);
      throw err;
    }
    if (claims.sub !== deviceId) throw new AppError('FORBIDDEN', `the device token is not for device ${deviceId}`);
    const gen = claims.gen ?? 0;
    if (!Number.isInteger(gen) || gen < this.generationOf(deviceId)) throw new AppError('UNAUTHORIZED', 'device token refused: revoked');
  }
}
