import { COCO17, FOOT_POINTS, type FootPointName, type KeypointName } from '@squirret/contracts';
import { angleAt, angleFromVertical, distance, leanFromForeshortening, midpoint, safeRatio, type Point } from './geometry';
import type { SmoothedPoint } from './smoothing';

/**
 * Per-frame features of a squat, computed from smoothed keypoints in the isotropic image frame and a
 * standing reference of the same person (`BodyReference`). Ratios to the standing pose make the
 * features independent of the distance to the camera.
 */

/** Which way the person faces the camera. Valgus can only be judged from the front. */
export type SquatView = 'front' | 'side' | 'unknown';

const IDX: Readonly<Record<KeypointName, number>> = Object.fromEntries(COCO17.map((n, i) => [n, i])) as Record<KeypointName, number>;

/** Index of a COCO-17 keypoint name in MoveNet's output order. */
export function cocoIndex(name: KeypointName): number {
  return IDX[name];
}

/** The smoothed, isotropic pose of one frame: 17 points in COCO order. */
export type Pose = ReadonlyArray<SmoothedPoint>;

/** The smoothed, isotropic foot points of one frame (heels, toes) in `FOOT_POINTS` order; empty when the pose model has none. */
export type FeetPose = ReadonlyArray<SmoothedPoint>;

const FOOT_IDX: Readonly<Record<FootPointName, number>> = Object.fromEntries(FOOT_POINTS.map((n, i) => [n, i])) as Record<FootPointName, number>;

function footPoint(feet: FeetPose, name: FootPointName): Point | null {
  const p = feet[FOOT_IDX[name]];
  return p !== undefined && p.present ? { x: p.x, y: p.y } : null;
}

/**
 * Midpoint of both heels and of both toes (foot_index); each needs both sides (a front view sees both
 * feet). With `side`, that foot's heel and toe alone: in a side view the far foot is hidden behind the
 * near one and the pose model's points for it are guesses (on the side-view clip they drift up by a
 * fifth of the hip height at the bottom while the foot stays flat).
 */
function feetMid(feet: FeetPose, side?: 'left' | 'right'): { heel: Point; toe: Point } | null {
  if (side) {
    const heel = footPoint(feet, `${side}_heel`);
    const toe = footPoint(feet, `${side}_foot_index`);
    return heel && toe ? { heel, toe } : null;
  }
  const lh = footPoint(feet, 'left_heel');
  const rh = footPoint(feet, 'right_heel');
  const lt = footPoint(feet, 'left_foot_index');
  const rt = footPoint(feet, 'right_foot_index');
  if (!lh || !rh || !lt || !rt) return null;
  return { heel: midpoint(lh, rh), toe: midpoint(lt, rt) };
}

/** The standing foot positions a heel or toe rise is measured from (image y of the heel and toe midpoints, heel-toe distance). */
export interface FootLengths {
  readonly heelY: number;
  readonly toeY: number;
  readonly footSpan: number;
}

/**
 * Foot positions of the current frame, or null when a heel or a toe is missing. In a side view
 * (`pose` and `view` given) they are the near foot's, as the features measure them.
 */
export function footLengths(feet: FeetPose, pose?: Pose, view: SquatView = 'unknown'): FootLengths | null {
  const m = feetMid(feet, measuredSide(pose, view));
  return m ? { heelY: m.heel.y, toeY: m.toe.y, footSpan: distance(m.heel, m.toe) } : null;
}

function point(pose: Pose, name: KeypointName): Point | null {
  const p = pose[IDX[name]];
  return p !== undefined && p.present ? { x: p.x, y: p.y } : null;
}

/** Midpoint of a left/right pair; the visible one alone when the other is hidden (side view). */
function pairMid(pose: Pose, left: KeypointName, right: KeypointName): Point | null {
  const l = point(pose, left);
  const r = point(pose, right);
  if (l && r) return midpoint(l, r);
  return l ?? r;
}

