import { z } from 'zod';
import { JudgementSchema } from './pose';

/** Audience of an FSR device token (`Authorization: Bearer` on ingest when device tokens are configured). */
export const FSR_DEVICE_AUDIENCE = 'fsr-device';

/** Header that names the device on ingest (the body's `deviceId` field is the alternative). */
export const FSR_DEVICE_ID_HEADER = 'x-device-id';

/** Most samples one batch may carry (the body limit may cut a batch earlier). */
export const FSR_BATCH_MAX_SAMPLES = 500;

/** Which foot an insole sample comes from. */
export const FsrSideSchema = z.enum(['left', 'right'], { error: 'side must be "left" or "right"' });
export type FsrSide = z.infer<typeof FsrSideSchema>;

/** A device id: what an ESP32 puts in `X-Device-Id` or `deviceId`. */
export const FsrDeviceIdSchema = z
  .string({ error: 'deviceId must be a string' })
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: 'deviceId must be 1 to 64 letters, digits, ".", "_", ":" or "-"' });

const sessionId = z.uuid({ error: 'sessionId must be a UUID' });

/**
 * Smallest non-zero ratio the store keeps: the least normal float32 (PostgreSQL `real`). A
 * smaller non-zero value (`1e-300`) underflows and PostgreSQL refuses the whole statement, so it is
 * refused here rather than clamped (a device sending it is broken; 0 is what it should send).
 */
export const FSR_RATIO_MIN_NONZERO = 1.1754943508222875e-38;

/** Whether a ratio can be stored as is: a finite number, 0 or in [FSR_RATIO_MIN_NONZERO, 100]. */
export function isStorableRatio(v: number): boolean {
  return v === 0 || (v >= FSR_RATIO_MIN_NONZERO && v <= 100);
}

/** One ratio: the share (percent) of the foot's load on one sensor, a finite number in [0, 100]. */
const ratio = (field: string) =>
  z
    .number({ error: (iss) => (iss.input === undefined ? `${field} is required` : `${field} must be a number between 0 and 100`) })
    .min(0, { error: `${field} must be between 0 and 100` })
    .max(100, { error: `${field} must be between 0 and 100` })
    // out-of-range values already have their message above; this adds only the underflow rule
    .refine((v) => v < 0 || v > 100 || isStorableRatio(v), { error: `${field} must be 0 or at least 1e-38 (smaller values cannot be stored)` });

const ratios = {
  ratio1: ratio('ratio1'),
  ratio2: ratio('ratio2'),
  ratio3: ratio('ratio3'),
  ratio4: ratio('ratio4'),
  ratio5: ratio('ratio5'),
  ratio6: ratio('ratio6'),
};

/** `POST /api/fsr_data` body (docs/contracts/ios-api.md §5.1), plus the optional device and session. */
export const FsrSampleRequestSchema = z.strictObject({
  side: FsrSideSchema,
  ...ratios,
  deviceId: FsrDeviceIdSchema.optional(),
  /** Binds the device to an app session, so its feedback reaches that session's channel. */
  sessionId: sessionId.optional(),
});
export type FsrSampleRequest = z.infer<typeof FsrSampleRequestSchema>;

/**
 * Earliest sample time a batch may carry (2000-01-01T00:00:00Z, epoch ms). Older is a device whose
 * clock was never set (year 0000 is not even a PostgreSQL timestamp); the latest allowed is the
 * service's now + `FSR_MAX_FUTURE_SKEW_SEC` (at most one day).
 */
export const FSR_SAMPLE_TIME_MIN_MS = Date.UTC(2000, 0, 1);

/** Epoch ms of a batch sample's `ts` (Unix seconds or ISO-8601); NaN when it does not read as a time. */
export function fsrSampleTimeMs(ts: number | string): number {
  return typeof ts === 'number' ? Math.round(ts * 1000) : Date.parse(ts);
}

/** When a buffered sample was taken: Unix epoch seconds (fractions allowed) or ISO-8601 (docs/contracts/ios-api.md §0), not before 2000. */
const sampleTime = z
  .union([
    z.number({ error: 'ts must be Unix epoch seconds or an ISO-8601 time' }).positive({ error: 'ts must be Unix epoch seconds or an ISO-8601 time' }),
    z.iso.datetime({ offset: true, error: 'ts must be Unix epoch seconds or an ISO-8601 time' }),
  ], { error: (iss) => (iss.input === undefined ? 'ts is required' : 'ts must be Unix epoch seconds or an ISO-8601 time') })
  // `when`: only a ts that read as a time is checked (one message per problem).
  .refine((ts) => fsrSampleTimeMs(ts) >= FSR_SAMPLE_TIME_MIN_MS, { error: 'ts must be a time from 2000-01-01T00:00:00Z on', when: (p) => p.issues.length === 0 });

/** One sample of a batch: a seed sample with the time it was taken. */
export const FsrBatchSampleSchema = z.strictObject({
  side: FsrSideSchema,
  ...ratios,
  ts: sampleTime,
});
export type FsrBatchSample = z.infer<typeof FsrBatchSampleSchema>;

/** `POST /api/fsr_data/batch` body: what a device buffered (offline) and flushes at once. */
export const FsrBatchRequestSchema = z.strictObject({
  deviceId: FsrDeviceIdSchema.optional(),
  sessionId: sessionId.optional(),
  samples: z
    .array(FsrBatchSampleSchema, { error: 'samples must be an array of samples' })
    .min(1, { error: 'samples must not be empty' })
    .max(FSR_BATCH_MAX_SAMPLES, { error: `samples must hold at most ${FSR_BATCH_MAX_SAMPLES} samples` }),
});
export type FsrBatchRequest = z.infer<typeof FsrBatchRequestSchema>;

