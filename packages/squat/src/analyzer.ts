import { COCO17, FOOT_POINTS, type FootKeypoint, type FootPointName, type Keypoint, type KeypointName, type SquatStage } from '@squirret/contracts';
import type { FrameAnalysis, RepSummary } from './analysis.types';
import { computeFeatures, detectView, footLengths, frameLengths, isUpright, type BodyReference, type FrameFeatures, type SquatView } from './features';
import { featureGetter, judgeFrame, judgeRep } from './judge';
import { shippedModel } from './model/load';
import type { FittedModel, ModelPose } from './model/model.types';
import { RepRecorder, repFrameOf, type RepRecorderState } from './rep-features';
import {
  DEFAULT_SMOOTHER_OPTIONS,
  KeypointSmoother,
  emaStep,
  type KeypointSmootherOptions,
  type KeypointSmootherState,
  type RawPoint,
} from './smoothing';
import { DEFAULT_STAGE_OPTIONS, StageMachine, type RepTiming, type StageOptions, type StageState } from './stage';

/** Options of a `SquatAnalyzer`; every field has a default. */
export interface SquatAnalyzerOptions {
  /**
   * Width / height of the camera frame (both pose models normalise x by the width and y by the
   * height), used until a frame brings its own (`push`'s `aspectRatio`). Default 1.
   */
  readonly aspectRatio?: number;
  readonly smoothing?: Partial<KeypointSmootherOptions>;
  readonly stage?: Partial<StageOptions>;
  /** The MoveNet path's fitted rep classifier and thresholds (COCO-17 only); defaults to `models/movenet.json`. */
  readonly model?: FittedModel;
  /** The BlazePose path's model (COCO-17 + heels and toes); defaults to `models/blazepose.json`. */
  readonly feetModel?: FittedModel;
  /**
   * 'auto' (default): a rep whose heels and toes were seen at the bottom is judged by the BlazePose
   * model, any other rep by the MoveNet model; 'ignore': foot points are never used (MoveNet path only).
   */
  readonly feet?: 'auto' | 'ignore';
  /** Attach the rep feature vector (the model's input) to each RepSummary, for fitting and debugging. */
  readonly includeFeatures?: boolean;
}

/** Serialisable state of a `SquatAnalyzer` (plain JSON), so a session can survive a reconnect. */
export interface SquatAnalyzerSnapshot {
  /**
   * Still 1: the foot points only added optional fields (`feetSmoother`, the reference's heel and toe
   * positions, longer recorder rows), so older snapshots restore here and newer ones in older analyzers.
   */
  readonly version: 1;
  readonly smoother: KeypointSmootherState;
  /** The heel and toe filters (FOOT_POINTS order); absent in snapshots taken before foot points (they restore with empty filters). */
  readonly feetSmoother?: KeypointSmootherState;
  readonly stage: StageState;
  readonly recorder: RepRecorderState;
  readonly reference: BodyReference | null;
  readonly view: SquatView;
  readonly lastMs: number | null;
  readonly pending: PendingRep | null;
  /**
   * The aspect ratio the state was built in (the filters and the reference hold x × aspect). Absent
   * in snapshots taken before per-frame aspect ratios: they restore with the constructor's aspect.
   */
  readonly aspectRatio?: number;
}

/** A counted rep whose summary waits for the end of its post window. */
export interface PendingRep {
  readonly timing: RepTiming;
  readonly index: number;
  readonly view: SquatView;
}

/**
 * The rep summary is delivered this long after the rep is counted: the frames just after standing
 * up carry the clearest sign of a toe or heel lift (the count itself is not delayed).
 */
export const REP_POST_WINDOW_MS = 640;

