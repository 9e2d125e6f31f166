import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FsrBalanceEvent, FsrFeedbackEvent } from '@squirret/contracts';
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

const balance = (value: number, at = NOW): FsrBalanceEvent => ({ deviceId: 'default', value, left: true, right: true, at });

describe('buildDataPush', () => {
  it('has the seed shape with "null" judgements and value 0 when nothing is known', () => {
    assert.deepEqual(buildDataPush(NOW, undefined, undefined, 5000), {
      type: 'DATA',
      payload: { value: 0, ts: NOW / 1000, ai: { lumbar: 'null', knee: 'null', ankle: 'null' }, hasFsr: false },
    });
  });

  it('forwards the balance the FSR service published, unchanged', () => {
    assert.equal(buildDataPush(NOW, ai(), balance(0.333), 5000).payload.value, 0.333);
    assert.equal(buildDataPush(NOW, ai(), balance(-1), 5000).payload.value, -1);
    assert.equal(buildDataPush(NOW, ai(), balance(0), 5000).payload.hasFsr, true);
  });

  it('ignores a balance older than the freshness window', () => {
    const p = buildDataPush(NOW, ai(), balance(0.5, NOW - 5001), 5000).payload;
    assert.deepEqual([p.value, p.hasFsr], [0, false]);
    assert.equal(buildDataPush(NOW, ai(), balance(0.5, NOW - 5000), 5000).payload.value, 0.5);
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

  it('keeps the newest balance and feedback per device (a crossed older event does not win)', () => {
    const s = new SessionState();
    s.onFsrBalance({ ...balance(0.1, 2), deviceId: 'd1' });
    s.onFsrBalance({ ...balance(0.9, 1), deviceId: 'd1' });
    s.onFsrBalance({ ...balance(-0.5, 3), deviceId: 'd2' });
    assert.equal(s.balanceOf('d1')?.value, 0.1);
    assert.equal(s.balanceOf('d2')?.value, -0.5);
    assert.equal(s.balanceOf('none'), undefined);
  });

  it('holds at most maxEntries per map, dropping the least recently updated', () => {
    const s = new SessionState({ maxEntries: 3, maxAgeMs: 60_000 }, () => NOW);
    for (let i = 0; i < 10; i++) {
      s.onFsrBalance({ ...balance(0, NOW + i), deviceId: `d${i}` });
      s.onFsrFeedback(feedback({ deviceId: `d${i}`, at: NOW + i }));
      s.onAiStatus({ sessionId: `s${i}`, lumbar: 'good', knee: 'good', ankle: 'good', source: 'inference', at: NOW + i });
    }
    assert.deepEqual(s.sizes(), { ai: 3, balance: 3, feedback: 3 });
    assert.equal(s.balanceOf('d6'), undefined);
    assert.equal(s.balanceOf('d7')?.at, NOW + 7);
    assert.equal(s.feedbackOf('d9')?.at, NOW + 9);
    assert.equal(s.ai('s9')?.at, NOW + 9);
  });

  it('sweeps what was not updated for maxAgeMs, keeps what was', () => {
    let now = NOW;
    const s = new SessionState({ maxEntries: 100, maxAgeMs: 1_000 }, () => now);
    s.onFsrBalance({ ...balance(0.2), deviceId: 'old' });
    s.onFsrFeedback(feedback({ deviceId: 'old' }));
    s.onAiStatus({ sessionId: 'old', lumbar: 'good', knee: 'good', ankle: 'good', source: 'inference', at: now });
    s.onAiStatus({ sessionId: null, lumbar: 'good', knee: 'good', ankle: 'good', source: 'internal-api', at: now });
    now += 600;
    s.onFsrBalance({ ...balance(0.4, now), deviceId: 'new' });
    now += 600;
    s.sweep();
    assert.deepEqual(s.sizes(), { ai: 0, balance: 1, feedback: 0 });
    assert.equal(s.balanceOf('new')?.value, 0.4);
    assert.equal(s.ai('anything'), undefined, 'the unscoped judgement ages out too');
    s.forgetSession('new');
    now += 2_000;
    s.sweep();
    assert.deepEqual(s.sizes(), { ai: 0, balance: 0, feedback: 0 });
  });
});
