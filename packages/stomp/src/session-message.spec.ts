import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { header } from './frame';
import { StompSession } from './session';
import { stompJs } from './testing/client-frames';
import { connectedSession, decodeSend, sessionOptions } from './testing/session-harness';

function push(session: StompSession, ...args: Parameters<StompSession['message']>) {
  const out = session.message(...args);
  assert.ok(out, 'expected a MESSAGE');
  return decodeSend({ type: 'send', data: out });
}

describe('StompSession.message', () => {
  it('builds subscription, message-id, destination, content-type, content-length in that order', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('sub-0', '/topic/session/abc'));
    const body = '{"type":"FSR_FEEDBACK","text":"무릎을 펴세요"}';
    const out = session.message('sub-0', '/topic/session/abc', body, { 'content-type': 'application/json' });
    assert.ok(out);
    assert.equal(
      out.toString(),
      'MESSAGE\nsubscription:sub-0\nmessage-id:s1-1\ndestination:/topic/session/abc\n' +
        `content-type:application/json\ncontent-length:${Buffer.byteLength(body)}\n\n${body}\0`,
    );
  });

  it('gives message-ids unique within the session, prefixed by the session id', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('a', '/a'));
    const ids = Array.from({ length: 50 }, () => header(push(session, 'a', '/a', 'x'), 'message-id'));
    assert.equal(new Set(ids).size, 50);
    assert.equal(ids[0], 's1-1');
    assert.equal(ids[49], 's1-50');
    const bare = connectedSession('stompjs', { sessionId: undefined });
    bare.receive(stompJs.subscribe('a', '/a'));
    assert.equal(header(push(bare, 'a', '/a', 'x'), 'message-id'), '1');
  });

  it('defaults the content type by body kind', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('a', '/a'));
    assert.equal(header(push(session, 'a', '/a', 'text'), 'content-type'), 'text/plain;charset=UTF-8');
    assert.equal(header(push(session, 'a', '/a', Buffer.from([1, 2])), 'content-type'), 'application/octet-stream');
  });

  it('appends application headers but never lets them replace the session-owned ones', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('a', '/a'));
    const frame = push(session, 'a', '/a', 'x', [
      ['subscription', 'evil'],
      ['message-id', 'evil'],
      ['destination', '/evil'],
      ['content-length', '999'],
      ['ack', 'evil'],
      ['x-trace', 't1'],
    ]);
    assert.deepEqual(frame.headers, [
      ['subscription', 'a'],
      ['message-id', 's1-1'],
      ['destination', '/a'],
      ['content-type', 'text/plain;charset=UTF-8'],
      ['content-length', '1'],
      ['x-trace', 't1'],
    ]);
  });

  it('carries a body with NULs intact (content-length framing)', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('a', '/a'));
    const body = Buffer.from([0, 0, 1, 0]);
    assert.deepEqual(push(session, 'a', '/a', body).body, body);
  });

  it('adds an ack header for client and client-individual subscriptions (STOMP 1.2)', () => {
    const session = connectedSession();
    session.receive('SUBSCRIBE\nid:c\ndestination:/c\nack:client\n\n\0');
    session.receive('SUBSCRIBE\nid:auto\ndestination:/d\n\n\0');
    const frame = push(session, 'c', '/c', 'x');
    assert.equal(header(frame, 'ack'), header(frame, 'message-id'));
    assert.equal(header(push(session, 'auto', '/d', 'x'), 'ack'), undefined);
  });

  it('escapes header values, so a colon or newline in a destination round-trips', () => {
    const session = connectedSession();
    session.receive('SUBSCRIBE\nid:q\\c1\ndestination:/queue\\cweird\n\n\0');
    const frame = push(session, 'q:1', '/queue:weird', 'x', { note: 'a\nb' });
    assert.equal(header(frame, 'subscription'), 'q:1');
    assert.equal(header(frame, 'destination'), '/queue:weird');
    assert.equal(header(frame, 'note'), 'a\nb');
  });

  it('returns undefined for an unknown subscription, before CONNECT and after close', () => {
    const fresh = new StompSession(sessionOptions());
    assert.equal(fresh.message('a', '/a', 'x'), undefined);
    const session = connectedSession();
    assert.equal(session.message('nope', '/a', 'x'), undefined);
    session.receive(stompJs.subscribe('a', '/a'));
    session.receive(stompJs.unsubscribe('a'));
    assert.equal(session.message('a', '/a', 'x'), undefined);
    session.receive(stompJs.subscribe('b', '/b'));
    session.receive(stompJs.disconnect('r'));
    assert.equal(session.message('b', '/b', 'x'), undefined);
  });
});
