import type { AiStatusEvent, FsrFeedbackEvent, FsrSampleEvent, Judgement } from '@squirret/contracts';

/** The latest AI judgement known for a session. */
export interface AiSnapshot {
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  readonly at: number;
}

/** One foot's latest six ratios. */
export interface FootSample {
  readonly ratios: readonly number[];
  readonly at: number;
}

/**
 * What the session channel knows from the bus: the latest `ai.status` per session (and the latest
 * one without a session, as `POST /internal/ai/status` sends it), the latest sample of each foot per
 * device, and the latest `fsr.feedback` per device. Every chat instance keeps its own copy, fed by
 * the same bus, so pushes do not depend on which instance holds a connection.
 */
export class SessionState {
  private readonly aiBySession = new Map<string, AiSnapshot>();
  private aiGlobal: AiSnapshot | undefined;
  private readonly feet = new Map<string, { left?: FootSample; right?: FootSample }>();
  private readonly feedback = new Map<string, FsrFeedbackEvent>();

  onAiStatus(e: AiStatusEvent): void {
    const snap: AiSnapshot = { lumbar: e.lumbar, knee: e.knee, ankle: e.ankle, at: e.at };
    if (e.sessionId) this.aiBySession.set(e.sessionId, snap);
    else this.aiGlobal = snap;
  }

  onFsrSample(e: FsrSampleEvent): void {
    const entry = this.feet.get(e.deviceId) ?? {};
    entry[e.side] = { ratios: e.ratios, at: e.at };
    this.feet.set(e.deviceId, entry);
  }

  onFsrFeedback(e: FsrFeedbackEvent): void {
    this.feedback.set(e.deviceId, e);
  }

  /** The session's own judgement, else the latest unscoped one, else nothing. */
  ai(sessionId: string): AiSnapshot | undefined {
    const own = this.aiBySession.get(sessionId);
    if (own && (!this.aiGlobal || own.at >= this.aiGlobal.at)) return own;
    return this.aiGlobal ?? own;
  }

  feetOf(deviceId: string): { left?: FootSample; right?: FootSample } {
    return this.feet.get(deviceId) ?? {};
  }

  feedbackOf(deviceId: string): FsrFeedbackEvent | undefined {
    return this.feedback.get(deviceId);
  }

  /** Drops what a finished session left behind. */
  forgetSession(sessionId: string): void {
    this.aiBySession.delete(sessionId);
  }
}
