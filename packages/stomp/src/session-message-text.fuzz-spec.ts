import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createFrame } from './frame';
import { serializeFrame } from './serializer';
import { StompSession, prepareMessageText } from './session';
import { fuzzParameters, hangul, headerText } from './testing/fuzz-arbitraries';
import { sessionOptions } from './testing/session-harness';

/** A connected session (STOMP `version`) with one subscription `id` → `destination` in `ack` mode. */
function subscribed(version: '1.0' | '1.1' | '1.2', sessionId: string | undefined, id: string, destination: string, ack: 'auto' | 'client'): StompSession | undefined {
  const s = new StompSession(sessionOptions({ sessionId }));
  s.receive(`CONNECT\naccept-version:${version}\nhost:h\n\n\0`);
  if (!s.isConnected) return undefined;
  // the client escapes its headers as the version requires
  const sub = createFrame('SUBSCRIBE', [['id', id], ['destination', destination], ['ack', ack]]);
  // a 1.0 client cannot send a header with a line break at all
  if (version === '1.0' && /[\r\n]/.test(id + destination)) return undefined;
  s.receive(version === '1.0' ? serializeFrame(sub, { escapeHeaders: false }) : serializeFrame(sub));
  return s.isConnected ? s : undefined;
}

const text = fc.oneof(headerText(24), fc.string({ unit: hangul, maxLength: 12 }), fc.constantFrom('/user/queue/session', 'sub-0', 'a:b', 'x\\y'));
const name = fc.oneof(fc.constantFrom('timestamp', 'content-type', 'message-id', 'ack', 'content-length', 'x-trace', 'subscription'), headerText(12));

describe('StompSession.messageText (the DATA push fast path)', () => {
  it('is byte for byte message() for any subscription, destination, body, headers, version and ack mode', () => {
    // cases the fast path (no fallback to message()) took: the property must not hold only vacuously
    let plain = 0;
    const escapes = /[\\\r\n:]/;
    fc.assert(
      fc.property(
        fc.constantFrom('1.0' as const, '1.1' as const, '1.2' as const),
        fc.option(fc.constantFrom('s1', '8f3a2b1c', 'a:b'), { nil: undefined }),
        text.filter((t) => t.length > 0),
        text.filter((t) => t.length > 0),
        fc.constantFrom('auto' as const, 'client' as const),
        fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'), fc.string({ unit: hangul, maxLength: 20 })),
        fc.dictionary(name, fc.oneof(headerText(16), fc.constant('application/json;charset=UTF-8')), { maxKeys: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (version, sessionId, id, destination, ack, body, headers, pushes) => {
          const a = subscribed(version, sessionId, id, destination, ack);
          const b = subscribed(version, sessionId, id, destination, ack);
          if (!a || !b) return; // a refused SUBSCRIBE (e.g. a 1.0 header with a line break) has nothing to push to
          const subId = [...a.subscriptions().keys()][0];
          if (subId === undefined) return;
          if (version !== '1.0' && !escapes.test([sessionId ?? '', subId, destination, ...Object.entries(headers).flat()].join(''))) plain++;
          for (let i = 0; i < pushes; i++) {
            const slow: Buffer | undefined = a.message(subId, destination, body, headers);
            const fast: string | undefined = b.messageText(subId, destination, body, headers);
            assert.ok(slow !== undefined && fast !== undefined);
            assert.equal(Buffer.from(fast, 'utf8').equals(slow), true, `${JSON.stringify(fast)}\n!==\n${JSON.stringify(slow.toString('utf8'))}`);
          }
        },
      ),
      fuzzParameters(400),
    );
    assert.ok(plain > 20, `only ${plain} cases took the fast path`);
  });

  it('one prepared push sent to every subscription of a destination is message() for each, in order', () => {
    let multi = 0; // cases with more than one receiver on the fast path: the property must not hold only vacuously
    fc.assert(
      fc.property(
        fc.constantFrom('1.0' as const, '1.1' as const, '1.2' as const),
        fc.uniqueArray(fc.oneof({ arbitrary: fc.constantFrom('sub-0', 'sub-1', 'sub-2', '/q'), weight: 3 }, { arbitrary: text.filter((t) => t.length > 0), weight: 1 }), { minLength: 1, maxLength: 3 }),
        fc.oneof({ arbitrary: fc.constant('/user/queue/session'), weight: 2 }, { arbitrary: text.filter((t) => t.length > 0), weight: 1 }),
        fc.constantFrom('auto' as const, 'client' as const),
        fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: hangul, maxLength: 20 })),
        fc.dictionary(name, fc.oneof(headerText(16), fc.constant('application/json;charset=UTF-8')), { maxKeys: 3 }),
        (version, ids, destination, ack, body, headers) => {
          const a = subscribed(version, 's1', ids[0]!, destination, ack);
          const b = subscribed(version, 's1', ids[0]!, destination, ack);
          if (!a || !b) return;
          // a 1.0 client cannot send a header with a line break at all
          if (version === '1.0' && /[\r\n]/.test(ids.join(''))) return;
          for (const id of ids.slice(1)) {
            for (const s of [a, b]) s.receive(serializeFrame(createFrame('SUBSCRIBE', [['id', id], ['destination', destination], ['ack', ack]]), { escapeHeaders: version !== '1.0' }));
          }
          if (!a.isConnected || !b.isConnected) return;
          const sent: string[] = [];
          const n = b.sendPrepared(prepareMessageText(destination, body, headers), (t) => (sent.push(t), true));
          const expected = [...a.subscriptions().keys()].map((id) => a.message(id, destination, body, headers)!.toString('utf8'));
          assert.equal(n, expected.length);
          assert.deepEqual(sent, expected);
          if (expected.length > 1 && version !== '1.0' && !/[\\\r\n:]/.test([...ids, destination, ...Object.entries(headers).flat()].join(''))) multi++;
        },
      ),
      fuzzParameters(200),
    );
    assert.ok(multi > 5, `only ${multi} cases pushed to several subscriptions on the fast path`);
  });

  it('is undefined when there is nothing to push to, like message()', () => {
    const s = subscribed('1.2', 's1', 'sub-0', '/user/queue/session', 'auto')!;
    assert.equal(s.messageText('no-such-sub', '/user/queue/session', '{}'), undefined);
    s.close();
    assert.equal(s.messageText('sub-0', '/user/queue/session', '{}'), undefined);
  });
});
