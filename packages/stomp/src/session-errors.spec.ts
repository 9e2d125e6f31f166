import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { header } from './frame';
import { StompSession } from './session';
import type { StompCloseReason } from './session-actions';
import { stompClientLib, stompJs } from './testing/client-frames';
import { connectedSession, expectError, sessionOptions, types } from './testing/session-harness';

type Start = 'awaiting-connect' | 'connected' | 'subscribed';

/** One protocol violation: where the session starts, what arrives, and the ERROR it must produce. */
interface ErrorCase {
  readonly name: string;
  readonly start: Start;
  readonly input: string | Buffer;
  readonly message: string;
  readonly reason?: StompCloseReason;
}

function start(state: Start): StompSession {
  if (state === 'awaiting-connect') return new StompSession(sessionOptions({ limits: { maxFrameBytes: 4096 } }));
  const session = connectedSession('stompjs', { limits: { maxFrameBytes: 4096, maxHeaders: 8 } });
  if (state === 'subscribed') session.receive(stompJs.subscribe('sub-0', '/topic/a'));
  return session;
}

const cases: ErrorCase[] = [
  // lifecycle
  {
    name: 'SEND before CONNECT', start: 'awaiting-connect',
    input: stompJs.publishJson('/a', '{}'),
    message: 'expected CONNECT or STOMP, got SEND',
  },
  {
    name: 'SUBSCRIBE before CONNECT', start: 'awaiting-connect',
    input: stompClientLib.subscribe('/a'),
    message: 'expected CONNECT or STOMP, got SUBSCRIBE',
  },
  {
    name: 'DISCONNECT before CONNECT', start: 'awaiting-connect',
    input: 'DISCONNECT\n\n\0',
    message: 'expected CONNECT or STOMP, got DISCONNECT',
  },
  { name: 'a second CONNECT', start: 'connected', input: stompJs.connect(), message: 'already connected' },
  {
    name: 'STOMP after CONNECT', start: 'connected',
    input: 'STOMP\naccept-version:1.2\n\n\0',
    message: 'already connected',
  },
  // CONNECT negotiation
  {
    name: 'no common version', start: 'awaiting-connect',
    input: 'CONNECT\naccept-version:2.0\n\n\0',
    message: 'unsupported protocol version',
  },
  {
    name: 'malformed heart-beat', start: 'awaiting-connect',
    input: 'CONNECT\naccept-version:1.2\nheart-beat:fast\n\n\0',
    message: 'invalid heart-beat header',
  },
  // SUBSCRIBE / UNSUBSCRIBE
  {
    name: 'SUBSCRIBE without id', start: 'connected',
    input: 'SUBSCRIBE\ndestination:/a\n\n\0',
    message: 'SUBSCRIBE needs an id header',
  },
  {
    name: 'SUBSCRIBE with an empty id', start: 'connected',
    input: 'SUBSCRIBE\nid:\ndestination:/a\n\n\0',
    message: 'SUBSCRIBE needs an id header',
  },
  {
    name: 'SUBSCRIBE without destination', start: 'connected',
    input: 'SUBSCRIBE\nid:1\n\n\0',
    message: 'SUBSCRIBE needs a destination header',
  },
  {
    name: 'duplicate subscription id', start: 'subscribed',
    input: stompJs.subscribe('sub-0', '/topic/b'),
    message: 'subscription id sub-0 is already in use',
  },
  {
    name: 'unknown ack mode', start: 'connected',
    input: 'SUBSCRIBE\nid:1\ndestination:/a\nack:sometimes\n\n\0',
    message: 'unsupported ack mode sometimes',
  },
  {
    name: 'UNSUBSCRIBE without id', start: 'subscribed',
    input: 'UNSUBSCRIBE\ndestination:/topic/a\n\n\0',
    message: 'UNSUBSCRIBE needs an id header',
  },
  {
    name: 'UNSUBSCRIBE of an unknown id', start: 'subscribed',
    input: stompJs.unsubscribe('sub-9'),
    message: 'no subscription with id sub-9',
  },
  // SEND
  {
    name: 'SEND without destination', start: 'connected',
    input: 'SEND\ncontent-type:text/plain\n\nhi\0',
    message: 'SEND needs a destination header',
  },
  {
    name: 'SEND in a transaction', start: 'connected',
    input: 'SEND\ndestination:/a\ntransaction:tx1\n\nhi\0',
    message: 'transactions are not supported',
  },
  // ACK / NACK
  {
    name: 'ACK without id', start: 'connected',
    input: 'ACK\nsubscription:1\n\n\0',
    message: 'ACK needs an id header',
  },
  { name: 'NACK without id', start: 'connected', input: 'NACK\n\n\0', message: 'NACK needs an id header' },
  {
    name: 'ACK in a transaction', start: 'connected',
    input: 'ACK\nid:1\ntransaction:t\n\n\0',
    message: 'transactions are not supported',
  },
  // transactions
  {
    name: 'BEGIN', start: 'connected',
    input: 'BEGIN\ntransaction:tx1\n\n\0',
    message: 'transactions are not supported',
  },
  {
    name: 'COMMIT', start: 'connected',
    input: 'COMMIT\ntransaction:tx1\n\n\0',
    message: 'transactions are not supported',
  },
  {
    name: 'ABORT', start: 'connected',
    input: 'ABORT\ntransaction:tx1\n\n\0',
    message: 'transactions are not supported',
  },
  // unknown commands, including server-only ones and wrong case
  {
    name: 'unknown command', start: 'connected',
    input: 'PUBLISH\ndestination:/a\n\n\0',
    message: 'unknown command PUBLISH',
  },
  {
    name: 'server command MESSAGE from a client', start: 'connected',
    input: 'MESSAGE\n\n\0',
    message: 'unknown command MESSAGE',
  },
  {
    name: 'lower-case command', start: 'connected',
    input: 'send\ndestination:/a\n\n\0',
    message: 'unknown command send',
  },
  {
    name: 'very long unknown command is cut short', start: 'connected',
    input: `${'X'.repeat(100)}\n\n\0`,
    message: `unknown command ${'X'.repeat(64)}...`,
  },
  // parse errors
  {
    name: 'undefined escape', start: 'connected',
    input: 'SEND\ndestination:/a\\t\n\n\0',
    message: 'header has an undefined escape sequence',
  },
  {
    name: 'header without colon', start: 'connected',
    input: 'SEND\ndestination\n\n\0',
    message: 'header line without a name and a colon',
  },
  {
    name: 'missing NUL after content-length', start: 'connected',
    input: 'SEND\ndestination:/a\ncontent-length:1\n\nab\0',
    message: 'frame body not followed by NUL',
  },
  {
    name: 'bad content-length', start: 'connected',
    input: 'SEND\ndestination:/a\ncontent-length:-3\n\nab\0',
    message: 'content-length is not a non-negative integer',
  },
  {
    name: 'headers not UTF-8', start: 'connected',
    input: Buffer.concat([Buffer.from('SEND\nd:'), Buffer.from([0xff]), Buffer.from('\n\n\0')]),
    message: 'frame headers are not valid UTF-8',
  },
  { name: 'stray CR', start: 'connected', input: '\rSEND', message: 'CR not followed by LF' },
  {
    name: 'parse error before CONNECT', start: 'awaiting-connect',
    input: 'CONNECT\nbroken\n\n\0',
    message: 'header line without a name and a colon',
  },
  {
    name: 'frame too large', start: 'connected',
    input: `SEND\ndestination:/a\n\n${'x'.repeat(5000)}\0`,
    message: 'frame larger than 4096 bytes', reason: 'too-large',
  },
  {
    name: 'declared body too large', start: 'connected',
    input: 'SEND\ndestination:/a\ncontent-length:999999\n\n',
    message: 'body larger than 65536 bytes', reason: 'too-large',
  },
  {
    name: 'too many headers', start: 'connected',
    input: `SEND\n${'a:b\n'.repeat(9)}\n\0`,
    message: 'more than 8 headers', reason: 'too-large',
  },
  {
    name: 'header line too long', start: 'connected',
    input: `SEND\ndestination:${'d'.repeat(9000)}\n\n\0`,
    message: 'header line longer than 8192 bytes', reason: 'too-large',
  },
];

