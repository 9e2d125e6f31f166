import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { header, StompCommand, type StompFrame } from './frame';
import { StompParser } from './parser';
import { serializeFrame } from './serializer';
import { StompSession } from './session';
import { StompCloseReason, type StompAction } from './session-actions';
import { body, commandName, fuzzParameters, headerEntry, headerText, hangul } from './testing/fuzz-arbitraries';

const ACTION_TYPES = new Set(['send', 'connected', 'subscribe', 'unsubscribe', 'message', 'heartbeat', 'close']);
const SERVER_COMMANDS = new Set<string>([StompCommand.CONNECTED, StompCommand.RECEIPT, StompCommand.ERROR]);
const CLOSE_REASONS = new Set<string>(Object.values(StompCloseReason));

/** Decodes one server frame as the client would: STOMP 1.0 headers are not escaped. */
function decode(data: Buffer | string, version?: string): StompFrame {
  const limits = { maxFrameBytes: 1 << 22, maxBodyBytes: 1 << 22, maxHeaderLineBytes: 1 << 16 };
  const result = new StompParser(limits, { unescapeHeaders: version !== '1.0' }).push(data);
  assert.equal(result.error, undefined, `server frame does not parse: ${JSON.stringify(result.error)}`);
  assert.equal(result.frames.length, 1, 'one frame per send action');
  return result.frames[0] as StompFrame;
}

/** A code point sequence with no lone surrogate: what the server may put into a header or close reason. */
const wellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const clientFrame = fc.record({ command: commandName, headers: fc.array(headerEntry, { maxLength: 6 }), body });

/** One step of a client: a frame, raw noise, heart-beats, or an application push to a live subscription. */
const step = fc.oneof(
  { weight: 8, arbitrary: clientFrame.map((f) => ({ kind: 'frame' as const, frame: f })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => ({ kind: 'bytes' as const, data: Buffer.from(b) })) },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\r\n', '\n\n\n', '\r').map((s) => ({ kind: 'bytes' as const, data: Buffer.from(s) })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ pick: fc.nat(), body: fc.oneof(headerText(30), body), headers: fc.array(headerEntry, { maxLength: 3 }) })
      .map((m) => ({ kind: 'push' as const, ...m })),
  },
);

const connect = fc.record({
  command: fc.constantFrom('CONNECT', 'STOMP'),
  headers: fc.tuple(
    fc.option(fc.constantFrom('1.2', '1.1', '1.0', '1.2,1.1,1.0', '2.0'), { nil: undefined }),
    fc.option(fc.constantFrom('0,0', '10000,10000', '1,99999999999', 'x'), { nil: undefined }),
    fc.array(headerEntry, { maxLength: 3 }),
  ),
}).map(({ command, headers: [v, hb, rest] }) => ({
  kind: 'frame' as const,
  frame: {
    command,
    headers: [...(v === undefined ? [] : [['accept-version', v] as const]), ...(hb === undefined ? [] : [['heart-beat', hb] as const]), ...rest],
    body: Buffer.alloc(0),
  },
}));

const script = fc.tuple(fc.option(connect, { freq: 6, nil: undefined }), fc.array(step, { maxLength: 12 }), fc.array(fc.nat({ max: 5 }), { maxLength: 20 }));

