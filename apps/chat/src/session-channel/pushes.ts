import type { DataPush, FsrBalanceEvent, FsrFeedbackEvent, VoicePush } from '@squirret/contracts';
import type { AiSnapshot } from './session-state';

/** Korean voice lines for a joint judged bad (what the app reads out). */
export const AI_VOICE: Readonly<Record<'lumbar' | 'knee' | 'ankle', string>> = {
  lumbar: '허리가 굽었습니다. 가슴을 펴고 허리를 곧게 유지하세요.',
  knee: '무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.',
  ankle: '뒤꿈치가 들리고 있습니다. 발 전체로 바닥을 누르세요.',
};

/**
 * The DATA push (docs/contracts/ios-api.md §4.3). `value` is the device's left-right
 * balance as the FSR service published it (`fsr.balance`), when its newest sample is at most
 * `freshMs` old; 0 and `hasFsr: false` otherwise. AI fields are the latest judgement, "null" when
 * none is known. Nothing is computed here.
 */
export function buildDataPush(nowMs: number, ai: AiSnapshot | undefined, balance: FsrBalanceEvent | undefined, freshMs: number): DataPush {
  const fresh = balance && nowMs - balance.at <= freshMs ? balance : undefined;
  const value = fresh?.value ?? 0;
  return {
    type: 'DATA',
    payload: {
      value,
      ts: Math.floor(nowMs / 1000),
      ai: { lumbar: ai?.lumbar ?? 'null', knee: ai?.knee ?? 'null', ankle: ai?.ankle ?? 'null' },
      hasFsr: fresh !== undefined,
    },
  };
}

/**
 * The voice push for a ten-second tick, or undefined when there is nothing to say: the FSR
 * feedback of the last window when it found a problem, then a line per joint the AI judged bad
 * (only judgements newer than the window count).
 */
export function buildVoicePush(
  nowMs: number,
  windowMs: number,
  ai: AiSnapshot | undefined,
  feedback: FsrFeedbackEvent | undefined,
): VoicePush | undefined {
  const lines: string[] = [];
  if (feedback && feedback.status === 'BAD' && nowMs - feedback.at <= windowMs && feedback.feedback.trim()) {
    lines.push(feedback.feedback.trim());
  }
  if (ai && nowMs - ai.at <= windowMs) {
    for (const joint of ['knee', 'lumbar', 'ankle'] as const) if (ai[joint] === 'bad') lines.push(AI_VOICE[joint]);
  }
  return lines.length ? { type: 'voice', text: lines.join(' ') } : undefined;
}
