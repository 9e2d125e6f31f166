import { z } from 'zod';

/** A joint judgement as the contract sends it: the string "null" means "not judged" (keypoints not confident). */
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

/** The foot points BlazePose adds to COCO-17 (MediaPipe Pose landmarks 29-32): heels and toes (foot_index). */
export const FOOT_POINTS = ['left_heel', 'right_heel', 'left_foot_index', 'right_foot_index'] as const;
export type FootPointName = (typeof FOOT_POINTS)[number];

/** One foot point, normalised like a Keypoint; score is the model's visibility in [0, 1]. */
export interface FootKeypoint {
  readonly name: FootPointName;
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/** One of BlazePose's 33 landmarks (MediaPipe Pose order): x, y normalised like a Keypoint, z in the same scale, relative to the hips. */
export interface Landmark {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  /** The model's visibility in [0, 1]. */
  readonly visibility: number;
}

/** One of BlazePose's 33 world landmarks: metres, origin between the hips. */
export interface WorldLandmark {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** The pose models the data plane can run (`POSE_MODEL`). Only the BlazePose ones see the feet. */
export const POSE_MODELS = ['blazepose-lite', 'blazepose-full', 'movenet-lightning'] as const;
export type PoseModelName = (typeof POSE_MODELS)[number];

/** Squat stage as the analyzer tracks it. */
export const SquatStageSchema = z.enum(['standing', 'descent', 'bottom', 'ascent']);
export type SquatStage = z.infer<typeof SquatStageSchema>;
