import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { selectSubprotocol } from './negotiate';
import { StompSession } from './session';
import type { StompAction, StompSendAction } from './session-actions';
import { stompClientLib, stompJs } from './testing/client-frames';
import { readLikeStompClientLib, readLikeStompJs } from './testing/client-readers';
import { decodeSend, expectError, sessionOptions, types } from './testing/session-harness';

const sends = (actions: readonly StompAction[]): StompSendAction[] =>
  actions.filter((a): a is StompSendAction => a.type === 'send');

/** What StompClientLib needs of every message we write: one frame, LF only, NUL last, nothing after. */
function assertStompClientLibSafe(data: Buffer | string): void {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  assert.equal(bytes.includes('\r'), false, 'no CR');
  assert.equal(bytes.indexOf(0), bytes.length - 1, 'exactly one NUL, at the very end');
}

describe('StompClientLib (iOS) conversation', () => {
  it('requests no subprotocol and must be given none', () => {
    assert.equal(selectSubprotocol([]), undefined);
  });

  it('connects, subscribes with id = destination, sends Korean JSON, receives by destination, disconnects', () => {
    const session = new StompSession(sessionOptions());
    const topic = '/topic/session/7f3a';

    const connect = session.receive(stompClientLib.connect());
    const connected = readLikeStompClientLib((sends(connect)[0] as StompSendAction).data);
    assert.equal(connected.command, 'CONNECTED');
    assert.equal(connected.headers['session'], 's1');
    assert.equal(connected.headers['version'], '1.2');

    assert.deepEqual(session.receive(stompClientLib.subscribe(topic)), [
      { type: 'subscribe', id: topic, destination: topic, ack: 'auto' },
    ]);

    const json = '{"type":"CLIENT_EVENT","name":"세트 시작","ts":1732570000}';
    const sent = session.receive(stompClientLib.sendJson('/app/session/7f3a/event', json));
    assert.equal(sent.length, 1);
    const msg = sent[0];
    assert.ok(msg?.type === 'message');
    assert.equal(msg.contentType, 'application/json;charset=UTF-8');
    assert.deepEqual(JSON.parse(msg.body.toString('utf8')), JSON.parse(json));

    const pushBody = '{"type":"FSR_FEEDBACK","text":"무릎이 안쪽으로 모입니다"}';
    const out = session.message(topic, topic, pushBody, { 'content-type': 'application/json' });
    assert.ok(out);
    assertStompClientLibSafe(out);
    const seen = readLikeStompClientLib(out);
    assert.equal(seen.command, 'MESSAGE');
    assert.equal(seen.headers['destination'], topic, 'StompClientLib routes by destination');
    assert.equal(seen.body, pushBody);
    assert.deepEqual(JSON.parse(seen.body), JSON.parse(pushBody));

    assert.deepEqual(session.receive(stompClientLib.unsubscribe(topic)), [
      { type: 'unsubscribe', id: topic, destination: topic },
    ]);
    assert.deepEqual(session.receive(stompClientLib.disconnect(1_732_570_000)), [{ type: 'close', reason: 'disconnect' }]);
  });

  it('gets every server frame as one LF-only message it can read, including ERROR', () => {
    const session = new StompSession(sessionOptions());
    const all = [...session.receive(stompClientLib.connect()), ...session.receive(stompClientLib.subscribe('/a'))];
    all.push(...session.receive('SEND\ndestination:/a\nreceipt:r1\n\n{}\0'));
    all.push(...session.receive('BEGIN\ntransaction:t\n\n\0'));
    const frames = sends(all);
    assert.deepEqual(
      frames.map((s) => readLikeStompClientLib(s.data).command),
      ['CONNECTED', 'RECEIPT', 'ERROR'],
    );
    for (const s of frames) assertStompClientLibSafe(s.data);
    const error = readLikeStompClientLib((frames[2] as StompSendAction).data);
    assert.equal(error.headers['message'], 'transactions are not supported', 'its delegate needs the message header');
  });

  it('never answers its heart-beat reply, so there is no ping-pong', () => {
    const session = new StompSession(sessionOptions());
    session.receive(stompClientLib.connect());
    for (let i = 0; i < 5; i++) assert.deepEqual(session.receive(stompClientLib.pong()), [{ type: 'heartbeat' }]);
  });
});