function pairWidth(pose: Pose, left: KeypointName, right: KeypointName): number | null {
  const l = point(pose, left);
  const r = point(pose, right);
  return l && r ? Math.abs(l.x - r.x) : null;
}

/** Lengths and positions of the person standing upright, learnt from standing frames. */
export interface BodyReference {
  /** Vertical hip-to-ankle distance (the hip height above the ankles). */
  legHeight: number;
  /** Vertical knee-to-ankle and hip-to-knee distances (null when the knees were not seen). */
  shinHeight: number | null;
  thighHeight: number | null;
  /** Shoulder-midpoint to hip-midpoint distance. */
  torsoLength: number;
  /** Vertical hip-to-nose distance (null when the nose is not seen). */
  noseHeight: number | null;
  /** Image y of the ankle midpoint when standing (heel-lift baseline). */
  ankleY: number;
  /** Horizontal ankle-to-ankle distance when standing (front view only, else null). */
  ankleWidth: number | null;
  /** Standing heel and toe midpoints' image y and heel-toe distance (absent or null without foot points). */
  heelY?: number | null;
  toeY?: number | null;
  footSpan?: number | null;
}

/** The raw lengths of the current frame that feed the standing reference. */
export interface FrameLengths {
  readonly legHeight: number;
  readonly shinHeight: number | null;
  readonly thighHeight: number | null;
  readonly torsoLength: number;
  readonly noseHeight: number | null;
  readonly ankleY: number;
  readonly ankleWidth: number | null;
}

/**
 * Lengths of the current frame, or null when hips, ankles or shoulders are missing. `ankleY` is the
 * ankle the features measure the rise of (the near ankle in a side view, see `riseAnkle`).
 */
export function frameLengths(pose: Pose, view: SquatView = 'unknown'): FrameLengths | null {
  const hip = pairMid(pose, 'left_hip', 'right_hip');
  const knee = pairMid(pose, 'left_knee', 'right_knee');
  const ankle = pairMid(pose, 'left_ankle', 'right_ankle');
  const rising = riseAnkle(pose, view);
  const shoulder = pairMid(pose, 'left_shoulder', 'right_shoulder');
  if (!hip || !ankle || !shoulder) return null;
  const nose = point(pose, 'nose');
  return {
    legHeight: ankle.y - hip.y,
    shinHeight: knee ? ankle.y - knee.y : null,
    thighHeight: knee ? knee.y - hip.y : null,
    torsoLength: distance(shoulder, hip),
    noseHeight: nose ? hip.y - nose.y : null,
    ankleY: (rising ?? ankle).y,
    ankleWidth: pairWidth(pose, 'left_ankle', 'right_ankle'),
  };
}

