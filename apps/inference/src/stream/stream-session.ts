import type { AnalysisMessage, FootKeypoint, InferenceErrorMessage, Keypoint, Landmark, PoseModelName, RepMessage } from '@squirret/contracts';
import type { FrameSize, PoseTrack } from '@squirret/pose';
import type { FrameAnalysis, JointConfidence, SquatAnalyzer } from '@squirret/squat';
import type { SessionCheckpoint } from '../checkpoint/session-checkpoint';
import type { ParsedFrame } from './frame-parser';

/** The pose of one frame, as the session needs it. */
export interface FrameEstimate {
  /** The model that made the pose (absent from fakes in tests). */
  readonly model?: PoseModelName;
  readonly keypoints: Keypoint[];
  /** Heels and toes (BlazePose only). */
  readonly feet?: FootKeypoint[];
  /** The 33 landmarks (BlazePose only). */
  readonly landmarks?: Landmark[];
  /** Tracking state to send with this stream's next frame (BlazePose; absent when the person was lost). */
  readonly track?: PoseTrack;
  /**
   * Size of the decoded frame the keypoints are normalised to; its width / height is the aspect ratio
   * the analyzer measures this frame in. Absent (fakes in tests): the analyzer keeps its last one.
   */
  readonly frame?: FrameSize;
  readonly inferenceMs: number;
}

/** Runs the model on one image (the pose pool, or a fake in unit tests); `track` is the stream's previous frame's. */
export interface FrameEstimator {
  estimate(image: Uint8Array, track?: PoseTrack): Promise<FrameEstimate>;
}

/** Where a session's results go (the socket currently attached, if any). */
export interface StreamSink {
  send(message: AnalysisMessage | RepMessage | InferenceErrorMessage): void;
  /** Every analysed frame, for the throttled `ai.status`. */
  analysed(analysis: FrameAnalysis): void;
}

/** Maps an estimator failure to the wire's error code. */
export type ErrorMapper = (err: unknown) => Pick<InferenceErrorMessage, 'code' | 'message'>;

/** Frame counters of a session, as `session.usage` reports them. */
export interface StreamCounters {
  readonly framesIn: number;
  readonly framesAnalysed: number;
  readonly framesDropped: number;
}

const NO_FRAMES: StreamCounters = { framesIn: 0, framesAnalysed: 0, framesDropped: 0 };

/**
 * One session's stream state, kept across reconnects: the analyzer (reps, stage), the counters,
 * and the newest-frame-wins slot. At most one frame is being analysed and at most one waits; a
 * frame arriving while one waits replaces it and counts as dropped.
 */
export class StreamSession {
  private framesIn = 0;
  private framesAnalysed = 0;
  private framesDropped = 0;
  private pending: { frame: ParsedFrame; receivedAt: number } | undefined;
  private busy = false;
  private sink: StreamSink | undefined;
  private lastTimeMs = -Infinity;
  private useClientTime: boolean | undefined;
  private idleWaiters: (() => void)[] = [];
  /**
   * Where the person was in this stream's last analysed frame (BlazePose crops the next frame from
   * it). Frames of a session are analysed one at a time, so it is always the previous frame's. Not
   * checkpointed: after a restore or a lost person the detector finds them again.
   */
  private track: PoseTrack | undefined;
  /** When the session was last attached or detached (for the state TTL). */
  touchedAt: number;
  /** `savedAt` of the checkpoint this state was last written to or restored from (0: never). */
  stateSavedAt = 0;
  /** True when frames changed the state since it was last checkpointed. */
  dirty = false;
  /**
   * The counters as of the last `session.usage` report of this session, on any node (the usage
   * watermark): the next report is `counters - reported`. Checkpointed with the state.
   */
  reported: StreamCounters = NO_FRAMES;
  /** Called with each analyzer step's duration in ms (metrics). */
  onAnalysed: ((ms: number) => void) | undefined;
  /** Called after every analysed frame (the registry checkpoints from here). */
  afterFrame: ((repCounted: boolean) => void) | undefined;

