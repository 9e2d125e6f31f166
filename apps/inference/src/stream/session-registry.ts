import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SquatAnalyzer } from '@squirret/squat';
import { isPoseError } from '@squirret/pose';
import type { InferenceErrorMessage } from '@squirret/contracts';
import { SessionCheckpointStore } from '../checkpoint/checkpoint-store';
import type { InferenceConfig } from '../config/inference.config';
import { INF_CONFIG } from '../inference.tokens';
import { PoseEngine } from '../pose/pose-engine';
import { StreamSession, type StreamCounters } from './stream-session';

/** Maps a pose failure to the wire's error code; internals never leave the server. */
export function poseErrorToWire(err: unknown): Pick<InferenceErrorMessage, 'code' | 'message'> {
  if (isPoseError(err)) {
    switch (err.code) {
      case 'INVALID_IMAGE':
        return { code: 'INVALID_IMAGE', message: 'the frame is not a decodable image' };
      case 'IMAGE_TOO_LARGE':
        return { code: 'IMAGE_TOO_LARGE', message: 'the image is over the size limit' };
      case 'QUEUE_FULL':
      case 'INFERENCE_TIMEOUT':
        return { code: 'OVERLOADED', message: 'the node is overloaded; the frame was skipped' };
      default:
        return { code: 'INTERNAL_ERROR', message: 'the frame could not be analysed' };
    }
  }
  return { code: 'INTERNAL_ERROR', message: 'the frame could not be analysed' };
}

/**
 * Stream sessions of this node by sessionId. A session's state (reps, stage, counters) outlives
 * its socket for INFERENCE_SESSION_STATE_TTL_MS, so a reconnect with a refreshed token carries on; it is
 * also checkpointed to the shared store (every rep, every INFERENCE_CHECKPOINT_INTERVAL_MS of frames, on
 * detach and on drain), so a reconnect to another node carries on too.
 */
@Injectable()
export class SessionRegistry implements OnModuleDestroy {
  private readonly logger = new Logger('sessions');
  private readonly sessions = new Map<string, StreamSession>();
  private readonly sweeper: NodeJS.Timeout;
  /** Per session: the checkpoint write in flight, and whether another is wanted after it. */
  private readonly saving = new Map<string, { done: Promise<boolean>; again: boolean }>();
  private lastSavedAt = new Map<string, number>();
  /** Per session: the usage report being taken (they run one after the other). */
  private readonly reporting = new Map<string, Promise<void>>();

  constructor(
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
    private readonly engine: PoseEngine,
    private readonly checkpoints: SessionCheckpointStore,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(30_000, config.INFERENCE_SESSION_STATE_TTL_MS));
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  getOrCreate(sessionId: string): StreamSession {
    let s = this.sessions.get(sessionId);
    if (!s) {
      // no aspect ratio here: each frame's pose brings its decoded size, and the session gives the analyzer its width / height
      const created = new StreamSession(sessionId, new SquatAnalyzer(), this.engine, poseErrorToWire, () => performance.now());
      created.afterFrame = (repCounted) => this.maybeCheckpoint(created, repCounted);
      this.sessions.set(sessionId, created);
      s = created;
    }
    return s;
  }

  /**
   * The session, carried on from the shared checkpoint when that is newer than what this node
   * holds (the session ran on another node since). A store that does not answer costs the
   * restore, never the stream.
   */
  async open(sessionId: string): Promise<{ session: StreamSession; restored: boolean }> {
    const session = this.getOrCreate(sessionId);
    try {
      const c = await this.checkpoints.load(sessionId);
      if (c && c.savedAt > session.stateSavedAt && !session.inFlight) {
        session.restore(c);
        return { session, restored: true };
      }
    } catch (err) {
      this.logger.warn({ sessionId, err: err instanceof Error ? err.message : String(err) }, 'checkpoint not loaded');
    }
    return { session, restored: false };
  }

  all(): StreamSession[] {
    return [...this.sessions.values()];
  }

