import type { Judgement, SquatStage } from '@squirret/contracts';
import type { SquatView } from './features';
import type { RepFeatureVector } from './rep-features';
import type { ConfidenceJoint, ModelPose } from './model/model.types';

/**
 * Per joint, the calibrated probability that its verdict is right (isotonic on out-of-fold
 * predictions of train), or null when the joint was not judged by the model.
 */
export type JointConfidence = Readonly<Record<ConfidenceJoint, number | null>>;

/** The joints (and the depth) a judgement or a reason is about. */
export const JUDGED_JOINTS = ['lumbar', 'knee', 'ankle', 'depth'] as const;
export type JudgedJoint = (typeof JUDGED_JOINTS)[number];

/** Why a joint was judged as it was; typed constants, never loose strings. */
export const REASON_CODES = {
  /** lumbar: the trunk leans too far forward (the dataset's "bending forward"). */
  TRUNK_LEAN: 'TRUNK_LEAN',
  /** knee: the knees move inwards, closer together than the ankles (front view). */
  KNEE_VALGUS: 'KNEE_VALGUS',
  /** ankle: the heels come off the floor. */
  HEEL_LIFT: 'HEEL_LIFT',
  /** ankle: the ankles rise above their standing position (the heels or the toes leave the floor). */
  ANKLE_RISE: 'ANKLE_RISE',
  /** ankle: the toes / forefoot come off the floor. */
  TOE_LIFT: 'TOE_LIFT',
  /** ankle, from the heel points (BlazePose): the heels rise above their standing position. */
  HEEL_RISE: 'HEEL_RISE',
  /** ankle, from the toe (foot_index) points (BlazePose): the toes rise above their standing position. */
  TOE_RISE: 'TOE_RISE',
  /** depth: the rep did not go deep enough. */
  NO_DEPTH: 'NO_DEPTH',
  /** any joint: the keypoints it needs were not confident, so it is not judged ("null"). */
  LOW_CONFIDENCE: 'LOW_CONFIDENCE',
  /** knee: valgus is only judged from a frontal view; the person is seen from the side. */
  NEEDS_FRONT_VIEW: 'NEEDS_FRONT_VIEW',
} as const;
export type ReasonCode = (typeof REASON_CODES)[keyof typeof REASON_CODES];

/** One explanation attached to a judgement: which joint, which rule, a human-readable message. */
export interface Reason {
  readonly joint: JudgedJoint;
  readonly code: ReasonCode;
  readonly message: string;
  /** The measured value behind the rule, when there is one (unit depends on the code). */
  readonly value?: number;
  /** The threshold it was compared with. */
  readonly threshold?: number;
}

/** The six form classes of the rep-level judge (the dataset's two good-form classes are merged). */
export const FORM_CLASSES = ['good', 'bending_forward', 'heels_lifting', 'knees_caving', 'no_depth', 'toes_lifting'] as const;
export type FormClass = (typeof FORM_CLASSES)[number];

/** Angles of the frame in degrees (null when not measurable). */
export interface FrameAngles {
  readonly kneeLeft: number | null;
  readonly kneeRight: number | null;
  readonly hipLeft: number | null;
  readonly hipRight: number | null;
  /** The knee / hip angle used for judging (near leg in side view, more bent leg otherwise). */
  readonly knee: number | null;
  readonly hip: number | null;
  /** Trunk lean from the vertical. */
  readonly trunkLean: number | null;
}

/** Ratios of the frame (null when not measurable or not calibrated yet). */
export interface FrameMetrics {
  /** Hip drop as a fraction of the standing hip height. */
  readonly depth: number | null;
  /** Knee width / ankle width (front view). */
  readonly kneeAnkleWidth: number | null;
  /** Rise of the ankles above standing, in standing shin heights. */
  readonly heelLift: number | null;
}

/** What the analyzer says about one frame of the live stream. */
export interface FrameAnalysis {
  readonly tMs: number;
  readonly view: SquatView;
  readonly stage: SquatStage;
  /** Reps counted so far in this session. */
  readonly reps: number;
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  /** 0-100 for this frame; null when no joint could be judged. */
  readonly score: number | null;
  /** One reason per bad or null joint (empty when everything judged is good). */
  readonly reasons: readonly Reason[];
  readonly angles: FrameAngles;
  readonly metrics: FrameMetrics;
  /**
   * Calibrated confidence per joint. The live per-frame rules have none (absent); it is given on the
   * rep summary, where the fitted model judges.
   */
  readonly confidence?: JointConfidence;
  /** Present on the frame where a repetition is counted. */
  readonly repCompleted?: RepSummary;
}

/** The verdict on one finished repetition. */
export interface RepSummary {
  /** 1-based number of the rep in the session. */
  readonly index: number;
  readonly startMs: number;
  readonly bottomMs: number;
  readonly endMs: number;
  /** Deepest hip drop as a fraction of the standing hip height. */
  readonly depth: number;
  /** Smallest knee angle seen during the rep (degrees), null when never measurable. */
  readonly minKneeAngle: number | null;
  readonly view: SquatView;
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  readonly depthJudgement: Judgement;
  /** The form class the judge settled on ('good' or one fault), and how it got there. */
  readonly formClass: FormClass;
  readonly method: 'model' | 'rules';
  /** Class probabilities from the fitted model (front view only). */
  readonly probabilities?: Readonly<Record<FormClass, number>>;
  readonly score: number;
  readonly reasons: readonly Reason[];
  /** Which path judged the rep: 'blazepose' when heels and toes were seen at the bottom, else 'movenet'. */
  readonly model?: ModelPose;
  /**
   * Calibrated confidence of each joint's verdict (model path); a joint below its floor is "null"
   * (LOW_CONFIDENCE), unless a live rule flagged it over the rep (`ruleFlagged`).
   */
  readonly confidence?: JointConfidence;
  /** Joints a live rule flagged over the rep (the lumbar past the trunk-lean limit). */
  readonly ruleFlagged?: readonly JudgedJoint[];
  /** The model's input for this rep; only with the analyzer option `includeFeatures`. */
  readonly features?: RepFeatureVector;
}