/** Standing reference follows the person slowly (scale drift when they step closer or back). */
const REFERENCE_TIME_CONSTANT_MS = 1000;
/** Upright frames lower than the reference pull it down this slowly (the start of a descent barely moves it). */
const REFERENCE_UPRIGHT_TIME_CONSTANT_MS = 3000;
/** Only frames this close to upright update the reference. */
const REFERENCE_MAX_DEPTH = 0.03;
/** A standing hip height below this (in frame heights) is not a plausible person. */
const MIN_LEG_HEIGHT = 0.02;
/**
 * A frame whose aspect ratio differs from the current one by more than this (relative) re-anchors the
 * analyzer (the phone was rotated, the camera changed); a smaller change (a resolution change that
 * rounds differently, 240x427 against 108x192) is adopted without losing the state.
 */
export const ASPECT_REANCHOR_TOLERANCE = 0.01;

const INDEX = new Map<KeypointName, number>(COCO17.map((n, i) => [n, i]));
const FOOT_INDEX = new Map<FootPointName, number>(FOOT_POINTS.map((n, i) => [n, i]));

/**
 * Streaming squat analyzer: one call per video frame, pure and deterministic (time comes only from
 * the caller's `tMs`). Pipeline per frame: confidence gate + One Euro smoothing -> view detection ->
 * standing reference -> features -> stage machine / rep counter -> live judgement; when a rep is
 * counted, its buffered frames are summarised and judged by the fitted model (`repCompleted`).
 */
export class SquatAnalyzer {
  /** The aspect ratio of the frames the state was built from (constructor's, then the frames'). */
  private aspect: number;
  private readonly initialAspect: number;
  private readonly smoother: KeypointSmoother;
  private readonly feetSmoother: KeypointSmoother;
  private readonly stageMachine: StageMachine;
  private readonly recorder = new RepRecorder();
  private readonly model: FittedModel;
  private readonly feetModel: FittedModel | null;
  private readonly includeFeatures: boolean;
  private reference: BodyReference | null = null;
  private view: SquatView = 'unknown';
  private lastMs: number | null = null;
  private pending: PendingRep | null = null;

  constructor(options: SquatAnalyzerOptions = {}) {
    const aspect = options.aspectRatio ?? 1;
    if (!validAspect(aspect)) throw new RangeError(`aspectRatio must be a positive number, got ${aspect}`);
    this.aspect = aspect;
    this.initialAspect = aspect;
    const smoothing = {
      ...DEFAULT_SMOOTHER_OPTIONS,
      ...options.smoothing,
      filter: { ...DEFAULT_SMOOTHER_OPTIONS.filter, ...options.smoothing?.filter },
    };
    this.smoother = new KeypointSmoother(COCO17.length, smoothing);
    this.feetSmoother = new KeypointSmoother(FOOT_POINTS.length, smoothing);
    this.stageMachine = new StageMachine({ ...DEFAULT_STAGE_OPTIONS, ...options.stage });
    // the shipped files are read only for a path whose model was not passed in
    this.model = options.model ?? shippedModel('movenet');
    this.feetModel = options.feet === 'ignore' ? null : options.feetModel ?? shippedModel('blazepose');
    this.includeFeatures = options.includeFeatures ?? false;
  }

  get reps(): number {
    return this.stageMachine.reps;
  }

  get stage(): SquatStage {
    return this.stageMachine.stage;
  }

  /** Width / height of the frames the analyzer currently works in. */
  get aspectRatio(): number {
    return this.aspect;
  }

