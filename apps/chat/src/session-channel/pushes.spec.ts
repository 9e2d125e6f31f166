import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FsrFeedbackEvent } from '@squirret/contracts';
import { AI_VOICE, buildDataPush, buildVoicePush } from './pushes';
import { SessionState } from './session-state';

const NOW = 1_800_000_000_000;
const ai = (over: Partial<{ lumbar: 'good' | 'bad' | 'null'; knee: 'good' | 'bad' | 'null'; ankle: 'good' | 'bad' | 'null'; at: number }> = {}) => ({
  lumbar: 'good' as const,
  knee: 'good' as const,
  ankle: 'good' as const,
  at: NOW,
  ...over,
});
const feedback = (over: Partial<FsrFeedbackEvent> = {}): FsrFeedbackEvent => ({
  deviceId: 'default',
  sessionId: null,
  stage: 'DESCENT',
  status: 'BAD',
  feedback: '체중이 앞쪽으로 쏠렸습니다.',
  at: NOW,
  ...over,
});

describe('buildDataPush', () => {
  it('has the seed shape with "null" judgements and value 0 when nothing is known', () => {
    assert.deepEqual(buildDataPush(NOW, undefined, {}, 5000), {
      type: 'DATA',
      payload: { value: 0, ts: NOW / 1000, ai: { lumbar: 'null', knee: 'null', ankle: 'null' }, hasFsr: false },
    });
  });

  it('gives the left-right balance of the fresh samples', () => {
    const left = { ratios: [10, 10, 10, 10, 10, 10], at: NOW };
    const right = { ratios: [5, 5, 5, 5, 5, 5], at: NOW };
    assert.equal(buildDataPush(NOW, ai(), { left, right }, 5000).payload.value, 0.333);
    assert.equal(buildDataPush(NOW, ai(), { right }, 5000).payload.value, -1);
    assert.equal(buildDataPush(NOW, ai(), { left: { ratios: [0, 0, 0, 0, 0, 0], at: NOW } }, 5000).payload.value, 0);
  });

  it('ignores samples older than the freshness window', () => {
    const stale = { ratios: [10, 10, 10, 10, 10, 10], at: NOW - 5001 };
    const p = buildDataPush(NOW, ai(), { left: stale }, 5000).payload;
    assert.deepEqual([p.value, p.hasFsr], [0, false]);
  });
});

describe('buildVoicePush', () => {
  it('says nothing when all is good or nothing is known', () => {
    assert.equal(buildVoicePush(NOW, 10_000, undefined, undefined), undefined);
    assert.equal(buildVoicePush(NOW, 10_000, ai(), feedback({ status: 'GOOD' })), undefined);
    assert.equal(buildVoicePush(NOW, 10_000, ai(), feedback({ status: 'NO_DATA' })), undefined);
  });

  it('reads the FSR feedback of the window, then each joint judged bad', () => {
    const v = buildVoicePush(NOW, 10_000, ai({ knee: 'bad', ankle: 'bad' }), feedback());
    assert.equal(v?.text, `체중이 앞쪽으로 쏠렸습니다. ${AI_VOICE.knee} ${AI_VOICE.ankle}`);
  });

  it('does not repeat what is older than the window', () => {
    assert.equal(buildVoicePush(NOW, 10_000, ai({ knee: 'bad', at: NOW - 10_001 }), feedback({ at: NOW - 10_001 })), undefined);
  });
});

describe('SessionState', () => {
  it('prefers the newer of the session judgement and the unscoped one', () => {
    const s = new SessionState();
    s.onAiStatus({ sessionId: 's', lumbar: 'bad', knee: 'good', ankle: 'good', source: 'inference', at: 2 });
    s.onAiStatus({ sessionId: null, lumbar: 'good', knee: 'bad', ankle: 'good', source: 'internal-api', at: 1 });
    assert.equal(s.ai('s')?.lumbar, 'bad');
    assert.equal(s.ai('other')?.knee, 'bad');
    s.onAiStatus({ sessionId: null, lumbar: 'good', knee: 'good', ankle: 'bad', source: 'internal-api', at: 3 });
    assert.equal(s.ai('s')?.ankle, 'bad');
  });

  it('keeps the latest sample of each foot per device', () => {
    const s = new SessionState();
    s.onFsrSample({ deviceId: 'd1', side: 'left', ratios: [1, 1, 1, 1, 1, 1], at: 1 });
    s.onFsrSample({ deviceId: 'd1', side: 'left', ratios: [2, 2, 2, 2, 2, 2], at: 2 });
    s.onFsrSample({ deviceId: 'd2', side: 'right', ratios: [3, 3, 3, 3, 3, 3], at: 3 });
    assert.deepEqual(s.feetOf('d1').left?.ratios, [2, 2, 2, 2, 2, 2]);
    assert.equal(s.feetOf('d1').right, undefined);
    assert.deepEqual(s.feetOf('none'), {});
  });
});
