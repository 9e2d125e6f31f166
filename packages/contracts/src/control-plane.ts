import { z } from 'zod';
import { JudgementSchema } from './pose';
import { storable } from './storable';

const nonNegativeInt = (field: string) =>
  z
    .number({ error: `${field} must be a non-negative integer` })
    .int({ error: `${field} must be a non-negative integer` })
    .min(0, { error: `${field} must be a non-negative integer` })
    .max(Number.MAX_SAFE_INTEGER, { error: `${field} is too large` });

const uuid = (field: string) => z.uuid({ error: `${field} must be a UUID` });

/** `POST /internal/session` and `/auth/upgrade` and `/api/session/{id}/refresh` answer. */
export const SessionTokenResponseSchema = z.object({
  sessionId: z.string(),
  wsToken: z.string(),
});
export type SessionTokenResponse = z.infer<typeof SessionTokenResponseSchema>;

const userId = storable(
  z
    .string({ error: 'userId is required' })
    .trim()
    .min(1, { error: 'userId must not be empty' })
    .max(128, { error: 'userId must be at most 128 characters' }),
  'userId',
);

/** `POST /auth/upgrade` body. */
export const UpgradeRequestSchema = z.strictObject({
  userId,
  sessionId: uuid('sessionId'),
  email: storable(z.email({ error: 'email must be a valid email address' }).max(254, { error: 'email is too long' }), 'email'),
});
export type UpgradeRequest = z.infer<typeof UpgradeRequestSchema>;

/** `POST /api/session` body. */
export const CreateInferenceSessionRequestSchema = z.strictObject({
  userId,
});
export type CreateInferenceSessionRequest = z.infer<typeof CreateInferenceSessionRequestSchema>;

/** `POST /api/session` answer. */
export const CreateInferenceSessionResponseSchema = z.object({
  sessionId: z.string(),
  wsUrl: z.string(),
  wsToken: z.string(),
});
export type CreateInferenceSessionResponse = z.infer<typeof CreateInferenceSessionResponseSchema>;

/**
 * `POST /api/session/{id}/refresh` answer: a new token and the wsUrl to (re)connect to; the
 * session is placed on another node when its node died or drains, so clients always connect to
 * the wsUrl of the latest refresh.
 */
export const RefreshInferenceSessionResponseSchema = z.object({
  sessionId: z.string(),
  wsToken: z.string(),
  wsUrl: z.string(),
});
export type RefreshInferenceSessionResponse = z.infer<typeof RefreshInferenceSessionResponseSchema>;

/** `POST /api/session/{id}/finish` body: the client's own counts. */
export const FinishSessionRequestSchema = z.strictObject({
  framesIn: nonNegativeInt('framesIn'),
  framesOut: nonNegativeInt('framesOut'),
  durationSeconds: nonNegativeInt('durationSeconds'),
});
export type FinishSessionRequest = z.infer<typeof FinishSessionRequestSchema>;

/** `POST /api/session/{id}/finish` answer. */
export const FinishSessionResponseSchema = z.object({
  status: z.literal('completed'),
  sessionId: z.string(),
});
export type FinishSessionResponse = z.infer<typeof FinishSessionResponseSchema>;

/** `POST /internal/ai/status` body. */
export const AiStatusRequestSchema = z.strictObject({
  lumbar: JudgementSchema,
  knee: JudgementSchema,
  ankle: JudgementSchema,
  sessionId: uuid('sessionId').optional(),
});
export type AiStatusRequest = z.infer<typeof AiStatusRequestSchema>;

/** `POST /internal/ai/status` answer. */
export const AiStatusResponseSchema = z.object({
  status: z.literal('PUBLISHED'),
  sessionId: z.string().nullable(),
  lumbar: JudgementSchema,
  knee: JudgementSchema,
  ankle: JudgementSchema,
});
export type AiStatusResponse = z.infer<typeof AiStatusResponseSchema>;

/** Path parameter `{sessionId}`. */
export const SessionIdParamSchema = z.object({ id: uuid('sessionId') });
