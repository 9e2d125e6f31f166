import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createFrame, header, isEscapeExempt, toHeaderList } from './frame';

describe('header', () => {
  it('returns the first occurrence of a repeated header (STOMP 1.2)', () => {
    const frame = createFrame('MESSAGE', [
      ['foo', 'first'],
      ['foo', 'second'],
    ]);
    assert.equal(header(frame, 'foo'), 'first');
  });

  it('is case-sensitive and undefined for a missing header', () => {
    const frame = createFrame('SEND', { destination: '/a' });
    assert.equal(header(frame, 'Destination'), undefined);
    assert.equal(header(frame, 'missing'), undefined);
  });

  it('keeps an empty value distinct from a missing header', () => {
    assert.equal(header(createFrame('SEND', { destination: '' }), 'destination'), '');
  });
});

describe('createFrame', () => {
  it('encodes a string body as UTF-8', () => {
    const frame = createFrame('SEND', [], '스쿼트');
    assert.deepEqual(frame.body, Buffer.from('스쿼트', 'utf8'));
    assert.equal(frame.body.length, 9);
  });

  it('defaults to no headers and an empty body', () => {
    const frame = createFrame('DISCONNECT');
    assert.deepEqual(frame.headers, []);
    assert.equal(frame.body.length, 0);
  });

  it('accepts a record or a list, keeping order', () => {
    assert.deepEqual(toHeaderList({ a: '1', b: '2' }), [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.deepEqual(toHeaderList([['b', '2'], ['a', '1']]), [
      ['b', '2'],
      ['a', '1'],
    ]);
    assert.deepEqual(toHeaderList(undefined), []);
  });
});

describe('isEscapeExempt', () => {
  it('exempts exactly CONNECT and CONNECTED', () => {
    assert.equal(isEscapeExempt('CONNECT'), true);
    assert.equal(isEscapeExempt('CONNECTED'), true);
    for (const c of ['STOMP', 'SEND', 'MESSAGE', 'ERROR', 'connect']) assert.equal(isEscapeExempt(c), false);
  });
});
