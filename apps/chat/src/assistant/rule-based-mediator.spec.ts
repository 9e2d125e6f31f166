import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ConversationView } from './chat-assistant';
import { CALMING_LINE, RuleBasedMediator } from './rule-based-mediator';

const view = (over: Partial<ConversationView> = {}): ConversationView => ({ sessionId: 1, topic: '주말 계획', turns: 1, turnsSinceCheck: 1, awaitingResponse: false, ...over });
const mediator = new RuleBasedMediator({ turns: 4, heatedWords: ['짜증', 'Hate'] });

describe('RuleBasedMediator', () => {
  it('stays quiet in a calm exchange, asks after the configured number of turns', () => {
    assert.deepEqual(mediator.onMessage(view({ turnsSinceCheck: 3 }), { speaker: 'A', content: '좋아' }), []);
    assert.deepEqual(mediator.onMessage(view({ turnsSinceCheck: 4 }), { speaker: 'B', content: '좋아' }), [{ kind: 'ask', reason: 'turns' }]);
  });

  it('on a heated word says a calming line and asks at once (case-insensitive)', () => {
    assert.deepEqual(mediator.onMessage(view(), { speaker: 'A', content: '진짜 짜증나' }), [
      { kind: 'say', content: CALMING_LINE },
      { kind: 'ask', reason: 'heated' },
    ]);
    assert.equal(mediator.onMessage(view(), { speaker: 'B', content: 'I HATE this' }).length, 2);
  });

  it('never asks while a question is pending', () => {
    assert.deepEqual(mediator.onMessage(view({ awaitingResponse: true, turnsSinceCheck: 9 }), { speaker: 'A', content: '짜증' }), []);
    assert.deepEqual(mediator.onIdle(view({ awaitingResponse: true })), []);
  });

  it('asks on silence only once something was said', () => {
    assert.deepEqual(mediator.onIdle(view()), [{ kind: 'ask', reason: 'idle' }]);
    assert.deepEqual(mediator.onIdle(view({ turns: 0 })), []);
  });

  it('continues with a line of its own and summarizes who spoke how much', () => {
    assert.equal(mediator.onContinue()[0]?.kind, 'say');
    const summary = mediator.summarize(view(), [
      { speaker: 'A', content: '안녕' },
      { speaker: 'B', content: '짜증나' },
      { speaker: 'AI', content: CALMING_LINE },
      { speaker: 'A', content: '미안' },
      { speaker: 'A', content: '다시 얘기하자' },
      { speaker: 'system', content: '대화를 계속하시겠습니까?' },
    ]);
    assert.match(summary, /주말 계획/);
    assert.match(summary, /메시지 4개 \(A 3개, B 1개\)/);
    assert.match(summary, /A님이 더 많이/);
    assert.match(summary, /격해진 표현이 1번/);
    assert.match(mediator.summarize(view(), []), /아직 메시지가 없었어요/);
  });
});