  /** After a frame: checkpoint on every counted rep and at least every INFERENCE_CHECKPOINT_INTERVAL_MS. */
  private maybeCheckpoint(s: StreamSession, repCounted: boolean): void {
    const last = this.lastSavedAt.get(s.sessionId) ?? 0;
    if (repCounted || Date.now() - last >= this.config.INFERENCE_CHECKPOINT_INTERVAL_MS) void this.checkpoint(s);
  }

  /**
   * Writes the session's state now (one write in flight per session; a request during a write
   * makes one more write of the newest state after it). Never throws: resolves true when the
   * newest state at the time of the call is stored, false when its write failed.
   */
  checkpoint(s: StreamSession): Promise<boolean> {
    const inFlight = this.saving.get(s.sessionId);
    if (inFlight) {
      inFlight.again = true;
      return inFlight.done;
    }
    const entry = { done: Promise.resolve(false), again: false };
    entry.done = (async () => {
      let saved = false;
      do {
        entry.again = false;
        // savedAt moves forward even when two writes fall in one millisecond
        const savedAt = Math.max(Date.now(), s.stateSavedAt + 1);
        const c = s.checkpoint(this.config.INFERENCE_NODE_ID, savedAt);
        this.lastSavedAt.set(s.sessionId, Date.now());
        s.dirty = false;
        try {
          await this.checkpoints.save(c, this.config.INFERENCE_SESSION_STATE_TTL_MS);
          s.stateSavedAt = savedAt;
          saved = true;
        } catch (err) {
          s.dirty = true;
          saved = false;
          this.logger.warn({ sessionId: s.sessionId, err: err instanceof Error ? err.message : String(err) }, 'checkpoint not saved');
        }
      } while (entry.again);
      this.saving.delete(s.sessionId);
      return saved;
    })();
    this.saving.set(s.sessionId, entry);
    return entry.done;
  }

  /**
   * The session's usage since its last report, to publish as the next `session.usage` delta, or
   * undefined when there is none (or it must wait). One at a time per session.
   *
   * Why this order: the watermark (`reported`) is checkpointed BEFORE the delta is handed out, and
   * a delta whose checkpoint failed is not handed out (the next report carries it). So every
   * checkpoint a successor can restore records as reported at least every delta ever published,
   * and the successor reports from there: a frame is never counted twice. A node that dies
   * between the write and the publish loses that one delta (never a double count), and a node that
   * dies between reports loses only what came after its last checkpoint (every rep and every
   * INFERENCE_CHECKPOINT_INTERVAL_MS), not what came after its last report. The ledger needs nothing new:
   * its job id (session, node, at) still only stops a redelivered event from counting twice.
   */
  takeUsage(s: StreamSession, final: boolean): Promise<StreamCounters | undefined> {
    const next = (this.reporting.get(s.sessionId) ?? Promise.resolve()).then(async () => {
      const from = s.reported;
      const delta = s.unreported;
      if (delta.framesIn === 0 && delta.framesAnalysed === 0 && delta.framesDropped === 0) return final ? delta : undefined;
      s.reported = s.counters;
      if (await this.checkpoint(s)) return delta;
      s.reported = from;
      return undefined;
    });
    const tail = next.then(() => undefined);
    this.reporting.set(s.sessionId, tail);
    void tail.then(() => {
      if (this.reporting.get(s.sessionId) === tail) this.reporting.delete(s.sessionId);
    });
    return next;
  }

  /** Checkpoints every session whose state changed since its last checkpoint (detach, drain). */
  async checkpointChanged(sessions: StreamSession[] = this.all()): Promise<void> {
    await Promise.all(sessions.filter((s) => s.dirty || this.saving.has(s.sessionId)).map((s) => this.checkpoint(s)));
  }

  private sweep(): void {
    const now = performance.now();
    for (const [id, s] of this.sessions) {
      if (!s.attached && now - s.touchedAt > this.config.INFERENCE_SESSION_STATE_TTL_MS) {
        this.sessions.delete(id);
        this.lastSavedAt.delete(id);
      }
    }
  }
}
