import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Hs256Jwt, hmacKey } from '@squirret/auth';
import { SpringTokenError, SpringTokenVerifier, normalizeRole, type SpringTokenOptions } from './spring-token.verifier';

const RAW = 'spring-shared-secret-spring-shared-secret-1234';
const NOW = 1_800_000_000;
const options = (over: Partial<SpringTokenOptions> = {}): SpringTokenOptions => ({
  secret: RAW,
  encoding: 'raw',
  userIdClaim: 'sub',
  roleClaim: 'role',
  coupleIdClaim: 'couple_id',
  nameClaim: 'name',
  trainerRole: 'TRAINER',
  audience: undefined,
  clockToleranceSec: 5,
  ...over,
});
const sign = (claims: Record<string, unknown>, secret: string | Buffer = RAW) =>
  new Hs256Jwt(hmacKey(secret)).sign({ sub: 'u1', iat: NOW, exp: NOW + 60, ...claims } as Parameters<Hs256Jwt['sign']>[0]);
const refused = (fn: () => unknown, reason: RegExp) => assert.throws(fn, (e: unknown) => e instanceof SpringTokenError && reason.test(e.reason));

describe('SpringTokenVerifier', () => {
  it('reads the user id, roles, couple id and name from the configured claims', () => {
    const v = new SpringTokenVerifier(options());
    const id = v.verify(sign({ role: 'ROLE_TRAINER', couple_id: '7', name: ' 김코치 ' }), NOW);
    assert.equal(id.userId, 'u1');
    assert.deepEqual([...id.roles], ['TRAINER']);
    assert.equal(id.coupleId, 7);
    assert.equal(id.name, '김코치');
    assert.equal(v.isTrainer(id), true);
  });

  it('takes the user id from another claim (numbers too) and roles from Spring authorities', () => {
    const v = new SpringTokenVerifier(options({ userIdClaim: 'userId', roleClaim: 'authorities' }));
    const id = v.verify(sign({ userId: 42, authorities: [{ authority: 'ROLE_USER' }, 'trainer'] }), NOW);
    assert.equal(id.userId, '42');
    assert.deepEqual([...id.roles].sort(), ['TRAINER', 'USER']);
    assert.equal(id.coupleId, null);
  });

  it('accepts a base64-encoded secret as Spring JJWT setups keep it', () => {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef-binary-key', 'utf8');
    const v = new SpringTokenVerifier(options({ secret: bytes.toString('base64'), encoding: 'base64' }));
    assert.equal(v.verify(sign({}, bytes), NOW).userId, 'u1');
    // The same text used raw is a different key.
    refused(() => new SpringTokenVerifier(options({ secret: bytes.toString('base64'), encoding: 'raw' })).verify(sign({}, bytes), NOW), /signature/);
  });

  it('refuses expired, forged, unsigned and malformed tokens, and tokens without a user id', () => {
    const v = new SpringTokenVerifier(options());
    refused(() => v.verify(sign({ exp: NOW - 10 }), NOW), /expired/);
    refused(() => v.verify(sign({}, 'another-secret-another-secret-another-secret'), NOW), /signature/);
    refused(() => v.verify(undefined, NOW), /missing/);
    refused(() => v.verify('a.b.c', NOW), /malformed/);
    refused(() => v.verify(sign({ sub: undefined, exp: NOW + 60 }), NOW), /no usable sub/);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', exp: NOW + 60 })).toString('base64url')}.`;
    refused(() => v.verify(none, NOW), /algorithm/);
    // HS512 with the right key is still refused: the algorithm is pinned.
    const h = Buffer.from('{"alg":"HS512","typ":"JWT"}').toString('base64url');
    const p = Buffer.from(JSON.stringify({ sub: 'u1', exp: NOW + 60 })).toString('base64url');
    refused(() => v.verify(`${h}.${p}.${createHmac('sha512', RAW).update(`${h}.${p}`).digest('base64url')}`, NOW), /algorithm/);
  });

  it('checks the audience only when one is configured, and says so when no secret is configured', () => {
    refused(() => new SpringTokenVerifier(options({ audience: 'chat' })).verify(sign({ aud: 'other' }), NOW), /audience/);
    assert.equal(new SpringTokenVerifier(options({ audience: 'chat' })).verify(sign({ aud: ['x', 'chat'] }), NOW).userId, 'u1');
    refused(() => new SpringTokenVerifier(options({ secret: undefined })).verify(sign({}), NOW), /not configured/);
  });

  it('normalizes roles', () => {
    assert.deepEqual(['ROLE_TRAINER', 'trainer', ' Trainer '].map(normalizeRole), ['TRAINER', 'TRAINER', 'TRAINER']);
  });
});
