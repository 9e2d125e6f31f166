import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { header } from './frame';
import { StompSession } from './session';
import type { StompAction } from './session-actions';
import { stompClientLib, stompJs } from './testing/client-frames';
import { connectedSession, decodeSend, expectError, sentFrames, sessionOptions, types } from './testing/session-harness';

describe('StompSession: CONNECT', () => {
  it('answers the stompjs CONNECT with CONNECTED byte for byte, then reports the connection', () => {
    const session = new StompSession(sessionOptions());
    assert.equal(session.state, 'awaiting-connect');
    const actions = session.receive(stompJs.connect());
    assert.deepEqual(types(actions), ['send', 'connected']);
    const sent = actions[0];
    assert.ok(sent?.type === 'send');
    assert.equal(
      sent.data.toString(),
      'CONNECTED\nversion:1.2\nheart-beat:10000,10000\nserver:squirret/test\nsession:s1\n\n\0',
    );
    assert.deepEqual(actions[1], {
      type: 'connected',
      version: '1.2',
      heartbeat: { sendEveryMs: 10_000, expectEveryMs: 10_000 },
      login: undefined,
      passcode: undefined,
      host: undefined,
      headers: [
        ['accept-version', '1.2,1.1,1.0'],
        ['heart-beat', '10000,10000'],
      ],
    });
    assert.equal(session.isConnected, true);
    assert.equal(session.state, 'connected');
    assert.equal(session.version, '1.2');
    assert.deepEqual(session.heartbeat, { sendEveryMs: 10_000, expectEveryMs: 10_000 });
  });

  it('accepts the StompClientLib CONNECT (no host, no heart-beat) with version 1.2 and heart-beat 0,0', () => {
    const session = new StompSession(sessionOptions());
    const actions = session.receive(stompClientLib.connect());
    const [connected] = sentFrames(actions);
    assert.equal(connected?.command, 'CONNECTED');
    assert.equal(header(connected!, 'version'), '1.2');
    assert.equal(header(connected!, 'heart-beat'), '0,0');
    assert.deepEqual(session.heartbeat, { sendEveryMs: 0, expectEveryMs: 0 });
  });

  it('accepts STOMP as CONNECT and reports login, passcode and host raw', () => {
    const session = new StompSession(sessionOptions());
    const actions = session.receive('STOMP\naccept-version:1.2\nhost:squirret\nlogin:u\\cser\npasscode:p:w\n\n\0');
    const connected = actions[1];
    assert.ok(connected?.type === 'connected');
    assert.equal(connected.host, 'squirret');
    // STOMP frames are escaped (only CONNECT/CONNECTED are exempt), so \c decodes here.
    assert.equal(connected.login, 'u:ser');
    assert.equal(connected.passcode, 'p:w');
  });

  it('does not unescape CONNECT headers', () => {
    const session = new StompSession(sessionOptions());
    const actions = session.receive('CONNECT\naccept-version:1.2\nlogin:u\\cser\npasscode:a\\tb\n\n\0');
    const connected = actions[1];
    assert.ok(connected?.type === 'connected');
    assert.equal(connected.login, 'u\\cser');
    assert.equal(connected.passcode, 'a\\tb');
  });

  it('omits the session header when no sessionId is configured', () => {
    const session = new StompSession(sessionOptions({ sessionId: undefined }));
    const [connected] = sentFrames(session.receive(stompJs.connect()));
    assert.equal(header(connected!, 'session'), undefined);
    assert.equal(header(connected!, 'server'), 'squirret/test');
  });

  it('sends the negotiated heart-beat pair, not the raw server settings', () => {
    const session = new StompSession(sessionOptions({ heartbeat: { canSend: 5_000, wantReceive: 20_000 } }));
    const [connected] = sentFrames(session.receive(stompJs.connect()));
    assert.equal(header(connected!, 'heart-beat'), '10000,20000');
    assert.deepEqual(session.heartbeat, { sendEveryMs: 10_000, expectEveryMs: 20_000 });
  });

  it('does not answer a receipt on CONNECT (STOMP allows receipts on every frame but CONNECT)', () => {
    const session = new StompSession(sessionOptions());
    const actions = session.receive('CONNECT\naccept-version:1.2\nreceipt:r\n\n\0');
    assert.deepEqual(sentFrames(actions).map((f) => f.command), ['CONNECTED']);
  });

  it('ignores heart-beat EOLs before CONNECT', () => {
    const session = new StompSession(sessionOptions());
    assert.deepEqual(session.receive('\n\r\n'), []);
    assert.equal(session.state, 'awaiting-connect');
    // At most one heartbeat action per receive(), last, once connected: any EOL in the message counts.
    assert.deepEqual(types(session.receive(`\n${stompJs.connect()}`)), ['send', 'connected', 'heartbeat']);
  });

  it('speaks 1.0 to a client without accept-version: no escaping either way', () => {
    const session = new StompSession(sessionOptions());
    session.receive('CONNECT\n\n\0');
    assert.equal(session.version, '1.0');
    const sub = session.receive('SUBSCRIBE\nid:a\\cb\ndestination:/t\\c1\n\n\0');
    assert.deepEqual(sub, [{ type: 'subscribe', id: 'a\\cb', destination: '/t\\c1', ack: 'auto' }]);
    const out = session.message('a\\cb', '/t\\c1', 'x');
    assert.ok(out);
    assert.match(out.toString(), /\nsubscription:a\\cb\n/);
    // 1.0 names the acked message by message-id
    assert.deepEqual(session.receive('ACK\nmessage-id:s1-1\n\n\0'), []);
    expectError(session.receive('ACK\nid:s1-1\n\n\0'), 'ACK needs a message-id header');
  });

  it('blanks line breaks in application headers for a 1.0 client instead of forging lines', () => {
    const session = new StompSession(sessionOptions());
    session.receive('CONNECT\n\n\0');
    session.receive('SUBSCRIBE\nid:1\ndestination:/a\n\n\0');
    const out = session.message('1', '/a', 'x', { 'x:note': 'a\nforged:yes' });
    assert.ok(out);
    assert.match(out.toString(), /\nx_note:a forged:yes\n/);
    const error = session.error('bad\r\nthing');
    assert.match((error[0] as { data: Buffer }).data.toString(), /\nmessage:bad  thing\n/);
  });

  it('refuses a serverName or sessionId with a line break at construction', () => {
    assert.throws(() => new StompSession(sessionOptions({ serverName: 'a\nversion:9' })), RangeError);
    assert.throws(() => new StompSession(sessionOptions({ sessionId: 'x\r' })), RangeError);
  });
});

