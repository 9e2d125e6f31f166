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
});

describe('sessionIdFromUrl', () => {
  it('finds the session id in session and ws paths', () => {
    const id = '0b7f6c1e-5d1c-4a41-9d8b-1d7e1f0b2a3c';
    assert.equal(sessionIdFromUrl(`/api/session/${id}/finish`), id);
    assert.equal(sessionIdFromUrl(`/ws/${id}?token=x`), id);
    assert.equal(sessionIdFromUrl('/api/session'), undefined);
  });
});
