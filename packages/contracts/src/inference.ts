import { z } from 'zod';
import type { FootKeypoint, Judgement, Keypoint, Landmark, PoseModelName, SquatStage } from './pose';

/** The contract's JSON frame: `{"type":"frame","frameNumber","image_base64","timestamp"}` (timestamp in epoch seconds). */
export const FrameMessageSchema = z.object({
  type: z.literal('frame'),
  frameNumber: z.number({ error: 'frameNumber must be a non-negative integer' }).int().min(0).max(Number.MAX_SAFE_INTEGER),
  image_base64: z.string({ error: 'image_base64 is required' }).min(1, { error: 'image_base64 must not be empty' }),
  timestamp: z.number().finite().optional(),
});
export type FrameMessage = z.infer<typeof FrameMessageSchema>;

/** In-band token refresh: `{"type":"auth","token"}` keeps a long workout connected past the token's expiry. */
export const AuthMessageSchema = z.object({
  type: z.literal('auth'),
  token: z.string().min(1).max(8192),
});

/** Anything a client may send as text on the data-plane socket. */
export const InferenceClientMessageSchema = z.discriminatedUnion('type', [FrameMessageSchema, AuthMessageSchema], {
  error: 'type must be frame or auth',
});
export type InferenceClientMessage = z.infer<typeof InferenceClientMessageSchema>;

/**
 * The binary frame: a 16-byte little-endian header then the JPEG (or PNG/WebP) bytes.
 * | offset | size | field |
 * | 0 | 4 | magic `SQF1` (0x53 0x51 0x46 0x31) |
 * | 4 | 4 | frameNumber, uint32 |
 * | 8 | 8 | timestamp, float64 epoch milliseconds (0 = use the server's clock) |
 * | 16 | … | image bytes |
 */
export const BINARY_FRAME = { magic: 'SQF1', headerBytes: 16 } as const;

/** Builds a binary frame: the 16-byte header (magic, frameNumber, epoch ms) then the image bytes. */
export function encodeBinaryFrame(frameNumber: number, timestampMs: number, image: Uint8Array): Buffer {
  const header = Buffer.alloc(BINARY_FRAME.headerBytes);
  header.write(BINARY_FRAME.magic, 0, 'ascii');
  header.writeUInt32LE(frameNumber >>> 0, 4);
  header.writeDoubleLE(timestampMs, 8);
  return Buffer.concat([header, image]);
}

/** Codes of the error messages the data plane sends (`{"type":"error","code","message","frameNumber?"}`). */
export const INFERENCE_ERROR_CODES = {
  MALFORMED_JSON: 'MALFORMED_JSON',
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  INVALID_FRAME: 'INVALID_FRAME',
  INVALID_BASE64: 'INVALID_BASE64',
  INVALID_IMAGE: 'INVALID_IMAGE',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  INVALID_TOKEN: 'INVALID_TOKEN',
  OVERLOADED: 'OVERLOADED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type InferenceErrorCode = keyof typeof INFERENCE_ERROR_CODES;

/** One error message on the data-plane socket. */
export interface InferenceErrorMessage {
  readonly type: 'error';
  readonly code: InferenceErrorCode;
  readonly message: string;
  readonly frameNumber?: number;
}

/** Why a joint got its judgement. */
export interface JudgementReason {
  readonly joint: 'lumbar' | 'knee' | 'ankle' | 'depth';
  readonly code: string;
  readonly message: string;
}

/** The analysis of one frame: the contract's fields plus stage, reps, keypoints and timings. */
export interface AnalysisMessage {
  readonly type: 'analysis';
  readonly frameNumber: number;
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  /** 0-100; null when no joint could be judged in this frame. */
  readonly score: number | null;
  readonly stage: SquatStage;
  readonly reps: number;
  readonly keypoints: readonly Keypoint[];
  readonly reasons: readonly JudgementReason[];
  /** Server time from receipt to answer, and the model's share of it (ms). */
  readonly processingMs: number;
  readonly inferenceMs: number;
  /** Frames of this session replaced by a newer one before they were analysed (newest frame wins). */
  readonly dropped: number;
  /** The model that made this frame's pose. */
  readonly poseModel?: PoseModelName;
  /** Heels and toes (BlazePose only; absent with MoveNet). */
  readonly feet?: readonly FootKeypoint[];
  /** All 33 BlazePose landmarks with visibility (BlazePose only). */
  readonly landmarks?: readonly Landmark[];
  /** Calibrated confidence in [0, 1] of each joint's verdict; null where the joint is not judged. */
  readonly confidence?: Readonly<Record<'lumbar' | 'knee' | 'ankle', number | null>>;
}

/** Sent when a repetition completes. */
export interface RepMessage {
  readonly type: 'rep';
  readonly index: number;
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  readonly depth: number;
  readonly depthJudgement: Judgement;
  readonly formClass: string;
  readonly score: number;
  readonly reasons: readonly JudgementReason[];
}