  constructor(
    readonly sessionId: string,
    private readonly analyzer: SquatAnalyzer,
    private readonly estimator: FrameEstimator,
    private readonly mapError: ErrorMapper,
    private readonly now: () => number,
  ) {
    this.touchedAt = now();
  }

  get counters(): StreamCounters {
    return { framesIn: this.framesIn, framesAnalysed: this.framesAnalysed, framesDropped: this.framesDropped };
  }

  /** True while a frame is being analysed. */
  get inFlight(): boolean {
    return this.busy;
  }

  get attached(): boolean {
    return this.sink !== undefined;
  }

  attach(sink: StreamSink): void {
    this.sink = sink;
    this.touchedAt = this.now();
  }

  /** Detaches the socket; a waiting frame is dropped (nobody would read its answer). */
  detach(): void {
    this.sink = undefined;
    this.touchedAt = this.now();
    if (this.pending) {
      this.pending = undefined;
      this.framesDropped++;
    }
  }

  /** The state as a checkpoint (a deep, plain copy). */
  checkpoint(nodeId: string, savedAt: number): SessionCheckpoint {
    return {
      version: 1,
      sessionId: this.sessionId,
      nodeId,
      savedAt,
      analyzer: this.analyzer.snapshot(),
      counters: this.counters,
      reported: this.reported,
      lastTimeMs: Number.isFinite(this.lastTimeMs) ? this.lastTimeMs : null,
      useClientTime: this.useClientTime ?? null,
    };
  }

  /** Carries on from a checkpoint (another node's, or an older state of this one). */
  restore(c: SessionCheckpoint): void {
    this.analyzer.restore(c.analyzer);
    this.track = undefined;
    this.framesIn = c.counters.framesIn;
    this.framesAnalysed = c.counters.framesAnalysed;
    this.framesDropped = c.counters.framesDropped;
    this.reported = c.reported ?? c.counters;
    this.lastTimeMs = c.lastTimeMs ?? -Infinity;
    this.useClientTime = c.useClientTime ?? undefined;
    this.stateSavedAt = c.savedAt;
    this.dirty = false;
  }

  /** What the session received since its last usage report (zero when nothing happened). */
  get unreported(): StreamCounters {
    const r = this.reported;
    return {
      framesIn: Math.max(0, this.framesIn - r.framesIn),
      framesAnalysed: Math.max(0, this.framesAnalysed - r.framesAnalysed),
      framesDropped: Math.max(0, this.framesDropped - r.framesDropped),
    };
  }

  get reps(): number {
    return this.analyzer.reps;
  }

  /** Offers a frame: analysed now if the session is idle, else it becomes the waiting frame. */
  offer(frame: ParsedFrame): void {
    this.framesIn++;
    const receivedAt = this.now();
    if (this.busy) {
      if (this.pending) this.framesDropped++;
      this.pending = { frame, receivedAt };
      return;
    }
    void this.run(frame, receivedAt);
  }

  /** Resolves when no frame is being analysed (drain on shutdown). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private timeOf(frame: ParsedFrame, receivedAt: number): number {
    // The first frame decides: client clocks when the client sends them, else the server's.
    this.useClientTime ??= frame.clientTimeMs !== undefined;
    const t = this.useClientTime && frame.clientTimeMs !== undefined ? frame.clientTimeMs : receivedAt;
    // The analyzer needs time to move forward; a client clock that jumps back is clamped.
    return Math.max(t, this.lastTimeMs + 1);
  }

  /**
   * One analyzer step as a transaction: on any failure the analyzer and the clock are put back as
   * they were before the frame, so one bad frame gets its error and the session goes on unharmed
   * (and no poisoned state is ever checkpointed).
   */
  private analyse(pose: FrameEstimate, frame: ParsedFrame, receivedAt: number): FrameAnalysis {
    const before = this.analyzer.snapshot();
    const tMs = this.timeOf(frame, receivedAt);
    try {
      if (!Number.isFinite(tMs)) throw new RangeError('frame time is not finite');
      const started = performance.now();
      // the analyzer ignores an aspect that is not a finite positive number (a 0-high frame)
      const aspect = pose.frame ? pose.frame.width / pose.frame.height : undefined;
      const a = this.analyzer.push(pose.keypoints, tMs, pose.feet, aspect);
      this.onAnalysed?.(performance.now() - started);
      if (!Number.isFinite(a.reps) || (a.score !== null && !Number.isFinite(a.score))) throw new RangeError('analysis is not finite');
      this.lastTimeMs = tMs;
      return a;
    } catch (err) {
      this.analyzer.restore(before);
      throw err;
    }
  }