describe('StompSession: subscriptions', () => {
  it('reports SUBSCRIBE and UNSUBSCRIBE and tracks subscriptions()', () => {
    const session = connectedSession();
    assert.deepEqual(session.receive(stompJs.subscribe('sub-0', '/topic/a')), [
      { type: 'subscribe', id: 'sub-0', destination: '/topic/a', ack: 'auto' },
    ]);
    session.receive(stompJs.subscribe('sub-1', '/topic/b'));
    assert.deepEqual(
      session.subscriptions(),
      new Map([
        ['sub-0', '/topic/a'],
        ['sub-1', '/topic/b'],
      ]),
    );
    assert.deepEqual(session.receive(stompJs.unsubscribe('sub-0')), [
      { type: 'unsubscribe', id: 'sub-0', destination: '/topic/a' },
    ]);
    assert.deepEqual(session.subscriptions(), new Map([['sub-1', '/topic/b']]));
  });

  it('accepts the client and client-individual ack modes', () => {
    const session = connectedSession();
    const a = session.receive('SUBSCRIBE\nid:1\ndestination:/a\nack:client\n\n\0');
    const b = session.receive('SUBSCRIBE\nid:2\ndestination:/b\nack:client-individual\n\n\0');
    assert.equal(a[0]?.type === 'subscribe' && a[0].ack, 'client');
    assert.equal(b[0]?.type === 'subscribe' && b[0].ack, 'client-individual');
    assert.equal(session.subscription('1')?.ack, 'client');
  });

  it('hands out a copy: changing the returned map does not change the session', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('s', '/a'));
    session.subscriptions().clear();
    assert.equal(session.subscriptions().size, 1);
  });

  it('allows an id to be reused after UNSUBSCRIBE', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('s', '/a'));
    session.receive(stompJs.unsubscribe('s'));
    assert.deepEqual(types(session.receive(stompJs.subscribe('s', '/b'))), ['subscribe']);
  });
});