describe('StompSession: every protocol violation gives ERROR (message header) then close', () => {
  for (const c of cases) {
    it(c.name, () => {
      const session = start(c.start);
      const actions = session.receive(c.input);
      const error = expectError(actions, c.message);
      const close = actions[actions.length - 1];
      assert.deepEqual(close, { type: 'close', reason: c.reason ?? 'protocol-error', message: c.message });
      assert.equal(header(error, 'receipt-id'), undefined);
      assert.equal(session.state, 'closed');
      assert.equal(session.isConnected, false);
      // closed is final: nothing more comes out
      assert.deepEqual(session.receive(stompJs.publishJson('/a', '{}')), []);
      assert.deepEqual(session.receive('\n'), []);
    });
  }
});

describe('StompSession: ERROR details', () => {
  it('caps the number of live subscriptions', () => {
    const session = connectedSession('stompjs', { maxSubscriptions: 3 });
    for (let i = 0; i < 3; i++) assert.deepEqual(types(session.receive(stompJs.subscribe(`s${i}`, '/a'))), ['subscribe']);
    expectError(session.receive(stompJs.subscribe('s3', '/a')), 'more than 3 subscriptions');
  });

  it('echoes the offending frame’s receipt as receipt-id', () => {
    const session = connectedSession();
    const actions = session.receive('SEND\nreceipt:r-42\n\nx\0');
    const error = expectError(actions, 'SEND needs a destination header');
    assert.equal(header(error, 'receipt-id'), 'r-42');
    assert.deepEqual(types(actions), ['send', 'close'], 'no RECEIPT after an ERROR');
  });

  it('echoes receipt-id for an error before CONNECT and for transactions', () => {
    const before = new StompSession(sessionOptions()).receive('SEND\ndestination:/a\nreceipt:early\n\n\0');
    assert.equal(header(expectError(before, /^expected CONNECT/), 'receipt-id'), 'early');
    const tx = connectedSession().receive('BEGIN\ntransaction:t\nreceipt:tx-r\n\n\0');
    assert.equal(header(expectError(tx, 'transactions are not supported'), 'receipt-id'), 'tx-r');
  });

  it('lists the supported versions in a version header when none is common (STOMP 1.2)', () => {
    const actions = new StompSession(sessionOptions()).receive('CONNECT\naccept-version:1.3\n\n\0');
    const error = expectError(actions, 'unsupported protocol version');
    assert.equal(header(error, 'version'), '1.2,1.1,1.0');
    assert.match(error.body.toString(), /1\.2,1\.1,1\.0/);
  });

  it('has a short plain-text body naming the parse error code', () => {
    const actions = connectedSession().receive('SEND\ndestination:/a\\x\n\n\0');
    const error = expectError(actions, 'header has an undefined escape sequence');
    assert.equal(error.body.toString(), 'INVALID_ESCAPE header has an undefined escape sequence\n');
    assert.equal(header(error, 'content-length'), String(error.body.length));
  });

  it('handles the frames before a parse error, then errors', () => {
    const session = connectedSession();
    const actions = session.receive(`${stompJs.subscribe('s', '/a')}SEND\nbroken\n\n\0`);
    assert.deepEqual(types(actions), ['subscribe', 'send', 'close']);
    expectError(actions, 'header line without a name and a colon');
  });

  it('stops at the first bad frame: later frames in the same message are not handled', () => {
    const session = connectedSession();
    const actions = session.receive(`BEGIN\ntransaction:t\n\n\0${stompJs.subscribe('s', '/a')}`);
    assert.deepEqual(types(actions), ['send', 'close']);
    assert.equal(session.subscriptions().size, 0);
  });

  it('keeps a too-large frame from growing memory: the error comes before the limit is passed', () => {
    const session = connectedSession('stompjs', { limits: { maxFrameBytes: 1024, maxBodyBytes: 4096 } });
    assert.deepEqual(session.receive('SEND\ndestination:/a\n\n'), []);
    let fed = 21;
    let actions = session.receive('x'.repeat(500));
    fed += 500;
    assert.deepEqual(actions, []);
    while (actions.length === 0) {
      actions = session.receive('x'.repeat(100));
      fed += 100;
    }
    assert.ok(fed <= 1024 + 100);
    expectError(actions, 'frame larger than 1024 bytes');
  });

  it('escapes client text echoed in an ERROR message header', () => {
    const actions = connectedSession().receive('SUBSCRIBE\nid:a\\cb\ndestination:/x\nack:no\\nway\n\n\0');
    const error = expectError(actions, 'unsupported ack mode no\nway');
    assert.equal(header(error, 'message'), 'unsupported ack mode no\nway');
    const raw = actions[0];
    assert.ok(raw?.type === 'send');
    assert.match(raw.data.toString(), /\nmessage:unsupported ack mode no\\nway\n/);
  });
});
