import { COCO17, FOOT_POINTS, type FootKeypoint, type FootPointName, type Keypoint, type KeypointName } from '@squirret/contracts';
import { AI_TRAINER_JOINTS, type AiTrainerJoint, type Frame3d } from './dataset';

/**
 * Projects the AI-Trainer 3D points to what MoveNet would report from camera 0: a pinhole projection
 * u = x/z, v = y/z, then to normalised image coordinates of camera 0's portrait 1080x1920 frame
 * (fx = fy ~ 1170 px, principal point at the centre). Only joints MoveNet has are kept; the eyes and
 * ears are absent from the data (score 0). Heels and toes have no COCO equivalent: `projectFrame` drops
 * them, `projectFeet` projects them the same way for the BlazePose path.
 */

/** Camera 0 as the dataset README describes it. */
export const CAMERA = { width: 1080, height: 1920, focalPx: 1170 } as const;

/** Width / height of the projected frame, to pass to the analyzer as `aspectRatio`. */
export const PROJECTED_ASPECT_RATIO = CAMERA.width / CAMERA.height;

/** COCO name -> AI-Trainer joint (null: not in the data). */
export const COCO_FROM_AI_TRAINER: Readonly<Record<KeypointName, AiTrainerJoint | null>> = {
  nose: 'nose',
  left_eye: null,
  right_eye: null,
  left_ear: null,
  right_ear: null,
  left_shoulder: 'left_shoulder',
  right_shoulder: 'right_shoulder',
  left_elbow: 'left_elbow',
  right_elbow: 'right_elbow',
  left_wrist: 'left_wrist',
  right_wrist: 'right_wrist',
  left_hip: 'left_hip',
  right_hip: 'right_hip',
  left_knee: 'left_knee',
  right_knee: 'right_knee',
  left_ankle: 'left_ankle',
  right_ankle: 'right_ankle',
};

const SOURCE_INDEX: ReadonlyArray<number | null> = COCO17.map((name) => {
  const j = COCO_FROM_AI_TRAINER[name];
  return j === null ? null : AI_TRAINER_JOINTS.indexOf(j);
});

/** Pinhole projection of joint j to normalised image coordinates (score 1), or score 0 when it is missing. */
function projectJoint<N extends string>(frame: Frame3d, name: N, j: number | null): { name: N; x: number; y: number; score: number } {
  if (j === null) return { name, x: 0, y: 0, score: 0 };
  const x = frame[3 * j]!;
  const y = frame[3 * j + 1]!;
  const z = frame[3 * j + 2]!;
  if (!Number.isFinite(x) || !Number.isFinite(y) || !(z > 0)) return { name, x: 0, y: 0, score: 0 };
  return {
    name,
    x: (CAMERA.focalPx * (x / z) + CAMERA.width / 2) / CAMERA.width,
    y: (CAMERA.focalPx * (y / z) + CAMERA.height / 2) / CAMERA.height,
    score: 1,
  };
}

/** One 3D frame as 17 COCO keypoints (score 1 when the joint was triangulated, 0 when missing). */
export function projectFrame(frame: Frame3d): Keypoint[] {
  return COCO17.map((name, i) => projectJoint(frame, name, SOURCE_INDEX[i] ?? null));
}

const FOOT_SOURCE_INDEX: ReadonlyArray<number> = FOOT_POINTS.map((name: FootPointName) => AI_TRAINER_JOINTS.indexOf(name));

/** The heels and toes (foot_index) of one 3D frame, projected like `projectFrame` (what BlazePose adds). */
export function projectFeet(frame: Frame3d): FootKeypoint[] {
  return FOOT_POINTS.map((name, i) => projectJoint(frame, name, FOOT_SOURCE_INDEX[i]!));
}