/** Everything the analyzer measures on one frame. Angles in degrees, lengths as ratios; null = not measurable. */
export interface FrameFeatures {
  readonly view: SquatView;
  readonly kneeAngleLeft: number | null;
  readonly kneeAngleRight: number | null;
  readonly hipAngleLeft: number | null;
  readonly hipAngleRight: number | null;
  /** The knee / hip angle to judge: the near leg in a side view, the more bent leg otherwise. */
  readonly kneeAngle: number | null;
  readonly hipAngle: number | null;
  /** Trunk lean from the vertical (side view: measured; front view: from torso foreshortening). */
  readonly trunkLean: number | null;
  /** Hip drop as a fraction of the standing hip height: 0 standing, ~0.6 in a deep squat. */
  readonly depth: number | null;
  /** Knee width / ankle width (front view only): well below 1 means the knees cave in. */
  readonly kneeAnkleWidth: number | null;
  /** Knee width / hip width (front view only). */
  readonly kneeHipWidth: number | null;
  /** Ankle width / hip width (front view only): stance width. */
  readonly ankleHipWidth: number | null;
  /** Rise of the ankles above their standing position, in standing hip heights (heel/toe lift). */
  readonly ankleRise: number | null;
  /** Heel-lift estimate: the same rise in standing shin heights. */
  readonly heelLift: number | null;
  /** Vertical extents relative to standing: shin (knee travel), thigh, torso, hip-to-nose. */
  readonly shinRatio: number | null;
  readonly thighRatio: number | null;
  readonly torsoRatio: number | null;
  readonly noseRatio: number | null;
  /** Horizontal hip-midpoint offset from the ankle midpoint, in standing hip heights (side shift / sit-back). */
  readonly hipShift: number | null;
  /** Ankle width / standing ankle width (front view): the feet spreading or turning during the rep. */
  readonly ankleSpread: number | null;
  /**
   * Apparent shoulder and hip widths in standing hip heights (front view). In a frontal image a body
   * part that moves towards the camera looks wider (perspective), so these carry the forward/back
   * motion that the image plane cannot show directly (a trunk bending forward brings the shoulders closer).
   */
  readonly shoulderWidthN: number | null;
  readonly hipWidthN: number | null;
  /** Shoulder width / hip width (front view): grows as the shoulders come closer to the camera than the hips. */
  readonly shoulderHipWidth: number | null;
  /** Horizontal shoulder-midpoint offset from the hip midpoint, in standing hip heights (sideways trunk tilt). */
  readonly shoulderShift: number | null;
  /** Vertical nose-above-shoulders distance in standing torso lengths (head and neck foreshortening). */
  readonly headRatio: number | null;
  /** Wrist / elbow midpoint height below the shoulders, in standing torso lengths (arm carriage). */
  readonly wristDrop: number | null;
  readonly elbowDrop: number | null;
  /** Wrist width / shoulder width (front view): arms held forward or wide. */
  readonly wristShoulderWidth: number | null;
  /** Knee width in standing hip heights (front view): knees travelling towards the camera look wider. */
  readonly kneeWidthN: number | null;
  /** Rise of the heel midpoint above standing, in standing hip heights (null without foot points). */
  readonly heelRise: number | null;
  /** Rise of the toe (foot_index) midpoint above standing, in standing hip heights (null without foot points). */
  readonly toeRise: number | null;
  /** heelRise - toeRise: positive when the heels come up more than the toes (the foot pitches forward). */
  readonly footPitch: number | null;
  /** heelRise - ankleRise: the heel rising more than the ankle (a heel lift, not a whole-body rise). */
  readonly heelOverAnkle: number | null;
  /** Heel-to-toe image distance over standing (foreshortening of the foot as it tilts). */
  readonly footSpan: number | null;
}

/** Views are told apart by the shoulder width relative to the torso length (~0.7 front, ~0.1 side). */
export const VIEW_FRONT_MIN = 0.42;
export const VIEW_SIDE_MAX = 0.25;