  /**
   * Analyzes one frame. Keypoints are matched by name; missing or unconfident ones are tolerated.
   * `feet` are the heel and toe points when the pose model gives them (BlazePose); MoveNet passes none.
   * `aspectRatio` is the width / height of the frame the keypoints came from; omitted, the last one
   * given (or the constructor's) is kept. One that is not a finite positive number is ignored the same
   * way (a frame's bad size must not end the stream). One that differs from the current aspect by more
   * than `ASPECT_REANCHOR_TOLERANCE` re-anchors: a pending rep summary is delivered on this frame, a
   * rep in progress is dropped uncounted, and the filters, the view and the standing reference start
   * over from this frame (the rep count is kept), since all of them hold widths in the old units.
   */
  push(keypoints: readonly Keypoint[], tMs: number, feet?: readonly FootKeypoint[], aspectRatio?: number): FrameAnalysis {
    if (!Number.isFinite(tMs)) throw new RangeError(`tMs must be a finite number, got ${tMs}`);
    let repCompleted: RepSummary | undefined = this.applyAspect(aspectRatio) ?? undefined;
    const pose = this.smoother.push(this.rawPoints(keypoints, INDEX, COCO17.length), tMs);
    // without foot points (MoveNet) the foot filters still run on nothing, so a point seen earlier is dropped after its hold time
    const feetPose = this.feetModel ? this.feetSmoother.push(this.rawPoints(feet ?? [], FOOT_INDEX, FOOT_POINTS.length), tMs) : [];
    this.view = detectView(pose, this.reference, this.view);
    this.updateReference(frameLengths(pose, this.view), isUpright(pose), tMs, footLengths(feetPose, pose, this.view));
    this.lastMs = tMs;

    const features = computeFeatures(pose, this.reference, this.view, feetPose);
    const update = this.stageMachine.push(features.depth, tMs);
    const frame = repFrameOf(features, tMs);
    // a pending rep is summarised once its post window has passed, or at once when a new rep starts
    if (this.pending && (tMs - this.pending.timing.endMs >= REP_POST_WINDOW_MS || update.stage !== 'standing')) {
      repCompleted = this.emitPending() ?? undefined;
    }
    if (update.completed) {
      this.recorder.endRep(frame);
      this.pending = { timing: update.completed, index: update.reps, view: this.view };
    } else if (update.abandoned) {
      this.recorder.discard();
    } else {
      this.recorder.push(frame, update.stage !== 'standing');
    }

    // a frame with heels and toes is judged by the BlazePose model's rules (heel and toe rise)
    const liveModel = this.feetModel && features.heelRise !== null && features.toeRise !== null ? this.feetModel : this.model;
    const live = judgeFrame(features, update.stage, liveModel.thresholds);
    return {
      tMs,
      view: this.view,
      stage: update.stage,
      reps: update.reps,
      lumbar: live.lumbar,
      knee: live.knee,
      ankle: live.ankle,
      score: live.score,
      reasons: live.reasons,
      angles: anglesOf(features),
      metrics: { depth: features.depth, kneeAnkleWidth: features.kneeAnkleWidth, heelLift: features.heelLift },
      ...(repCompleted ? { repCompleted } : {}),
    };
  }

  /**
   * Ends the session: the summary of a rep still in its post window is delivered now, and a rep that
   * reached depth and was on its way up when the stream stopped is counted and summarised. Returns
   * null when there was no such rep.
   */
  flush(tMs: number): RepSummary | null {
    if (this.pending) return this.emitPending();
    const timing = this.stageMachine.flush(tMs);
    if (!timing) {
      this.recorder.discard();
      return null;
    }
    this.recorder.endRep(null);
    this.pending = { timing, index: this.stageMachine.reps, view: this.view };
    return this.emitPending();
  }

  reset(): void {
    this.aspect = this.initialAspect;
    this.pending = null;
    this.stageMachine.reset();
    this.forgetPerson();
    this.lastMs = null;
  }

  /** Drops what follows the person (filters, the rep's buffered frames, the standing reference, the view); the count stays. */
  private forgetPerson(): void {
    this.smoother.reset();
    this.feetSmoother.reset();
    this.recorder.discard();
    this.reference = null;
    this.view = 'unknown';
  }

