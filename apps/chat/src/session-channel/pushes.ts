import type { DataPush, FsrFeedbackEvent, VoicePush } from '@squirret/contracts';
import type { AiSnapshot, FootSample } from './session-state';

/** Korean voice lines for a joint judged bad (what the app reads out). */
export const AI_VOICE: Readonly<Record<'lumbar' | 'knee' | 'ankle', string>> = {
  lumbar: '허리가 굽었습니다. 가슴을 펴고 허리를 곧게 유지하세요.',
  knee: '무릎이 안쪽으로 무너지고 있습니다. 정렬을 유지하세요.',
  ankle: '뒤꿈치가 들리고 있습니다. 발 전체로 바닥을 누르세요.',
};

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The DATA push (seed 004 §4.3). `value` is the left-right balance of the latest fresh samples:
 * (left - right) / (left + right) over each foot's summed ratios, rounded to 3 places; 0 with no
 * fresh sample of either foot. AI fields are the latest judgement, "null" when none is known.
 */
export function buildDataPush(
  nowMs: number,
  ai: AiSnapshot | undefined,
  feet: { left?: FootSample; right?: FootSample },
  freshMs: number,
): DataPush {
  const fresh = (f: FootSample | undefined) => (f && nowMs - f.at <= freshMs ? f : undefined);
  const left = fresh(feet.left);
  const right = fresh(feet.right);
  let value = 0;
  if (left || right) {
    const l = left ? sum(left.ratios) : 0;
    const r = right ? sum(right.ratios) : 0;
    value = l + r > 0 ? Math.round(((l - r) / (l + r)) * 1000) / 1000 : 0;
  }
  return {
    type: 'DATA',
    payload: {
      value,
      ts: Math.floor(nowMs / 1000),
      ai: { lumbar: ai?.lumbar ?? 'null', knee: ai?.knee ?? 'null', ankle: ai?.ankle ?? 'null' },
      hasFsr: Boolean(left || right),
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