/** Classifies the view of this frame; in the band between the thresholds it keeps `previous`. */
export function detectView(pose: Pose, reference: BodyReference | null, previous: SquatView): SquatView {
  const shoulderW = pairWidth(pose, 'left_shoulder', 'right_shoulder');
  const hipW = pairWidth(pose, 'left_hip', 'right_hip');
  const shoulder = pairMid(pose, 'left_shoulder', 'right_shoulder');
  const hip = pairMid(pose, 'left_hip', 'right_hip');
  if (!shoulder || !hip) return previous;
  if (shoulderW === null && hipW === null) {
    // one side hidden entirely: only a side view does that
    return point(pose, 'left_shoulder') || point(pose, 'right_shoulder') ? 'side' : previous;
  }
  const torso = Math.max(distance(shoulder, hip), reference?.torsoLength ?? 0);
  const width = Math.max(shoulderW ?? 0, (hipW ?? 0) * 1.3);
  const r = safeRatio(width, torso);
  if (r === null) return previous;
  if (r >= VIEW_FRONT_MIN) return 'front';
  if (r <= VIEW_SIDE_MAX) return 'side';
  return previous;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** In a side view the joint farther from the camera is often guessed; prefer the more confident side. */
function nearSide(pose: Pose): 'left' | 'right' {
  const score = (side: 'left' | 'right'): number =>
    (['shoulder', 'hip', 'knee', 'ankle'] as const).reduce((acc, j) => {
      const p = pose[IDX[`${side}_${j}`]];
      return acc + (p && p.present ? p.score : 0);
    }, 0);
  return score('left') >= score('right') ? 'left' : 'right';
}

/** The leg whose ankle and foot rise is measured: the near leg in a side view, both legs (undefined) otherwise. */
function measuredSide(pose: Pose | undefined, view: SquatView): 'left' | 'right' | undefined {
  return pose && view === 'side' ? nearSide(pose) : undefined;
}

/**
 * The ankle whose rise above standing is measured: the near one in a side view (the far ankle is
 * occluded and guessed, like the far foot), the midpoint of both otherwise (null when missing).
 */
function riseAnkle(pose: Pose, view: SquatView): Point | null {
  const side = measuredSide(pose, view);
  return (side ? point(pose, `${side}_ankle`) : null) ?? pairMid(pose, 'left_ankle', 'right_ankle');
}

function jointAngles(pose: Pose, side: 'left' | 'right'): { knee: number | null; hip: number | null } {
  const sh = point(pose, `${side}_shoulder`);
  const hip = point(pose, `${side}_hip`);
  const knee = point(pose, `${side}_knee`);
  const ankle = point(pose, `${side}_ankle`);
  return {
    knee: hip && knee && ankle ? angleAt(hip, knee, ankle) : null,
    hip: sh && hip && knee ? angleAt(sh, hip, knee) : null,
  };
}

/** Knees straighter than this (both legs, 2D) mean the person is upright, whatever the camera distance. */
export const UPRIGHT_KNEE_DEG = 160;

/** True when every measurable knee is nearly straight (and at least one is measurable). */
export function isUpright(pose: Pose): boolean {
  const l = jointAngles(pose, 'left').knee;
  const r = jointAngles(pose, 'right').knee;
  if (l === null && r === null) return false;
  return (l === null || l >= UPRIGHT_KNEE_DEG) && (r === null || r >= UPRIGHT_KNEE_DEG);
}

/** Computes the features of one frame. `reference` null means "not calibrated yet": ratios are null. */
export function computeFeatures(pose: Pose, reference: BodyReference | null, view: SquatView, feet: FeetPose = []): FrameFeatures {
  const left = jointAngles(pose, 'left');
  const right = jointAngles(pose, 'right');
  const hip = pairMid(pose, 'left_hip', 'right_hip');
  const knee = pairMid(pose, 'left_knee', 'right_knee');
  const ankle = pairMid(pose, 'left_ankle', 'right_ankle');
  const shoulder = pairMid(pose, 'left_shoulder', 'right_shoulder');
  const nose = point(pose, 'nose');
  const front = view === 'front';
  const kneeW = front ? pairWidth(pose, 'left_knee', 'right_knee') : null;
  const ankleW = front ? pairWidth(pose, 'left_ankle', 'right_ankle') : null;
  const hipW = front ? pairWidth(pose, 'left_hip', 'right_hip') : null;
  const shoulderW = front ? pairWidth(pose, 'left_shoulder', 'right_shoulder') : null;
  const wristW = front ? pairWidth(pose, 'left_wrist', 'right_wrist') : null;
  const wrist = pairMid(pose, 'left_wrist', 'right_wrist');
  const elbow = pairMid(pose, 'left_elbow', 'right_elbow');

  let trunkLean: number | null = null;
  if (shoulder && hip) {
    if (view === 'side') {
      const side = nearSide(pose);
      const s = point(pose, `${side}_shoulder`) ?? shoulder;
      const h = point(pose, `${side}_hip`) ?? hip;
      trunkLean = angleFromVertical(h, s);
    } else if (reference) {
      // vertical extent of the torso shrinks as cos(lean), whichever way the trunk tilts
      trunkLean = leanFromForeshortening(Math.max(hip.y - shoulder.y, 0), reference.torsoLength);
    }
  }

  const r = reference;
  const ratio = (v: number | null, ref: number | null | undefined): number | null =>
    v === null || ref === null || ref === undefined ? null : safeRatio(v, ref);
  // the rise is measured on the ankle and foot the reference holds: the near leg's in a side view
  const rising = riseAnkle(pose, view);
  const ankleRise = rising && r ? safeRatio(r.ankleY - rising.y, r.legHeight) : null;

  const sideAngles = view === 'side' ? (nearSide(pose) === 'left' ? left : right) : null;
  // heel and toe rise above their standing positions (in standing hip heights), from the foot points
  const foot = r ? feetMid(feet, measuredSide(pose, view)) : null;
  const heelRise = foot && r && typeof r.heelY === 'number' ? safeRatio(r.heelY - foot.heel.y, r.legHeight) : null;
  const toeRise = foot && r && typeof r.toeY === 'number' ? safeRatio(r.toeY - foot.toe.y, r.legHeight) : null;
  return {
    heelRise,
    toeRise,
    footPitch: heelRise !== null && toeRise !== null ? heelRise - toeRise : null,
    heelOverAnkle: heelRise !== null && ankleRise !== null ? heelRise - ankleRise : null,
    footSpan: foot && r && typeof r.footSpan === 'number' && r.footSpan > 0 ? safeRatio(distance(foot.heel, foot.toe), r.footSpan) : null,
    view,
    kneeAngleLeft: left.knee,
    kneeAngleRight: right.knee,
    hipAngleLeft: left.hip,
    hipAngleRight: right.hip,
    trunkLean,
    depth: hip && ankle && r ? 1 - (ankle.y - hip.y) / r.legHeight : null,
    kneeAnkleWidth: kneeW !== null && ankleW !== null ? safeRatio(kneeW, ankleW) : null,
    kneeHipWidth: kneeW !== null && hipW !== null ? safeRatio(kneeW, hipW) : null,
    ankleHipWidth: ankleW !== null && hipW !== null ? safeRatio(ankleW, hipW) : null,
    ankleRise,
    heelLift: rising && r && r.shinHeight !== null ? safeRatio(r.ankleY - rising.y, r.shinHeight) : null,
    shinRatio: knee && ankle ? ratio(ankle.y - knee.y, r?.shinHeight) : null,
    thighRatio: knee && hip ? ratio(knee.y - hip.y, r?.thighHeight) : null,
    torsoRatio: shoulder && hip ? ratio(hip.y - shoulder.y, r?.torsoLength) : null,
    noseRatio: nose && hip ? ratio(hip.y - nose.y, r?.noseHeight) : null,
    hipShift: hip && ankle && r ? safeRatio(hip.x - ankle.x, r.legHeight) : null,
    ankleSpread: ankleW !== null && r?.ankleWidth ? safeRatio(ankleW, r.ankleWidth) : null,
    shoulderWidthN: shoulderW !== null && r ? safeRatio(shoulderW, r.legHeight) : null,
    hipWidthN: hipW !== null && r ? safeRatio(hipW, r.legHeight) : null,
    shoulderHipWidth: shoulderW !== null && hipW !== null ? safeRatio(shoulderW, hipW) : null,
    shoulderShift: shoulder && hip && r ? safeRatio(shoulder.x - hip.x, r.legHeight) : null,
    headRatio: nose && shoulder && r ? safeRatio(shoulder.y - nose.y, r.torsoLength) : null,
    wristDrop: wrist && shoulder && r ? safeRatio(wrist.y - shoulder.y, r.torsoLength) : null,
    elbowDrop: elbow && shoulder && r ? safeRatio(elbow.y - shoulder.y, r.torsoLength) : null,
    wristShoulderWidth: wristW !== null && shoulderW !== null ? safeRatio(wristW, shoulderW) : null,
    kneeWidthN: kneeW !== null && r ? safeRatio(kneeW, r.legHeight) : null,
    kneeAngle: sideAngles ? sideAngles.knee ?? minOf(left.knee, right.knee) : minOf(left.knee, right.knee),
    hipAngle: sideAngles ? sideAngles.hip ?? minOf(left.hip, right.hip) : minOf(left.hip, right.hip),
  };
}
