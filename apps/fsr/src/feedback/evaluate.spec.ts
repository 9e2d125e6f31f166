import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { T0, aiStatus, bothFeet, foot, ratiosFor } from '../../test/factories/fsr.factory';
import { aiFeedback, combine, evaluateWindow, toFeedbackResponse } from './evaluate';
import { AI_MESSAGES, FSR_MESSAGES, NOTHING_YET_MESSAGE } from './messages';

describe('evaluateWindow', () => {
  it('is NO_DATA with null metrics when nothing came in the last 10 s', () => {
    const e = evaluateWindow([foot('left', T0 - 10_001)], 'UNKNOWN', T0, 10_000);
    assert.deepEqual(toFeedbackResponse(e), { stage: 'UNKNOWN', status: 'NO_DATA', feedback: '최근 10초 동안 깔창 데이터가 없습니다.', metrics: null });
  });

  it('judges the window with the stage it is given', () => {
    const leaning = bothFeet(T0, ratiosFor({ front: 48, rear: 45 }));
    assert.equal(evaluateWindow(leaning, 'DESCENT', T0, 10_000).status, 'BAD');
    assert.equal(evaluateWindow(leaning, 'ASCENT', T0, 10_000).status, 'GOOD');
    const r = toFeedbackResponse(evaluateWindow(leaning, 'DESCENT', T0, 10_000));
    assert.equal(r.feedback, FSR_MESSAGES.FRONT_HEAVY);
    assert.equal(r.metrics?.front, 48);
  });
});

describe('aiFeedback', () => {
  it('NO_DATA with raw null when there is no judgement', () => {
    assert.deepEqual(aiFeedback(undefined), { status: 'NO_DATA', raw: null, messages: [] });
  });

  it('BAD with one sentence per bad joint (the seed: knee bad)', () => {
    assert.deepEqual(aiFeedback(aiStatus({ lumbar: 'good', knee: 'bad', ankle: 'null' })), {
      status: 'BAD',
      raw: { lumbar: 'good', knee: 'bad', ankle: 'null' },
      messages: ['무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.'],
    });
    assert.deepEqual(aiFeedback(aiStatus({ lumbar: 'bad', knee: 'good', ankle: 'bad' })).messages, [AI_MESSAGES.lumbar, AI_MESSAGES.ankle]);
  });

  it('GOOD when nothing is bad and something is good; NO_DATA when all are "null"', () => {
    assert.equal(aiFeedback(aiStatus({ lumbar: 'good', knee: 'null', ankle: 'null' })).status, 'GOOD');
    assert.deepEqual(aiFeedback(aiStatus({ lumbar: 'null', knee: 'null', ankle: 'null' })), {
      status: 'NO_DATA',
      raw: { lumbar: 'null', knee: 'null', ankle: 'null' },
      messages: [],
    });
  });
});

describe('combine (docs/contracts/ios-api.md §5.5)', () => {
  const fsrBad = evaluateWindow(bothFeet(T0, ratiosFor({ front: 48, rear: 45 })), 'DESCENT', T0, 10_000);
  const fsrNone = evaluateWindow([], 'UNKNOWN', T0, 10_000);
  const aiBad = aiFeedback(aiStatus({ lumbar: 'good', knee: 'bad', ankle: 'null' }));
  const aiNone = aiFeedback(undefined);

  it('both: the AI sentences, then the FSR ones (the seed example)', () => {
    const c = combine(aiBad, fsrBad);
    assert.deepEqual(c.overallMessages, ['무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.', '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요.']);
    assert.deepEqual(Object.keys(c), ['ai', 'fsr', 'overallMessages']);
    assert.deepEqual(Object.keys(c.fsr), ['stage', 'status', 'feedback', 'metrics']);
    assert.equal(c.fsr.feedback, '체중이 앞쪽으로 쏠렸습니다. 뒤꿈치로 눌러주세요.');
  });

  it('AI only: only the AI sentences', () => {
    const c = combine(aiBad, fsrNone);
    assert.deepEqual(c.overallMessages, [AI_MESSAGES.knee]);
    assert.equal(c.fsr.status, 'NO_DATA');
  });

  it('FSR only: only the FSR sentences, the AI half NO_DATA', () => {
    const c = combine(aiNone, fsrBad);
    assert.deepEqual(c.overallMessages, [FSR_MESSAGES.FRONT_HEAVY]);
    assert.deepEqual(c.ai, { status: 'NO_DATA', raw: null, messages: [] });
  });

  it('neither: one sentence saying there is nothing yet', () => {
    assert.deepEqual(combine(aiNone, fsrNone).overallMessages, [NOTHING_YET_MESSAGE]);
  });
});
