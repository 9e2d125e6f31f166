import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TokenService } from './tokens';
import { JwtError } from './jwt';

const settings = {
  sessionSecret: 'session-secret-session-secret-session-secret',
  inferenceSecret: 'inference-secret-inference-secret-inference',
  sessionTtlSec: 3600,
  inferenceTtlSec: 900,
  clockToleranceSec: 5,
};

describe('TokenService', () => {
  let now = 1_800_000_000;
  const tokens = new TokenService(settings, () => now);

  it('issues an inference token jose verifies with aud inference-ws and sub = sessionId', async () => {
    const jose = await import('jose');
    const token = tokens.issueInferenceToken('0b7f6c1e-5d1c-4a41-9d8b-1d7e1f0b2a3c', 'user123');
    const { payload, protectedHeader } = await jose.jwtVerify(token, new TextEncoder().encode(settings.inferenceSecret), {
      algorithms: ['HS256'],
      audience: 'inference-ws',
      subject: '0b7f6c1e-5d1c-4a41-9d8b-1d7e1f0b2a3c',
      currentDate: new Date(now * 1000),
    });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.exp, now + 900);
    assert.equal(payload.iat, now);
    assert.equal(typeof payload.jti, 'string');
    assert.equal(payload.uid, 'user123');
  });

  it('keeps the two token kinds apart: an inference token is no session token and vice versa', () => {
    const inf = tokens.issueInferenceToken('s1');
    const ses = tokens.issueSessionToken('s1', 'guest');
    assert.throws(() => tokens.verifySessionToken(inf), JwtError);
    assert.throws(() => tokens.verifyInferenceToken(ses, 's1'), JwtError);
    assert.equal(tokens.verifySessionToken(ses).role, 'guest');
    assert.equal(tokens.verifyInferenceToken(inf, 's1').sub, 's1');
  });

  it('refuses an inference token for another session', () => {
    const inf = tokens.issueInferenceToken('s1');
    assert.throws(() => tokens.verifyInferenceToken(inf, 's2'), (e: unknown) => e instanceof JwtError && e.reason === 'BAD_SUBJECT');
  });

  it('expires inference tokens after the configured TTL', () => {
    const inf = tokens.issueInferenceToken('s1');
    now += 900 + 5;
    assert.throws(() => tokens.verifyInferenceToken(inf, 's1'), (e: unknown) => e instanceof JwtError && e.reason === 'EXPIRED');
  });
});