  private async run(frame: ParsedFrame, receivedAt: number): Promise<void> {
    this.busy = true;
    const before = this.analyzer.reps;
    try {
      const pose = await this.estimator.estimate(frame.image, this.track);
      this.track = pose.track;
      const a = this.analyse(pose, frame, receivedAt);
      this.framesAnalysed++;
      this.dirty = true;
      this.afterFrame?.(a.repCompleted !== undefined || a.reps !== before);
      const sink = this.sink;
      if (sink) {
        sink.send(toAnalysisMessage(frame.frameNumber, a, pose, Math.round((this.now() - receivedAt) * 10) / 10, this.framesDropped));
        if (a.repCompleted) {
          const r = a.repCompleted;
          sink.send({
            type: 'rep',
            index: r.index,
            lumbar: r.lumbar,
            knee: r.knee,
            ankle: r.ankle,
            depth: round4(r.depth),
            depthJudgement: r.depthJudgement,
            formClass: r.formClass,
            score: Math.round(r.score),
            reasons: r.reasons.map((x) => ({ joint: x.joint, code: x.code, message: x.message })),
            ...(r.confidence ? { confidence: roundConfidence(r.confidence) } : {}),
          });
        }
        sink.analysed(a);
      }
    } catch (err) {
      this.sink?.send({ type: 'error', ...this.mapError(err), frameNumber: frame.frameNumber });
    } finally {
      this.busy = false;
      const next = this.pending;
      this.pending = undefined;
      if (next) void this.run(next.frame, next.receivedAt);
      else for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
const roundConfidence = (c: JointConfidence): JointConfidence => ({
  lumbar: c.lumbar === null ? null : round4(c.lumbar),
  knee: c.knee === null ? null : round4(c.knee),
  ankle: c.ankle === null ? null : round4(c.ankle),
});

/**
 * The wire's `analysis` message: the seed's fields and the 17 COCO keypoints (existing clients read
 * only those), then the model's name and, with BlazePose, the feet and the 33 landmarks.
 */
export function toAnalysisMessage(frameNumber: number, a: FrameAnalysis, pose: FrameEstimate, processingMs: number, dropped: number): AnalysisMessage {
  return {
    type: 'analysis',
    frameNumber,
    lumbar: a.lumbar,
    knee: a.knee,
    ankle: a.ankle,
    score: a.score === null ? null : Math.round(a.score),
    stage: a.stage,
    reps: a.reps,
    keypoints: pose.keypoints.map((k) => ({ name: k.name, x: round4(k.x), y: round4(k.y), score: round4(k.score) })),
    reasons: a.reasons.map((r) => ({ joint: r.joint, code: r.code, message: r.message })),
    processingMs,
    inferenceMs: Math.round(pose.inferenceMs * 10) / 10,
    dropped,
    ...(pose.model !== undefined ? { poseModel: pose.model } : {}),
    ...(pose.feet !== undefined ? { feet: pose.feet.map((k) => ({ name: k.name, x: round4(k.x), y: round4(k.y), score: round4(k.score) })) } : {}),
    ...(pose.landmarks !== undefined
      ? { landmarks: pose.landmarks.map((l) => ({ x: round4(l.x), y: round4(l.y), z: round4(l.z), visibility: round4(l.visibility) })) }
      : {}),
    ...(a.confidence ? { confidence: roundConfidence(a.confidence) } : {}),
  };
}