describe('StompSession: SEND', () => {
  it('reports a SEND as a message action with headers, body and content type', () => {
    const session = connectedSession();
    const actions = session.receive(stompJs.publishJson('/app/event', '{"a":1}'));
    assert.equal(actions.length, 1);
    const msg = actions[0];
    assert.ok(msg?.type === 'message');
    assert.equal(msg.destination, '/app/event');
    assert.equal(msg.contentType, 'application/json');
    assert.equal(msg.body.toString(), '{"a":1}');
    assert.deepEqual(msg.headers[0], ['destination', '/app/event']);
  });

  it('leaves contentType undefined when the client sent none', () => {
    const actions = connectedSession().receive('SEND\ndestination:/a\n\nx\0');
    assert.ok(actions[0]?.type === 'message');
    assert.equal(actions[0].contentType, undefined);
  });

  it('passes a binary body with NULs through untouched', () => {
    const body = Buffer.from([0, 1, 2, 0]);
    const actions = connectedSession().receive(stompJs.publishBinary('/app/bin', body));
    assert.ok(actions[0]?.type === 'message');
    assert.deepEqual(actions[0].body, body);
  });
});

describe('StompSession: receipts', () => {
  const cases: [string, string, string[]][] = [
    ['SUBSCRIBE', 'SUBSCRIBE\nid:1\ndestination:/a\nreceipt:r-1\n\n\0', ['subscribe', 'send']],
    ['SEND', 'SEND\ndestination:/a\nreceipt:r-1\n\nx\0', ['message', 'send']],
    ['ACK', 'ACK\nid:1\nreceipt:r-1\n\n\0', ['send']],
    ['NACK', 'NACK\nid:1\nreceipt:r-1\n\n\0', ['send']],
    ['DISCONNECT', 'DISCONNECT\nreceipt:r-1\n\n\0', ['send', 'close']],
  ];
  for (const [command, wire, expected] of cases) {
    it(`answers a receipt on ${command} after handling it`, () => {
      const actions = connectedSession().receive(wire);
      assert.deepEqual(types(actions), expected);
      const receipt = decodeSend(actions.find((a) => a.type === 'send'));
      assert.equal(receipt.command, 'RECEIPT');
      assert.deepEqual(receipt.headers, [['receipt-id', 'r-1']]);
    });
  }

  it('answers a receipt on UNSUBSCRIBE after the unsubscribe action', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('s', '/a'));
    const actions = session.receive('UNSUBSCRIBE\nid:s\nreceipt:77\n\n\0');
    assert.deepEqual(types(actions), ['unsubscribe', 'send']);
    assert.equal(header(decodeSend(actions[1]), 'receipt-id'), '77');
  });

  it('escapes a receipt id with special characters so it round-trips', () => {
    const actions = connectedSession().receive('SEND\ndestination:/a\nreceipt:a\\cb\\nc\n\n\0');
    assert.equal(header(decodeSend(actions[1]), 'receipt-id'), 'a:b\nc');
  });
});

describe('StompSession: ACK and NACK', () => {
  it('accepts and ignores ACK/NACK with an id (1.2)', () => {
    const session = connectedSession();
    assert.deepEqual(session.receive(stompClientLib.ack('m-1')), []);
    assert.deepEqual(session.receive('NACK\nid:m-2\n\n\0'), []);
    assert.equal(session.isConnected, true);
  });
});

describe('StompSession: DISCONNECT', () => {
  it('answers the stompjs DISCONNECT with its RECEIPT, then closes', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('sub-0', '/a'));
    const actions = session.receive(stompJs.disconnect('close-1'));
    assert.deepEqual(types(actions), ['send', 'close']);
    const sent = actions[0];
    assert.ok(sent?.type === 'send');
    assert.equal(sent.data.toString(), 'RECEIPT\nreceipt-id:close-1\n\n\0');
    assert.deepEqual(actions[1], { type: 'close', reason: 'disconnect' });
    assert.equal(session.isConnected, false);
    assert.equal(session.state, 'closed');
    // still lists what was held, so the gateway can unroute it
    assert.deepEqual(session.subscriptions(), new Map([['sub-0', '/a']]));
  });

  it('closes without a RECEIPT for the StompClientLib DISCONNECT (it asks for none)', () => {
    const actions = connectedSession('StompClientLib').receive(stompClientLib.disconnect(1_732_570_000));
    assert.deepEqual(actions, [{ type: 'close', reason: 'disconnect' }]);
  });

  it('ignores whatever follows DISCONNECT, in the same message or later', () => {
    const session = connectedSession();
    const actions = session.receive(`${stompJs.disconnect('r')}${stompJs.publishJson('/a', '{}')}\n`);
    assert.deepEqual(types(actions), ['send', 'close']);
    assert.deepEqual(session.receive(stompJs.publishJson('/a', '{}')), []);
    assert.deepEqual(session.receive('\n'), []);
  });
});

