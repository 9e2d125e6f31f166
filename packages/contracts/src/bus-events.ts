import { z } from 'zod';
import { ChatRoomEventSchema } from './chat-rooms';
import { FsrMetricsSchema } from './fsr';
import { JudgementSchema, SquatStageSchema } from './pose';

/** `ai.status`: the latest AI judgement of a session (from the data plane or `POST /internal/ai/status`). */
export const AiStatusEventSchema = z.object({
  sessionId: z.string().nullable(),
  lumbar: JudgementSchema,
  knee: JudgementSchema,
  ankle: JudgementSchema,
  score: z.number().min(0).max(100).optional(),
  stage: SquatStageSchema.optional(),
  reps: z.number().int().min(0).optional(),
  source: z.enum(['internal-api', 'inference']),
  at: z.number(),
});
export type AiStatusEvent = z.infer<typeof AiStatusEventSchema>;

/** `session.usage`: the data plane's own counts for a stream, sent when it ends. */
export const SessionUsageEventSchema = z.object({
  sessionId: z.string(),
  nodeId: z.string(),
  framesIn: z.number().int().min(0),
  framesAnalysed: z.number().int().min(0),
  framesDropped: z.number().int().min(0),
  durationMs: z.number().int().min(0),
  at: z.number(),
});
export type SessionUsageEvent = z.infer<typeof SessionUsageEventSchema>;

/** `inference.node`: heartbeat of a data-plane node for allocation. */
export const InferenceNodeEventSchema = z.object({
  nodeId: z.string(),
  wsBaseUrl: z.string(),
  capacity: z.number().int().min(0),
  load: z.number().int().min(0),
  ready: z.boolean(),
  draining: z.boolean(),
  ttlMs: z.number().int().positive(),
  at: z.number(),
});
export type InferenceNodeEvent = z.infer<typeof InferenceNodeEventSchema>;

/** Sample of one foot from one insole. */
export const FsrSampleEventSchema = z.object({
  deviceId: z.string(),
  side: z.enum(['left', 'right']),
  ratios: z.array(z.number()).length(6),
  at: z.number(),
});
export type FsrSampleEvent = z.infer<typeof FsrSampleEventSchema>;

/**
 * `fsr.balance`: a device's left-right balance as the FSR service computed it from each foot's
 * latest sample, published when a foot's latest moves. `value` is (left - right) / (left + right)
 * over each counted foot's summed ratios, in [-1, 1], rounded to 3 places; `at` is the newest
 * counted sample's time (a consumer judges freshness by it). The session channel's DATA push
 * forwards it (docs/contracts/ios-api.md §4.3).
 */
export const FsrBalanceEventSchema = z.object({
  deviceId: z.string(),
  value: z.number().min(-1).max(1),
  left: z.boolean(),
  right: z.boolean(),
  at: z.number(),
});
export type FsrBalanceEvent = z.infer<typeof FsrBalanceEventSchema>;

/** `fsr.feedback`: the 10-second feedback of one device. */
export const FsrFeedbackEventSchema = z.object({
  deviceId: z.string(),
  sessionId: z.string().nullable(),
  stage: z.enum(['DESCENT', 'ASCENT', 'UNKNOWN']),
  status: z.enum(['GOOD', 'BAD', 'NO_DATA']),
  feedback: z.string(),
  /** The window's metrics (null when it had no data); optional so older publishers stay valid. */
  metrics: FsrMetricsSchema.nullable().optional(),
  at: z.number(),
});
export type FsrFeedbackEvent = z.infer<typeof FsrFeedbackEventSchema>;

/** `fsr.device`: a device's token generation moved (its older tokens were revoked). */
export const FsrDeviceEventSchema = z.object({
  deviceId: z.string(),
  tokenGeneration: z.number().int().min(0),
  at: z.number(),
});
export type FsrDeviceEvent = z.infer<typeof FsrDeviceEventSchema>;

/** `client.event`: a CLIENT_EVENT the app sent on its STOMP session channel. */
export const ClientEventSchema = z.object({
  sessionId: z.string(),
  name: z.string(),
  ts: z.number().optional(),
  at: z.number(),
});
export type ClientEvent = z.infer<typeof ClientEventSchema>;

/** `session.push`: a message for one session's user queue, delivered by whichever chat instance holds it. */
export const SessionPushEventSchema = z.object({
  sessionId: z.string(),
  message: z.record(z.string(), z.unknown()),
  at: z.number(),
});
export type SessionPushEvent = z.infer<typeof SessionPushEventSchema>;

/**
 * The bus's typed event map: topic name -> payload schema. Topics are these constants,
 * never loose strings.
 */
export const BUS_EVENTS = {
  'ai.status': AiStatusEventSchema,
  'session.usage': SessionUsageEventSchema,
  'inference.node': InferenceNodeEventSchema,
  'fsr.sample': FsrSampleEventSchema,
  'fsr.feedback': FsrFeedbackEventSchema,
  'fsr.balance': FsrBalanceEventSchema,
  'fsr.device': FsrDeviceEventSchema,
  'client.event': ClientEventSchema,
  'session.push': SessionPushEventSchema,
  /** Chat rooms (docs/chat-rooms.md): stored messages and presence notices, shared by every chat instance. */
  'chat.room': ChatRoomEventSchema,
} as const;

export type BusTopic = keyof typeof BUS_EVENTS;
export type BusPayload<T extends BusTopic> = z.infer<(typeof BUS_EVENTS)[T]>;
