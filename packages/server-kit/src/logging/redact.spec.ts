import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { redactUrl, sessionIdFromUrl } from './redact';

describe('redactUrl', () => {
  it('removes every secret query value and keeps the rest', () => {
    assert.equal(redactUrl('/ws?token=eyJ.abc.def'), '/ws?token=[REDACTED]');
    assert.equal(redactUrl('/ws/x?a=1&token=t&b=2'), '/ws/x?a=1&token=[REDACTED]&b=2');
    assert.equal(redactUrl('/x?access_token=a&api_key=b&wsToken=c'), '/x?access_token=[REDACTED]&api_key=[REDACTED]&wsToken=[REDACTED]');
    assert.equal(redactUrl('/api/session'), '/api/session');
  });

  it('redacts every secret-bearing name the attack found logged in clear (docs/robustness.md)', () => {
    for (const name of ['x-internal-api-key', 'X-Internal-Api-Key', 'refresh_token', 'id_token', 'jwt', 'auth', 'authorization', '%74oken', '%54OKEN', 'client_secret', 'password', 'sig', 'code']) {
      const out = redactUrl(`/api/fsr_data?deviceId=a&${name}=SECRET123&x=1`);
      assert.equal(out, `/api/fsr_data?deviceId=a&${name}=[REDACTED]&x=1`, name);
    }
    assert.equal(redactUrl('/ws?deviceId=a;token=SECRET123'), '/ws?deviceId=a;token=[REDACTED]');
    assert.equal(redactUrl('/ws?%E0%A4%A=SECRET123'), '/ws?%E0%A4%A=[REDACTED]', 'an undecodable name counts as secret');
  });

  it('removes a JWT wherever it appears, with or without a name', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
    assert.equal(redactUrl(`/ws?${jwt}`), '/ws?[REDACTED]');
    assert.equal(redactUrl(`/ws?q=${jwt}`), '/ws?q=[REDACTED]');
    assert.equal(redactUrl(`/x/${jwt}/y`), '/x/[REDACTED]/y');
  });

  it('keeps harmless parameters', () => {
    assert.equal(redactUrl('/ws/fsr-data?deviceId=left-1&lastMessageId=5'), '/ws/fsr-data?deviceId=left-1&lastMessageId=5');
  });
});

describe('sessionIdFromUrl', () => {
  it('finds the session id in session and ws paths', () => {
    const id = '0b7f6c1e-5d1c-4a41-9d8b-1d7e1f0b2a3c';
    assert.equal(sessionIdFromUrl(`/api/session/${id}/finish`), id);
    assert.equal(sessionIdFromUrl(`/ws/${id}?token=x`), id);
    assert.equal(sessionIdFromUrl('/api/session'), undefined);
  });
});
