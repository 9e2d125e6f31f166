import type { AiFeedback, AiStatusEvent, FsrCombinedFeedbackResponse, FsrFeedbackResponse, FsrMetrics, FsrStage } from '@squirret/contracts';
import type { FootSample } from '../samples/foot-sample';
import { AI_MESSAGES, NOTHING_YET_MESSAGE, noDataMessage } from './messages';
import { judge } from './rules';
import { inWindow, windowMetrics } from './window-math';

/** One window's FSR feedback before it is put on the wire: the sentences are kept apart for the combined view. */
export interface FsrEvaluation {
  readonly stage: FsrStage;
  readonly status: FsrFeedbackResponse['status'];
  readonly sentences: readonly string[];
  readonly metrics: FsrMetrics | null;
}

/** The FSR feedback of the samples in [now - windowMs, now] for a stage. Pure. */
export function evaluateWindow(samples: readonly FootSample[], stage: FsrStage, now: number, windowMs: number): FsrEvaluation {
  const metrics = windowMetrics(inWindow(samples, now - windowMs, now));
  if (!metrics) return { stage, status: 'NO_DATA', sentences: [noDataMessage(windowMs)], metrics: null };
  const verdict = judge(stage, metrics);
  return { stage, status: verdict.status, sentences: verdict.sentences, metrics };
}

/** The contract's feedback body: the sentences joined into one text. */
export function toFeedbackResponse(e: FsrEvaluation): FsrFeedbackResponse {
  return { stage: e.stage, status: e.status, feedback: e.sentences.join(' '), metrics: e.metrics };
}

/**
 * The AI half from the latest judgement: BAD when any joint is bad (one sentence per bad joint),
 * GOOD when none is bad and at least one is good, NO_DATA when there is no judgement or it is all
 * "null". Pure.
 */
export function aiFeedback(status: Pick<AiStatusEvent, 'lumbar' | 'knee' | 'ankle'> | undefined): AiFeedback {
  if (!status) return { status: 'NO_DATA', raw: null, messages: [] };
  const raw = { lumbar: status.lumbar, knee: status.knee, ankle: status.ankle };
  const bad = (['lumbar', 'knee', 'ankle'] as const).filter((j) => raw[j] === 'bad');
  if (bad.length > 0) return { status: 'BAD', raw, messages: bad.map((j) => AI_MESSAGES[j]) };
  if (Object.values(raw).includes('good')) return { status: 'GOOD', raw, messages: [AI_MESSAGES.GOOD] };
  return { status: 'NO_DATA', raw, messages: [] };
}

/**
 * The combined feedback (docs/contracts/ios-api.md §5.5): AI only, FSR only, or both. `overallMessages` lists the AI's
 * sentences, then the FSR's, each side only when it has data. Pure.
 */
export function combine(ai: AiFeedback, fsr: FsrEvaluation): FsrCombinedFeedbackResponse {
  const overall = [...(ai.status !== 'NO_DATA' ? ai.messages : []), ...(fsr.status !== 'NO_DATA' ? fsr.sentences : [])];
  return { ai, fsr: toFeedbackResponse(fsr), overallMessages: overall.length > 0 ? overall : [NOTHING_YET_MESSAGE] };
}