describe('fuzz: STOMP session state machine', () => {
  it('random client scripts never make it throw, and every action is one its table allows, in an allowed order', () => {
    fc.assert(
      fc.property(script, ([first, steps, cuts]) => {
        const session = new StompSession({ serverName: 'squirret/fuzz', heartbeat: { canSend: 1000, wantReceive: 1000 }, sessionId: 'fz', maxSubscriptions: 4, limits: { maxFrameBytes: 4096, maxBodyBytes: 2048 } });
        const model = new Map<string, string>();
        let connected = false;
        let closed = false;
        let cut = 0;
        const feed = (data: Buffer) => {
          // Cut the bytes into at most a few slices, like a stream would arrive.
          const n = cuts[cut++ % Math.max(1, cuts.length)] ?? 0;
          const at = n === 0 || data.length === 0 ? data.length : Math.floor((data.length * n) / 6);
          for (const piece of [data.subarray(0, at), data.subarray(at)]) if (piece.length > 0) check(session.receive(piece));
        };
        const check = (actions: StompAction[]) => {
          if (closed) {
            assert.deepEqual(actions, [], 'a closed session does nothing');
            return;
          }
          actions.forEach((a, i) => {
            assert.ok(ACTION_TYPES.has(a.type), a.type);
            assert.ok(!closed, 'nothing after close');
            switch (a.type) {
              case 'send': {
                const f = decode(a.data, session.version);
                assert.ok(SERVER_COMMANDS.has(f.command), f.command);
                for (const [n, v] of f.headers) assert.ok(wellFormed(n) && wellFormed(v), `header ${n} holds a lone surrogate`);
                if (f.command === 'ERROR') assert.equal(actions[i + 1]?.type, 'close', 'ERROR is followed by close');
                if (f.command === 'CONNECTED') {
                  assert.ok(!connected, 'CONNECTED once');
                  assert.equal(actions[i + 1]?.type, 'connected');
                }
                if (f.command === 'RECEIPT') assert.ok(connected && header(f, 'receipt-id') !== undefined);
                break;
              }
              case 'connected':
                connected = true;
                break;
              case 'subscribe':
                assert.ok(connected && !model.has(a.id) && a.id !== '' && a.destination !== '');
                model.set(a.id, a.destination);
                break;
              case 'unsubscribe':
                assert.equal(model.get(a.id), a.destination);
                model.delete(a.id);
                break;
              case 'message':
              case 'heartbeat':
                assert.ok(connected);
                break;
              case 'close':
                assert.ok(CLOSE_REASONS.has(a.reason), a.reason);
                if (a.message !== undefined) assert.ok(wellFormed(a.message), 'close message holds a lone surrogate');
                assert.equal(i, actions.length - 1, 'close is the last action');
                closed = true;
                break;
            }
          });
          assert.equal(session.state, closed ? 'closed' : connected ? 'connected' : 'awaiting-connect');
          if (!closed) assert.deepEqual([...session.subscriptions()].sort(), [...model].sort());
        };
        for (const s of first === undefined ? steps : [first, ...steps]) {
          if (s.kind === 'frame') {
            let data: Buffer;
            try {
              data = serializeFrame(s.frame);
            } catch {
              continue; // a CONNECT header with a line break cannot be written unescaped; a client could not send it either
            }
            feed(data);
          } else if (s.kind === 'bytes') {
            feed(s.data);
          } else {
            const ids = [...model.keys()];
            const id = ids.length > 0 ? (ids[s.pick % ids.length] as string) : `none-${s.pick}`;
            const out = session.message(id, model.get(id) ?? '/nowhere', s.body, s.headers);
            if (closed || !model.has(id)) {
              assert.equal(out, undefined);
            } else {
              assert.ok(out !== undefined);
              const f = decode(out, session.version);
              assert.deepEqual([f.command, header(f, 'subscription'), header(f, 'destination')], ['MESSAGE', id, model.get(id)]);
              const bytes = typeof s.body === 'string' ? Buffer.from(s.body, 'utf8') : s.body;
              assert.ok(f.body.equals(bytes));
            }
          }
        }
        // An application error always ends the session with ERROR + close, once.
        const end = session.error(`거절: ${'가'.repeat(50)}`);
        if (closed) assert.deepEqual(end, []);
        else check(end);
      }),
      fuzzParameters(10_000),
    );
  });

  it('an ERROR that echoes client text (command, id, ack) cuts it on a code point boundary', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hangul, fc.constant('😀'), fc.constant('a')), { minLength: 60, maxLength: 90 }), (chars) => {
        const text = chars.join('');
        const session = new StompSession({ serverName: 's', heartbeat: { canSend: 0, wantReceive: 0 } });
        session.receive('CONNECT\naccept-version:1.2\n\n\0');
        const actions = session.receive(`SUBSCRIBE\nid:1\ndestination:/d\nack:${text}\n\n\0`);
        const error = decode((actions[0] as { data: Buffer }).data);
        const message = header(error, 'message') ?? '';
        assert.ok(wellFormed(message), 'lone surrogate in the ERROR message');
        assert.ok(!message.includes('\uFFFD'), 'a character was mangled');
      }),
      fuzzParameters(2_000),
    );
  });
});
