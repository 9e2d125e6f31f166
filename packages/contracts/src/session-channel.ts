import { z } from 'zod';
import { hasNul } from './storable';
import { JudgementSchema } from './pose';

/** STOMP destinations of the app's session channel (docs/contracts/ios-api.md §4). */
export const SESSION_CHANNEL = {
  /** The user queue a client subscribes to; it only ever carries its own session's messages. */
  userQueue: '/user/queue/session',
  /** Where the app SENDs its JSON messages. */
  appDestination: '/app/session.message',
} as const;

/** `{"type":"PING","payload":{"ts"}}` from the app. */
export const PingMessageSchema = z.object({
  type: z.literal('PING'),
  payload: z.object({ ts: z.number().optional() }).optional(),
});

/** `{"type":"CLIENT_EVENT","payload":{"name","ts"}}` from the app. */
export const ClientEventMessageSchema = z.object({
  type: z.literal('CLIENT_EVENT'),
  payload: z.object({
    name: z.string({ error: 'payload.name is required' }).min(1, { error: 'payload.name must not be empty' }).max(128, { error: 'payload.name is too long' })
      // PostgreSQL's text cannot hold U+0000.
      .refine((s) => !hasNul(s), { error: 'payload.name must not contain NUL (U+0000)' }),
    ts: z.number().optional(),
  }),
});

/** Anything the app may SEND to `/app/session.message`. */
export const AppToServerMessageSchema = z.discriminatedUnion('type', [PingMessageSchema, ClientEventMessageSchema], {
  error: 'type must be PING or CLIENT_EVENT',
});
export type AppToServerMessage = z.infer<typeof AppToServerMessageSchema>;

/** Server push every second: the latest FSR sample of the session's device and the latest AI judgement. */
export interface DataPush {
  readonly type: 'DATA';
  readonly payload: {
    /**
     * Left-right balance of the latest insole samples, in [-1, 1]: (left - right) / (left + right)
     * over the sum of each foot's six ratios; 0 when balanced or when no sample is known.
     */
    readonly value: number;
    /** Unix epoch seconds. */
    readonly ts: number;
    readonly ai: { readonly lumbar: z.infer<typeof JudgementSchema>; readonly knee: z.infer<typeof JudgementSchema>; readonly ankle: z.infer<typeof JudgementSchema> };
    /** Whether an FSR sample younger than the freshness window was behind `value`. */
    readonly hasFsr: boolean;
  };
}

/** Server push every ten seconds when there is something to say. */
export interface VoicePush {
  readonly type: 'voice';
  readonly text: string;
}

/** Answer to a PING, on the user queue. */
export interface PongPush {
  readonly type: 'PONG';
  readonly payload: { readonly ts: number | null; readonly serverTs: number };
}

/** Every message the server puts on a session's user queue. */
export type SessionQueueMessage = DataPush | VoicePush | PongPush | { readonly type: string; readonly [k: string]: unknown };
