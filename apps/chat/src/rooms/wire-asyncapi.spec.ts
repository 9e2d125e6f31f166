import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ASYNCAPI_SERVER_PAYLOADS, type StoredMessage } from '@squirret/contracts';
import Ajv from 'ajv';
import { distributorWireObject, noticeWireObject } from '../distributor/distributor-wire';
import { coupleWireObject, sessionWireObject } from './couple-wire';

/** A stored message with overrides (the fields every wire mapper reads). */
const stored = (over: Partial<StoredMessage>): StoredMessage => ({
  roomKey: 'couple:7',
  id: 3,
  kind: 'chat',
  senderId: 'alice',
  senderName: '앨리스',
  speaker: 'A',
  content: '안녕',
  sessionId: 11,
  clientId: 'c-1',
  event: null,
  createdAt: '2026-12-03T09:00:00.000Z',
  ...over,
});

/** What the chat sockets send must match the AsyncAPI document (docs/asyncapi.yaml) exactly: no field more, none missing. */
describe('chat wire objects match the AsyncAPI document', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const check = (name: keyof typeof ASYNCAPI_SERVER_PAYLOADS, value: unknown) => {
    const validate = ajv.compile(ASYNCAPI_SERVER_PAYLOADS[name]);
    assert.ok(validate(JSON.parse(JSON.stringify(value))), `${name}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
  };

  it('couple room: session, member and AI lines, system lines', () => {
    check('coupleMessage', coupleWireObject(stored({})));
    check('coupleMessage', coupleWireObject(stored({ kind: 'ai', senderId: null, speaker: null, clientId: null })));
    check('coupleSystem', coupleWireObject(stored({ kind: 'system', senderId: null, speaker: null, clientId: null, event: 'question', content: '대화를 계속하시겠습니까?' })));
    const session = {
      id: 11, roomId: 7, topic: '주말 계획', userAId: 'alice', userBId: null, startedAt: new Date('2026-12-03T09:00:00Z'), endedAt: null, endReason: null,
      summary: null, turns: 0, turnsSinceCheck: 0, questions: 0, awaitingResponse: false, lastMessageAt: new Date('2026-12-03T09:00:00Z'),
    };
    const alice = { userId: 'alice', speaker: 'A' as const, source: 'creator' as const };
    check('coupleSession', sessionWireObject(session, [alice], alice, 0));
  });

  it('trainer-member room: chat, spread, system lines and join/leave notices', () => {
    check('distributorMessage', distributorWireObject(stored({ roomKey: 'pt:5', speaker: 'trainer' })));
    check('distributorMessage', distributorWireObject(stored({ roomKey: 'pt:5', kind: 'spread', clientId: null })));
    check('distributorMessage', distributorWireObject(stored({ roomKey: 'pt:5', kind: 'system', senderId: null, senderName: null, speaker: null, clientId: null })));
    check('distributorNotice', noticeWireObject({ roomKey: 'pt:5', event: 'join', userId: 'bob', userName: null, at: '2026-12-03T09:00:00.000Z' }));
  });

  it('a field the document does not have is refused (the check can fail)', () => {
    const validate = ajv.compile(ASYNCAPI_SERVER_PAYLOADS.coupleMessage);
    assert.equal(validate({ ...coupleWireObject(stored({})), extra: true }), false);
  });
});