/** `POST /api/fsr_data` answer (202). */
export const FsrAcceptedResponseSchema = z.object({ status: z.literal('ACCEPTED') });
export type FsrAcceptedResponse = z.infer<typeof FsrAcceptedResponseSchema>;

/** `POST /api/fsr_data/batch` answer (202): how many samples were accepted. */
export const FsrBatchAcceptedResponseSchema = z.object({ status: z.literal('ACCEPTED'), accepted: z.number().int().min(0) });
export type FsrBatchAcceptedResponse = z.infer<typeof FsrBatchAcceptedResponseSchema>;

/** One foot's latest sample as the contract shows it (5.2). */
export const FsrFootSchema = z.object({
  side: FsrSideSchema,
  ratio1: z.number(),
  ratio2: z.number(),
  ratio3: z.number(),
  ratio4: z.number(),
  ratio5: z.number(),
  ratio6: z.number(),
});
export type FsrFoot = z.infer<typeof FsrFootSchema>;

/** `GET /api/fsr_data/latest` answer: `null` for a foot with no data. */
export const FsrLatestResponseSchema = z.object({ left: FsrFootSchema.nullable(), right: FsrFootSchema.nullable() });
export type FsrLatestResponse = z.infer<typeof FsrLatestResponseSchema>;

/** `?deviceId=` of the read endpoints and the stream. */
export const FsrDeviceQuerySchema = z.object({ deviceId: FsrDeviceIdSchema.optional() });

/** `?deviceId=&sessionId=` of the feedback endpoints (sessionId picks whose AI status counts). */
export const FsrFeedbackQuerySchema = z.object({ deviceId: FsrDeviceIdSchema.optional(), sessionId: sessionId.optional() });

/** Squat phase as the FSR feedback names it. */
export const FsrStageSchema = z.enum(['DESCENT', 'ASCENT', 'UNKNOWN']);
export type FsrStage = z.infer<typeof FsrStageSchema>;

/** Verdict of a feedback window. */
export const FeedbackStatusSchema = z.enum(['GOOD', 'BAD', 'NO_DATA']);
export type FeedbackStatus = z.infer<typeof FeedbackStatusSchema>;

/** Region shares (percent, both feet averaged) and the two balance differences (percentage points). */
export const FsrMetricsSchema = z.object({
  front: z.number(),
  rear: z.number(),
  inner: z.number(),
  outer: z.number(),
  heel: z.number(),
  innerOuterDiff: z.number(),
  leftRightDiff: z.number(),
});
export type FsrMetrics = z.infer<typeof FsrMetricsSchema>;

/** `GET /api/fsr_data/feedback` answer (docs/contracts/ios-api.md §5.4); `metrics` is null when there is no data. */
export const FsrFeedbackResponseSchema = z.object({
  stage: FsrStageSchema,
  status: FeedbackStatusSchema,
  feedback: z.string(),
  metrics: FsrMetricsSchema.nullable(),
});
export type FsrFeedbackResponse = z.infer<typeof FsrFeedbackResponseSchema>;

/** The AI half of the combined feedback: verdict, the raw judgement (null when none) and its sentences. */
export const AiFeedbackSchema = z.object({
  status: FeedbackStatusSchema,
  raw: z.object({ lumbar: JudgementSchema, knee: JudgementSchema, ankle: JudgementSchema }).nullable(),
  messages: z.array(z.string()),
});
export type AiFeedback = z.infer<typeof AiFeedbackSchema>;

/** `GET /api/fsr_data/feedback/combined` answer (docs/contracts/ios-api.md §5.5). */
export const FsrCombinedFeedbackResponseSchema = z.object({
  ai: AiFeedbackSchema,
  fsr: FsrFeedbackResponseSchema,
  overallMessages: z.array(z.string()),
});
export type FsrCombinedFeedbackResponse = z.infer<typeof FsrCombinedFeedbackResponseSchema>;

/** `POST /internal/fsr/devices/{deviceId}/token` answer. */
export const FsrDeviceTokenResponseSchema = z.object({ deviceId: z.string(), token: z.string(), expiresAt: z.string() });
export type FsrDeviceTokenResponse = z.infer<typeof FsrDeviceTokenResponseSchema>;

/** `POST /internal/fsr/devices/{deviceId}/revoke`: every token issued to the device before now stops working. */
export const FsrDeviceRevokeResponseSchema = z.object({ deviceId: z.string(), tokenGeneration: z.number().int().min(1), revokedAt: z.string() });
export type FsrDeviceRevokeResponse = z.infer<typeof FsrDeviceRevokeResponseSchema>;

/** Claims of an FSR device token. */
export interface FsrDeviceTokenClaims {
  readonly sub: string;
  readonly aud: typeof FSR_DEVICE_AUDIENCE;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** The device's token generation when issued (absent = 0); a revocation moves the device past it. */
  readonly gen?: number;
}

/** `/ws/fsr-data` message sent once on connect: the device's latest feet (decodes as the contract's FSRLatest). */
export interface FsrStreamSnapshot {
  readonly type: 'snapshot';
  readonly deviceId: string;
  readonly left: FsrFoot | null;
  readonly right: FsrFoot | null;
}

/** `/ws/fsr-data` message for every new sample (decodes as the contract's FSRFoot); `at` is epoch ms. */
export interface FsrStreamSample extends FsrFoot {
  readonly type: 'sample';
  readonly deviceId: string;
  readonly at: number;
}

/** Any message of the FSR stream. */
export type FsrStreamMessage = FsrStreamSnapshot | FsrStreamSample;
