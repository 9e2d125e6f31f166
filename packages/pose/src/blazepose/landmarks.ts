import { COCO17, FOOT_POINTS, type FootKeypoint, type Keypoint, type KeypointName, type FootPointName, type Landmark } from '@squirret/contracts';
import { sigmoid } from './anchors';
import { cropToImage, type PixelPoint, type Roi } from './roi';

/** The landmark model's ld_3d output: 39 points of x, y, z (crop pixels), visibility and presence logits. */
export const LD3D_POINTS = 39;
export const LD3D_STRIDE = 5;
/** MediaPipe Pose's 33 landmarks; points 33 and 34 are the auxiliary body centre and scale point. */
export const BLAZEPOSE_LANDMARKS = 33;
export const AUX_CENTER = 33;
export const AUX_SCALE = 34;

/** MediaPipe Pose landmark index of each COCO-17 keypoint. */
export const COCO_FROM_BLAZEPOSE: Readonly<Record<KeypointName, number>> = {
  nose: 0,
  left_eye: 2,
  right_eye: 5,
  left_ear: 7,
  right_ear: 8,
  left_shoulder: 11,
  right_shoulder: 12,
  left_elbow: 13,
  right_elbow: 14,
  left_wrist: 15,
  right_wrist: 16,
  left_hip: 23,
  right_hip: 24,
  left_knee: 25,
  right_knee: 26,
  left_ankle: 27,
  right_ankle: 28,
};

/** MediaPipe Pose landmark index of each foot point. */
export const FOOT_FROM_BLAZEPOSE: Readonly<Record<FootPointName, number>> = {
  left_heel: 29,
  right_heel: 30,
  left_foot_index: 31,
  right_foot_index: 32,
};

/** One decoded ld_3d point in original-image pixels (z in the same pixel scale). */
export interface PixelLandmark {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** sigmoid of the visibility logit, in [0, 1]. */
  readonly visibility: number;
}

/**
 * Maps ld_3d (crop pixels of a `cropSize` input) through the ROI to original-image pixels. The
 * model emits logits for visibility (MediaPipe applies a sigmoid), so a sigmoid is applied here.
 */
export function decodeLd3d(raw: ArrayLike<number>, roi: Roi, cropSize: number): PixelLandmark[] {
  if (raw.length !== LD3D_POINTS * LD3D_STRIDE) {
    throw new RangeError(`ld_3d must hold ${LD3D_POINTS * LD3D_STRIDE} values, got ${raw.length}`);
  }
  const zScale = roi.width / cropSize;
  return Array.from({ length: LD3D_POINTS }, (_, i) => {
    const at = (j: number): number => raw[i * LD3D_STRIDE + j] ?? 0;
    const p = cropToImage(roi, at(0) / cropSize, at(1) / cropSize);
    return { x: p.x, y: p.y, z: at(2) * zScale, visibility: sigmoid(at(3)) };
  });
}

/** Alignment points of the next frame's ROI: the auxiliary body centre and scale point. */
export function alignmentPoints(points: readonly PixelLandmark[]): [PixelPoint, PixelPoint] {
  const c = points[AUX_CENTER];
  const s = points[AUX_SCALE];
  if (c === undefined || s === undefined) throw new RangeError(`need ${AUX_SCALE + 1} landmarks, got ${points.length}`);
  return [c, s];
}

/** A pose in the wire's terms: 17 COCO keypoints, the 4 foot points and the 33 landmarks, normalised to the image. */
export interface BlazePoseOutput {
  readonly keypoints: Keypoint[];
  readonly feet: FootKeypoint[];
  readonly landmarks: Landmark[];
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : Number.isFinite(v) ? v : 0);

/**
 * Normalises the first 33 landmarks to the original image ([0, 1], clamped like MoveNet's keypoints;
 * z divided by the image width) and picks the COCO-17 keypoints and the feet from them. Each score is
 * the landmark's visibility, capped by `presence` (the model's person-present probability), so a
 * frame where the person is lost reads as unsure everywhere.
 */
export function toBlazePoseOutput(points: readonly PixelLandmark[], srcWidth: number, srcHeight: number, presence = 1): BlazePoseOutput {
  if (points.length < BLAZEPOSE_LANDMARKS) throw new RangeError(`need ${BLAZEPOSE_LANDMARKS} landmarks, got ${points.length}`);
  const cap = clamp01(presence);
  const landmarks: Landmark[] = points.slice(0, BLAZEPOSE_LANDMARKS).map((p) => ({
    x: clamp01(p.x / srcWidth),
    y: clamp01(p.y / srcHeight),
    z: Number.isFinite(p.z) ? p.z / srcWidth : 0,
    visibility: Math.min(cap, clamp01(p.visibility)),
  }));
  const pick = (i: number): Landmark => landmarks[i] as Landmark;
  const keypoints: Keypoint[] = COCO17.map((name) => {
    const l = pick(COCO_FROM_BLAZEPOSE[name]);
    return { name, x: l.x, y: l.y, score: l.visibility };
  });
  const feet: FootKeypoint[] = FOOT_POINTS.map((name) => {
    const l = pick(FOOT_FROM_BLAZEPOSE[name]);
    return { name, x: l.x, y: l.y, score: l.visibility };
  });
  return { keypoints, feet, landmarks };
}

/** No person found: every point at the image centre with score 0 (the analyzer treats them as missing). */
export function emptyBlazePoseOutput(): BlazePoseOutput {
  const zero = { x: 0.5, y: 0.5 };
  return {
    keypoints: COCO17.map((name) => ({ name, ...zero, score: 0 })),
    feet: FOOT_POINTS.map((name) => ({ name, ...zero, score: 0 })),
    landmarks: Array.from({ length: BLAZEPOSE_LANDMARKS }, () => ({ ...zero, z: 0, visibility: 0 })),
  };
}