describe('@stomp/stompjs 7 conversation', () => {
  it('asks for v12/v11/v10 subprotocols and gets v12.stomp', () => {
    assert.equal(selectSubprotocol(['v12.stomp', 'v11.stomp', 'v10.stomp']), 'v12.stomp');
  });

  it('connects with heart-beats, receives MESSAGE by subscription, and gets the RECEIPT of its DISCONNECT', () => {
    const session = new StompSession(sessionOptions());
    const connect = session.receive(stompJs.connect());
    const connected = readLikeStompJs((sends(connect)[0] as StompSendAction).data);
    assert.equal(connected.command, 'CONNECTED');
    assert.equal(connected.headers['version'], '1.2');
    assert.equal(connected.headers['heart-beat'], '10000,10000');

    session.receive(stompJs.subscribe('sub-0', '/topic/a'));
    session.receive(stompJs.subscribe('sub-1', '/topic/a'));
    for (const id of ['sub-0', 'sub-1']) {
      const out = session.message(id, '/topic/a', '{"n":"둘"}', { 'content-type': 'application/json' });
      assert.ok(out);
      const seen = readLikeStompJs(out);
      assert.equal(seen.headers['subscription'], id, 'stompjs routes by subscription');
      assert.equal(seen.body, '{"n":"둘"}');
    }

    assert.deepEqual(types(session.receive(stompJs.heartbeat())), ['heartbeat']);

    const bye = session.receive(stompJs.disconnect('close-2'));
    assert.deepEqual(types(bye), ['send', 'close']);
    const receipt = readLikeStompJs((bye[0] as StompSendAction).data);
    assert.equal(receipt.command, 'RECEIPT');
    assert.equal(receipt.headers['receipt-id'], 'close-2');
  });

  it('reads escaped header values the way stompjs unescapes them', () => {
    const session = new StompSession(sessionOptions());
    session.receive(stompJs.connect());
    session.receive(stompJs.subscribe('sub-0', '/topic/a'));
    const out = session.message('sub-0', '/topic/a', 'x', { 'x-note': 'a:b\nc', 'x-path': 'C:\\dir' });
    assert.ok(out);
    assert.equal(readLikeStompJs(out).headers['x-note'], 'a:b\nc');
    assert.equal(readLikeStompJs(out).headers['x-path'], 'C:\\dir');
  });

  it('documents a stompjs quirk: it unescapes \\c as \\: (so avoid a backslash before c/n/r in values)', () => {
    const session = new StompSession(sessionOptions());
    session.receive(stompJs.connect());
    session.receive(stompJs.subscribe('sub-0', '/topic/a'));
    const out = session.message('sub-0', '/topic/a', 'x', { 'x-note': 'b\\c' });
    assert.ok(out);
    assert.match(out.toString(), /\nx-note:b\\\\c\n/, 'we escape correctly');
    assert.equal(readLikeStompJs(out).headers['x-note'], 'b\\:', 'stompjs replaces \\c before \\\\');
  });

  it('gets an ERROR it can read for a protocol violation', () => {
    const session = new StompSession(sessionOptions());
    session.receive(stompJs.connect());
    const actions = session.receive(stompJs.subscribe('', '/topic/a'));
    expectError(actions, 'SUBSCRIBE needs an id header');
    const seen = readLikeStompJs(decodeSend(actions[0]) && (actions[0] as StompSendAction).data);
    assert.equal(seen.command, 'ERROR');
    assert.equal(seen.headers['message'], 'SUBSCRIBE needs an id header');
  });
});