describe('StompSession: heart-beats', () => {
  it('reports a client heart-beat and never echoes it (StompClientLib would ping-pong forever)', () => {
    const session = connectedSession('StompClientLib');
    assert.deepEqual(session.receive(stompClientLib.pong()), [{ type: 'heartbeat' }]);
    assert.deepEqual(session.receive('\r\n'), [{ type: 'heartbeat' }]);
    assert.deepEqual(session.receive('\n\n\n'), [{ type: 'heartbeat' }]);
  });

  it('reports a heart-beat that trails a frame in the same message, after the frame', () => {
    const session = connectedSession();
    const actions = session.receive(`${stompJs.publishJson('/a', '{}')}\n`);
    assert.deepEqual(types(actions), ['message', 'heartbeat']);
  });

  it('produces no send action for any heart-beat', () => {
    const session = connectedSession();
    const all: StompAction[] = [];
    for (let i = 0; i < 20; i++) all.push(...session.receive(stompJs.heartbeat()));
    assert.equal(all.filter((a) => a.type === 'send').length, 0);
    assert.equal(all.length, 20);
  });
});

describe('StompSession: chunked input', () => {
  it('handles a SEND split at every byte boundary across two receive() calls', () => {
    const wire = Buffer.from(stompClientLib.sendJson('/app/x', '{"n":"하나"}'));
    for (let at = 0; at <= wire.length; at++) {
      const session = connectedSession('StompClientLib');
      const first = session.receive(wire.subarray(0, at));
      const second = session.receive(wire.subarray(at));
      const actions = [...first, ...second];
      assert.deepEqual(types(actions), ['message'], `split at ${at}`);
      assert.ok(actions[0]?.type === 'message');
      assert.equal(actions[0].body.toString(), '{"n":"하나"}');
    }
  });

  it('handles several frames in one WebSocket message, in order', () => {
    const session = new StompSession(sessionOptions());
    const actions = session.receive(
      stompJs.connect() + stompJs.subscribe('sub-0', '/topic/a') + stompJs.publishJson('/app/a', '{}'),
    );
    assert.deepEqual(types(actions), ['send', 'connected', 'subscribe', 'message']);
  });
});

describe('StompSession: application errors and close()', () => {
  it('error() sends ERROR then closes with reason application-error', () => {
    const session = connectedSession();
    const actions = session.error('not allowed to publish here', { receiptId: 'r9', body: 'detail' });
    const error = expectError(actions, 'not allowed to publish here');
    assert.equal(header(error, 'receipt-id'), 'r9');
    assert.equal(error.body.toString(), 'detail\n');
    assert.deepEqual(actions[1], { type: 'close', reason: 'application-error', message: 'not allowed to publish here' });
    assert.equal(session.state, 'closed');
    assert.deepEqual(session.error('again'), []);
    assert.deepEqual(session.receive(stompJs.publishJson('/a', '{}')), []);
  });

  it('close() ends the session silently', () => {
    const session = connectedSession();
    session.receive(stompJs.subscribe('s', '/a'));
    session.close();
    assert.equal(session.state, 'closed');
    assert.deepEqual(session.receive(stompJs.publishJson('/a', '{}')), []);
    assert.equal(session.message('s', '/a', 'x'), undefined);
  });
});

describe('StompSession: determinism', () => {
  it('gives identical output for identical input (no clock, no randomness)', () => {
    const run = () => {
      const session = new StompSession(sessionOptions());
      const out: string[] = [];
      const input = [stompJs.connect(), stompJs.subscribe('sub-0', '/a'), stompJs.publishJson('/b', '{}'), '\n'];
      for (const chunk of input) out.push(JSON.stringify(session.receive(chunk)));
      out.push(session.message('sub-0', '/a', '{"x":1}')?.toString('hex') ?? '');
      out.push(JSON.stringify(session.receive(stompJs.disconnect('close-1'))));
      return out;
    };
    assert.deepEqual(run(), run());
  });
});
