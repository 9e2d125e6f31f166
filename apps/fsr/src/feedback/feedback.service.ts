import { Inject, Injectable } from '@nestjs/common';
import type { AiStatusEvent, FsrCombinedFeedbackResponse, FsrFeedbackResponse } from '@squirret/contracts';
import type { FsrConfig } from '../config/fsr.config';
import { FSR_CLOCK, FSR_CONFIG, FSR_LIVE_STORE, type Clock } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';
import { aiFeedback, combine, evaluateWindow, toFeedbackResponse, type FsrEvaluation } from './evaluate';
import { resolveStage } from './stage';

/** Which device's window, and whose AI status counts (explicit session, else the device's, else the unsessioned one). */
export interface FeedbackTarget {
  readonly deviceId: string;
  readonly sessionId?: string | undefined;
}

/** One evaluation with what it was based on: the AI status used and the session it belongs to. */
export interface FeedbackEvaluation {
  readonly evaluation: FsrEvaluation;
  readonly ai: AiStatusEvent | undefined;
  readonly sessionId: string | null;
}

/** Reads the live state and applies the pure feedback rules to it. */
@Injectable()
export class FeedbackService {
  constructor(
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
    @Inject(FSR_CLOCK) private readonly clock: Clock,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {}

  async feedback(target: FeedbackTarget): Promise<FsrFeedbackResponse> {
    return toFeedbackResponse((await this.evaluate(target)).evaluation);
  }

  async combined(target: FeedbackTarget): Promise<FsrCombinedFeedbackResponse> {
    const { evaluation, ai } = await this.evaluate(target);
    return combine(aiFeedback(ai), evaluation);
  }

  /** The device's window judged at the stage the AI (or the trend) gives. */
  async evaluate(target: FeedbackTarget): Promise<FeedbackEvaluation> {
    const now = this.clock.now();
    const windowMs = this.config.FSR_FEEDBACK_WINDOW_MS;
    const [samples, latest] = await Promise.all([this.store.window(target.deviceId, now - windowMs, now), this.store.latest(target.deviceId)]);
    const sessionId = target.sessionId ?? latest.sessionId;
    const ai = await this.store.aiStatus(sessionId, now - this.config.FSR_AI_STATUS_MAX_AGE_SEC * 1000);
    const evaluation: FsrEvaluation = evaluateWindow(samples, resolveStage(ai, samples, now, windowMs), now, windowMs);
    return { evaluation, ai, sessionId };
  }
}
