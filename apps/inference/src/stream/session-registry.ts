import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { SquatAnalyzer } from '@squirret/squat';
import { isPoseError } from '@squirret/pose';
import type { InferenceErrorMessage } from '@squirret/contracts';
import type { InferenceConfig } from '../config/inference.config';
import { INF_CONFIG } from '../inference.tokens';
import { PoseEngine } from '../pose/pose-engine';
import { StreamSession } from './stream-session';

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
 * its socket for SESSION_STATE_TTL_MS, so a reconnect with a refreshed token carries on.
 */
@Injectable()
export class SessionRegistry implements OnModuleDestroy {
  private readonly sessions = new Map<string, StreamSession>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
    private readonly engine: PoseEngine,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(30_000, config.SESSION_STATE_TTL_MS));
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  getOrCreate(sessionId: string): StreamSession {
    let s = this.sessions.get(sessionId);
    if (!s) {
      s = new StreamSession(sessionId, new SquatAnalyzer(), this.engine, poseErrorToWire, () => performance.now());
      this.sessions.set(sessionId, s);
    }
    return s;
  }

  all(): StreamSession[] {
    return [...this.sessions.values()];
  }

  private sweep(): void {
    const now = performance.now();
    for (const [id, s] of this.sessions) {
      if (!s.attached && now - s.touchedAt > this.config.SESSION_STATE_TTL_MS) this.sessions.delete(id);
    }
  }
}
