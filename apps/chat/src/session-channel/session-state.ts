import type { AiStatusEvent, FsrBalanceEvent, FsrFeedbackEvent, Judgement } from '@squirret/contracts';

/** The latest AI judgement known for a session. */
export interface AiSnapshot {
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  readonly at: number;
}

/** Bounds of what the session channel remembers. */
export interface SessionStateLimits {
  /** Most entries per map (sessions' AI, devices' balance, devices' feedback); the least recently updated go first. */
  readonly maxEntries: number;
  /** Entries not updated for this long are dropped by `sweep` (nothing older is ever pushed). */
  readonly maxAgeMs: number;
}

/**
 * Latest value per key, bounded: an update moves the key to the end (Map order is insertion order),
 * so the first key is the least recently updated and goes first when the cap is reached.
 */
class BoundedLatest<V extends { readonly at: number }> {
  private readonly entries = new Map<string, { value: V; updatedAt: number }>();

  constructor(private readonly max: number) {}

  /** Keeps `value` unless the stored one is newer (events from two publishers may cross). */
  put(key: string, value: V, nowMs: number): void {
    const prev = this.entries.get(key);
    if (prev && prev.value.at > value.at) return;
    this.entries.delete(key);
    this.entries.set(key, { value, updatedAt: nowMs });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries last updated before `cutoff`; they are in update order, so it stops at the first newer one. */
  sweep(cutoff: number): void {
    for (const [key, e] of this.entries) {
      if (e.updatedAt >= cutoff) break;
      this.entries.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * What the session channel knows from the bus: the latest `ai.status` per session (and the latest
 * one without a session, as `POST /internal/ai/status` sends it), and the latest `fsr.balance` and
 * `fsr.feedback` per device — values the FSR service and the data plane computed; the channel only
 * forwards them. Every chat instance keeps its own copy, fed by the same bus, so pushes do not
 * depend on which instance holds a connection. Bounded by `limits`: at most `maxEntries` per map,
 * and `sweep` (every push tick) drops what was not updated for `maxAgeMs`.
 */
export class SessionState {
  private readonly aiBySession: BoundedLatest<AiSnapshot>;
  private aiGlobal: AiSnapshot | undefined;
  private readonly balance: BoundedLatest<FsrBalanceEvent>;
  private readonly feedback: BoundedLatest<FsrFeedbackEvent>;

  constructor(
    private readonly limits: SessionStateLimits = { maxEntries: 10_000, maxAgeMs: 60_000 },
    private readonly now: () => number = Date.now,
  ) {
    this.aiBySession = new BoundedLatest(limits.maxEntries);
    this.balance = new BoundedLatest(limits.maxEntries);
    this.feedback = new BoundedLatest(limits.maxEntries);
  }

  onAiStatus(e: AiStatusEvent): void {
    const snap: AiSnapshot = { lumbar: e.lumbar, knee: e.knee, ankle: e.ankle, at: e.at };
    if (e.sessionId) this.aiBySession.put(e.sessionId, snap, this.now());
    else if (!this.aiGlobal || this.aiGlobal.at <= snap.at) this.aiGlobal = snap;
  }

  onFsrBalance(e: FsrBalanceEvent): void {
    this.balance.put(e.deviceId, e, this.now());
  }

  onFsrFeedback(e: FsrFeedbackEvent): void {
    this.feedback.put(e.deviceId, e, this.now());
  }

  /** The session's own judgement, else the latest unscoped one, else nothing. */
  ai(sessionId: string): AiSnapshot | undefined {
    const own = this.aiBySession.get(sessionId);
    if (own && (!this.aiGlobal || own.at >= this.aiGlobal.at)) return own;
    return this.aiGlobal ?? own;
  }

  balanceOf(deviceId: string): FsrBalanceEvent | undefined {
    return this.balance.get(deviceId);
  }

  feedbackOf(deviceId: string): FsrFeedbackEvent | undefined {
    return this.feedback.get(deviceId);
  }

  /** Drops what a finished session left behind. */
  forgetSession(sessionId: string): void {
    this.aiBySession.delete(sessionId);
  }

  /** Drops every entry not updated for `maxAgeMs`. */
  sweep(): void {
    const cutoff = this.now() - this.limits.maxAgeMs;
    this.aiBySession.sweep(cutoff);
    this.balance.sweep(cutoff);
    this.feedback.sweep(cutoff);
    if (this.aiGlobal && this.aiGlobal.at < cutoff) this.aiGlobal = undefined;
  }

  /** Entries held per map (tests and metrics). */
  sizes(): { ai: number; balance: number; feedback: number } {
    return { ai: this.aiBySession.size, balance: this.balance.size, feedback: this.feedback.size };
  }
}