  snapshot(): SquatAnalyzerSnapshot {
    // a JSON round trip makes the snapshot a deep, plain copy that shares nothing with the analyzer
    const snap: SquatAnalyzerSnapshot = {
      version: 1,
      smoother: this.smoother.snapshot(),
      feetSmoother: this.feetSmoother.snapshot(),
      stage: this.stageMachine.snapshot(),
      recorder: this.recorder.snapshot(),
      reference: this.reference ? { ...this.reference } : null,
      view: this.view,
      lastMs: this.lastMs,
      pending: this.pending,
      aspectRatio: this.aspect,
    };
    return JSON.parse(JSON.stringify(snap)) as SquatAnalyzerSnapshot;
  }

  /**
   * Restores a snapshot (one taken before foot points, without `feetSmoother`, starts the foot filters
   * empty; one taken before per-frame aspect ratios, without `aspectRatio`, is in the constructor's).
   */
  restore(snapshot: SquatAnalyzerSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`unsupported squat analyzer snapshot version ${String(snapshot.version)}`);
    const copy = JSON.parse(JSON.stringify(snapshot)) as SquatAnalyzerSnapshot;
    this.smoother.restore(copy.smoother);
    if (copy.feetSmoother) this.feetSmoother.restore(copy.feetSmoother);
    else this.feetSmoother.reset();
    this.stageMachine.restore(copy.stage);
    this.recorder.restore(copy.recorder);
    this.reference = copy.reference;
    this.view = copy.view;
    this.lastMs = copy.lastMs;
    this.pending = copy.pending;
    this.aspect = copy.aspectRatio !== undefined && validAspect(copy.aspectRatio) ? copy.aspectRatio : this.initialAspect;
  }

  /** Takes a frame's aspect ratio (see `push`); returns the pending rep summary a re-anchor delivers. */
  private applyAspect(aspectRatio: number | undefined): RepSummary | null {
    if (aspectRatio === undefined || !validAspect(aspectRatio) || aspectRatio === this.aspect) return null;
    const change = Math.abs(aspectRatio / this.aspect - 1);
    this.aspect = aspectRatio;
    if (change <= ASPECT_REANCHOR_TOLERANCE) return null;
    const summary = this.emitPending();
    this.stageMachine.abandon();
    this.forgetPerson();
    return summary;
  }

  private rawPoints<N extends string>(points: ReadonlyArray<{ readonly name: N; readonly x: number; readonly y: number; readonly score: number }>, index: ReadonlyMap<N, number>, size: number): Array<RawPoint | undefined> {
    const raw: Array<RawPoint | undefined> = new Array<RawPoint | undefined>(size);
    for (const k of points) {
      const i = index.get(k.name);
      // a non-finite coordinate or score never enters the filters: the point counts as missing
      if (i !== undefined && Number.isFinite(k.x) && Number.isFinite(k.y) && Number.isFinite(k.score)) raw[i] = { x: k.x * this.aspect, y: k.y, score: k.score };
    }
    return raw;
  }

  private updateReference(lengths: ReturnType<typeof frameLengths>, upright: boolean, tMs: number, foot: ReturnType<typeof footLengths> = null): void {
    if (!lengths || !(lengths.legHeight > MIN_LEG_HEIGHT)) return;
    const ref = this.reference;
    // the reference is the upright pose: a taller hip than the reference means the reference was
    // taken mid-squat (or the person came closer), so it is replaced at once
    if (ref === null || lengths.legHeight > ref.legHeight * 1.02) {
      // a rep in progress is measured against the taller standing pose from now on
      if (ref !== null) this.stageMachine.rebase(ref.legHeight / lengths.legHeight);
      this.reference = {
        ...lengths,
        shinHeight: positive(lengths.shinHeight) ?? ref?.shinHeight ?? null,
        thighHeight: positive(lengths.thighHeight) ?? ref?.thighHeight ?? null,
        noseHeight: lengths.noseHeight ?? ref?.noseHeight ?? null,
        ankleWidth: this.view === 'front' ? lengths.ankleWidth : ref?.ankleWidth ?? null,
        heelY: foot?.heelY ?? ref?.heelY ?? null,
        toeY: foot?.toeY ?? ref?.toeY ?? null,
        footSpan: foot?.footSpan ?? ref?.footSpan ?? null,
      };
      return;
    }
    if (this.lastMs === null) return;
    const depth = 1 - lengths.legHeight / ref.legHeight;
    // standing still near the reference: follow it; upright (straight knees) but lower than the
    // reference: the person stepped back or the reference came from a glitch, follow it slowly
    const standing = this.stageMachine.stage === 'standing' && depth <= REFERENCE_MAX_DEPTH;
    if (!standing && !upright) return;
    const dt = tMs - this.lastMs;
    const tau = standing ? REFERENCE_TIME_CONSTANT_MS : REFERENCE_UPRIGHT_TIME_CONSTANT_MS;
    const step = (a: number, b: number): number => emaStep(a, b, dt, tau);
    // an optional length follows when measured, keeps its last value when not
    const stepOpt = (a: number | null, b: number | null): number | null => (b === null ? a : a === null ? b : step(a, b));
    this.reference = {
      legHeight: step(ref.legHeight, lengths.legHeight),
      shinHeight: stepOpt(ref.shinHeight, positive(lengths.shinHeight)),
      thighHeight: stepOpt(ref.thighHeight, positive(lengths.thighHeight)),
      torsoLength: step(ref.torsoLength, lengths.torsoLength),
      noseHeight: stepOpt(ref.noseHeight, lengths.noseHeight),
      ankleY: step(ref.ankleY, lengths.ankleY),
      ankleWidth: this.view === 'front' ? stepOpt(ref.ankleWidth, lengths.ankleWidth) : ref.ankleWidth,
      heelY: stepOpt(ref.heelY ?? null, foot?.heelY ?? null),
      toeY: stepOpt(ref.toeY ?? null, foot?.toeY ?? null),
      footSpan: stepOpt(ref.footSpan ?? null, foot?.footSpan ?? null),
    };
  }

  private repPose(features: Parameters<typeof featureGetter>[0]): ModelPose {
    return this.feetModel ? repPoseOf(features) : 'movenet';
  }

  private emitPending(): RepSummary | null {
    const p = this.pending;
    if (!p) return null;
    this.pending = null;
    const features = this.recorder.finish();
    const pose = this.repPose(features);
    const verdict = judgeRep({ features, view: p.view }, pose === 'blazepose' && this.feetModel ? this.feetModel : this.model);
    const kneeIdx = features.names.indexOf('kneeAngle_min');
    const minKnee = kneeIdx >= 0 ? features.values[kneeIdx] ?? null : null;
    return {
      index: p.index,
      startMs: p.timing.startMs,
      bottomMs: p.timing.bottomMs,
      endMs: p.timing.endMs,
      depth: p.timing.maxDepth,
      minKneeAngle: minKnee,
      view: p.view,
      model: pose,
      ...verdict,
      ...(this.includeFeatures ? { features } : {}),
    };
  }
}

/** A rep is judged on the BlazePose path when its heels and toes were measured at the bottom. */
function repPoseOf(features: Parameters<typeof featureGetter>[0]): ModelPose {
  const get = featureGetter(features);
  return get('heelRise_bottom') !== null && get('toeRise_bottom') !== null ? 'blazepose' : 'movenet';
}

function validAspect(v: number): boolean {
  return v > 0 && Number.isFinite(v);
}

function positive(v: number | null): number | null {
  return v !== null && v > 0 ? v : null;
}

function anglesOf(f: FrameFeatures): FrameAnalysis['angles'] {
  return {
    kneeLeft: f.kneeAngleLeft,
    kneeRight: f.kneeAngleRight,
    hipLeft: f.hipAngleLeft,
    hipRight: f.hipAngleRight,
    knee: f.kneeAngle,
    hip: f.hipAngle,
    trunkLean: f.trunkLean,
  };
}
