import { z } from 'zod';

/** A joint judgement as the seed sends it: the string "null" means "not judged" (keypoints not confident). */
export const JudgementSchema = z.enum(['good', 'bad', 'null']);
export type Judgement = z.infer<typeof JudgementSchema>;

/** COCO-17 keypoint names in MoveNet's output order. */
export const COCO17 = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;
export type KeypointName = (typeof COCO17)[number];

/** One keypoint, normalised to the image: x and y in [0, 1] from the top-left corner, score in [0, 1]. */
export interface Keypoint {
  readonly name: KeypointName;
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/** Squat stage as the analyzer tracks it. */
export const SquatStageSchema = z.enum(['standing', 'descent', 'bottom', 'ascent']);
export type SquatStage = z.infer<typeof SquatStageSchema>;
