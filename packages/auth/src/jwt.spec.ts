import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Hs256Jwt, JwtError, hmacKey } from './jwt';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long!!';
const NOW = 1_800_000_000;
const jwt = new Hs256Jwt(hmacKey(SECRET));

function forge(header: object, payload: object, secret = SECRET): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

function refusedWith(fn: () => unknown, reason: JwtError['reason']): void {
  assert.throws(fn, (e: unknown) => e instanceof JwtError && e.reason === reason);
}

describe('Hs256Jwt', () => {
  const claims = { sub: 's-1', aud: 'inference-ws', iat: NOW, exp: NOW + 900, jti: 'j' };

  it('round-trips claims', () => {
    const token = jwt.sign(claims);
    assert.deepEqual(jwt.verify(token, { audience: 'inference-ws', subject: 's-1', nowSec: NOW }), claims);
  });

  it('refuses alg none, even with an empty signature', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
    refusedWith(() => jwt.verify(`${h}.${p}.`, { nowSec: NOW }), 'BAD_ALGORITHM');
  });

  it('refuses HS512 and RS256 headers', () => {
    refusedWith(() => jwt.verify(forge({ alg: 'HS512' }, claims), { nowSec: NOW }), 'BAD_ALGORITHM');
    refusedWith(() => jwt.verify(forge({ alg: 'RS256' }, claims), { nowSec: NOW }), 'BAD_ALGORITHM');
  });

  it('refuses another secret', () => {
    const other = forge({ alg: 'HS256', typ: 'JWT' }, claims, 'another-secret-that-is-also-32-bytes-long!!');
    refusedWith(() => jwt.verify(other, { nowSec: NOW }), 'BAD_SIGNATURE');
  });

  it('accepts a signature only in its canonical base64url spelling (docs/robustness.md)', () => {
    const token = jwt.sign(claims);
    const sig = token.split('.')[2]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    // 32 bytes in 43 characters: the last one carries 2 unused bits, so 3 other characters decode to the same bytes.
    const twins = [0, 1, 2, 3].map((low) => alphabet[(last & ~3) | low]!).filter((c) => c !== sig.at(-1));
    assert.equal(twins.length, 3);
    for (const c of twins) {
      const other = `${token.slice(0, -1)}${c}`;
      assert.deepEqual(Buffer.from(other.split('.')[2]!, 'base64url'), Buffer.from(sig, 'base64url'), 'same bytes');
      refusedWith(() => jwt.verify(other, { nowSec: NOW }), 'BAD_SIGNATURE');
    }
    refusedWith(() => jwt.verify(`${token}=`, { nowSec: NOW }), 'BAD_SIGNATURE');
    refusedWith(() => jwt.verify(`${token.slice(0, -sig.length)}${Buffer.from(sig, 'base64url').toString('base64')}`, { nowSec: NOW }), 'BAD_SIGNATURE');
    assert.ok(jwt.verify(token, { nowSec: NOW }));
  });

  it('refuses a tampered payload', () => {
    const [h, , s] = jwt.sign(claims).split('.');
    const p = Buffer.from(JSON.stringify({ ...claims, sub: 's-2' })).toString('base64url');
    refusedWith(() => jwt.verify(`${h}.${p}.${s}`, { nowSec: NOW }), 'BAD_SIGNATURE');
  });

  it('checks exp with the clock skew', () => {
    const token = jwt.sign(claims);
    assert.ok(jwt.verify(token, { nowSec: NOW + 900 + 4, clockToleranceSec: 5 }));
    refusedWith(() => jwt.verify(token, { nowSec: NOW + 900 + 5, clockToleranceSec: 5 }), 'EXPIRED');
  });

  it('checks nbf and a future iat', () => {
    refusedWith(() => jwt.verify(jwt.sign({ ...claims, nbf: NOW + 60 }), { nowSec: NOW }), 'NOT_YET_VALID');
    refusedWith(() => jwt.verify(jwt.sign({ ...claims, iat: NOW + 60 }), { nowSec: NOW }), 'ISSUED_IN_FUTURE');
  });

  it('checks aud and sub', () => {
    const token = jwt.sign(claims);
    refusedWith(() => jwt.verify(token, { audience: 'session-ws', nowSec: NOW }), 'BAD_AUDIENCE');
    refusedWith(() => jwt.verify(token, { subject: 's-2', nowSec: NOW }), 'BAD_SUBJECT');
    refusedWith(() => jwt.verify(jwt.sign({ ...claims, aud: undefined }), { audience: 'inference-ws', nowSec: NOW }), 'BAD_AUDIENCE');
    assert.ok(jwt.verify(jwt.sign({ ...claims, aud: ['x', 'inference-ws'] }), { audience: 'inference-ws', nowSec: NOW }));
  });

  it('requires exp', () => {
    const { exp: _exp, ...noExp } = claims;
    refusedWith(() => jwt.verify(forge({ alg: 'HS256' }, noExp), { nowSec: NOW }), 'MISSING_CLAIM');
  });

  it('refuses garbage without echoing it', () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '!!.??.##', 'e30.e30', `${'x'.repeat(9000)}.a.b`]) {
      assert.throws(
        () => jwt.verify(bad, { nowSec: NOW }),
        (e: unknown) => e instanceof JwtError && (bad.length < 4 || !e.message.includes(bad)),
      );
    }
  });

  it('refuses secrets shorter than 256 bits', () => {
    assert.throws(() => hmacKey('short'), /at least 32 bytes/);
  });

  it('accepts a base64-encoded secret as Spring keeps it', () => {
    const raw = Buffer.from(SECRET);
    const fromB64 = new Hs256Jwt(hmacKey(raw.toString('base64'), 'base64'));
    assert.ok(fromB64.verify(jwt.sign(claims), { nowSec: NOW }));
  });
});
