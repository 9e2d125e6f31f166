import { z } from 'zod';
import { hasNul } from './storable';

// Wire contracts of the chat rooms (docs/chat-rooms.md): the couple chat with its AI participant (docs/contracts/couple-chat.md) and
// the trainer-member "distributor" chat (docs/contracts/distributor-chat.md). Field names follow the seeds (snake_case),
// except the ack, which the issue spells `{"type":"ack","clientId","messageId"}`.

/** PostgreSQL's text cannot hold U+0000: a string with one is refused here, not by the database. */
const NO_NUL = { error: 'must not contain NUL (U+0000)' } as const;
const noNul = (s: string) => !hasNul(s);

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, { error: `${field} must not be empty` })
    .max(max, { error: `${field} must be at most ${max} characters` })
    .refine(noNul, { error: `${field} ${NO_NUL.error}` });

const positiveId = (field: string) =>
  z.coerce
    .number({ error: `${field} must be a positive integer` })
    .int({ error: `${field} must be a positive integer` })
    .min(1, { error: `${field} must be a positive integer` })
    .max(Number.MAX_SAFE_INTEGER, { error: `${field} is too large` });

/** A Spring user id as stored (the token's user-id claim, as a string). */
export const ChatUserIdSchema = text('user_id', 128);

/** `POST /api/rooms` body (docs/contracts/couple-chat.md). */
export const CreateRoomRequestSchema = z.strictObject({
  room_name: text('room_name', 100),
  couple_id: z
    .number({ error: 'couple_id must be a positive integer' })
    .int({ error: 'couple_id must be a positive integer' })
    .min(1, { error: 'couple_id must be a positive integer' })
    .max(Number.MAX_SAFE_INTEGER, { error: 'couple_id is too large' }),
});
export type CreateRoomRequest = z.infer<typeof CreateRoomRequestSchema>;

/** `POST /api/rooms` answer (201). */
export const RoomResponseSchema = z.object({
  room_id: z.number().int(),
  room_name: z.string(),
  couple_id: z.number().int(),
  created_at: z.string(),
});
export type RoomResponse = z.infer<typeof RoomResponseSchema>;

/** One entry of `GET /api/rooms`: the room plus the caller's unread count. */
export const RoomListItemSchema = RoomResponseSchema.extend({
  unread_count: z.number().int(),
  last_message_id: z.number().int(),
  last_activity: z.string(),
});
export type RoomListItem = z.infer<typeof RoomListItemSchema>;

/** `?before=&limit=` of the history endpoints: the `limit` newest messages with id < before. */
export const HistoryQuerySchema = z.object({
  before: positiveId('before').optional(),
  limit: z.coerce
    .number({ error: 'limit must be an integer between 1 and 100' })
    .int({ error: 'limit must be an integer between 1 and 100' })
    .min(1, { error: 'limit must be an integer between 1 and 100' })
    .max(100, { error: 'limit must be an integer between 1 and 100' })
    .default(50),
});
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;

/** Room ids in paths: a couple room's integer id. */
export const CoupleRoomIdSchema = positiveId('room_id');

/**
 * The distributor chat's room id `pt_<pt session id>` (docs/contracts/distributor-chat.md), both
 * ways: the one place that spells the format.
 */
export const PT_ROOM_ID = {
  prefix: 'pt_',
  pattern: /^pt_[1-9][0-9]{0,15}$/,
  format: (ptSessionId: number | string): string => `pt_${ptSessionId}`,
  /** The PT session id of a room id that matches `pattern`. */
  parse: (roomId: string): number => Number(roomId.slice('pt_'.length)),
} as const;

/** Room ids of the distributor chat in paths and queries: `pt_<pt session id>`. */
export const PtRoomIdSchema = z
  .string()
  .regex(PT_ROOM_ID.pattern, { error: 'room_id must look like pt_<session id>' })
  .transform(PT_ROOM_ID.parse);

/** `POST /internal/chat/rooms/{room_id}/members`: adds a user to a couple room. */
export const AddRoomMemberRequestSchema = z.strictObject({ user_id: ChatUserIdSchema });
export type AddRoomMemberRequest = z.infer<typeof AddRoomMemberRequestSchema>;

/** `POST /internal/chat/trainers` and `/internal/chat/members`: creates or renames a person. */
export const UpsertPersonRequestSchema = z.strictObject({ id: ChatUserIdSchema, name: text('name', 100) });
export type UpsertPersonRequest = z.infer<typeof UpsertPersonRequestSchema>;

/** `POST /internal/chat/pt-sessions`: a PT session between a trainer and a member (one chat room). */
export const CreatePtSessionRequestSchema = z.strictObject({ trainer_id: ChatUserIdSchema, member_id: ChatUserIdSchema });
export type CreatePtSessionRequest = z.infer<typeof CreatePtSessionRequestSchema>;

/** A PT session as the admin endpoints answer it. */
export const PtSessionResponseSchema = z.object({
  id: z.number().int(),
  room_id: z.string(),
  trainer_id: z.string(),
  member_id: z.string(),
  created_at: z.string(),
});
export type PtSessionResponse = z.infer<typeof PtSessionResponseSchema>;

/** `GET /distributor/chat/rooms` with `Accept: application/json` (docs/contracts/distributor-chat.md §1.2). */
export const TrainerRoomListSchema = z.object({
  chat_rooms: z.array(
    z.object({
      id: z.string(),
      member_name: z.string(),
      member_id: z.string(),
      last_activity: z.string(),
      unread_count: z.number().int(),
      last_message_id: z.number().int(),
    }),
  ),
});
export type TrainerRoomList = z.infer<typeof TrainerRoomListSchema>;

// ---- WebSocket messages ------------------------------------------------------------------------

const clientId = z
  .string()
  .min(1, { error: 'clientId must not be empty' })
  .max(64, { error: 'clientId must be at most 64 characters' })
  .refine(noNul, { error: `clientId ${NO_NUL.error}` })
  .optional();
const messageId = z.number({ error: 'messageId must be a non-negative integer' }).int({ error: 'messageId must be a non-negative integer' }).min(0, { error: 'messageId must be a non-negative integer' });
// Content length is checked by the service against the configured limit, so that an over-long
// message gets MESSAGE_TOO_LONG rather than a generic validation error.
const content = z.string({ error: 'content must be a string' }).refine(noNul, { error: `content ${NO_NUL.error}` });

/** `{"type":"read","messageId"}`: the client has shown every message up to this id (read position). */
export const ReadReceiptSchema = z.object({ type: z.literal('read'), messageId });

/** What a couple-chat client may send on `ws /api/sessions/ws/{room_id}` (docs/contracts/couple-chat.md). */
export const CoupleClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), content, clientId }),
  z.object({
    type: z.literal('response'),
    content: z.enum(['네', '아니오'], { error: 'content must be "네" or "아니오"' }),
    session_id: z.number({ error: 'session_id must be an integer' }).int({ error: 'session_id must be an integer' }),
    clientId,
  }),
  ReadReceiptSchema,
]);
export type CoupleClientMessage = z.infer<typeof CoupleClientMessageSchema>;

/** What a distributor-chat client may send on `ws /distributor/ws/chat/{room_id}` (docs/contracts/distributor-chat.md). `user_id` / `room_id` are ignored: identity comes from the token. */
export const DistributorClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat'), content, clientId, user_id: z.unknown().optional(), room_id: z.unknown().optional() }),
  z.object({ type: z.literal('spread'), content, clientId, user_id: z.unknown().optional(), room_id: z.unknown().optional() }),
  ReadReceiptSchema,
]);
export type DistributorClientMessage = z.infer<typeof DistributorClientMessageSchema>;

/** Who spoke in a couple room: member A, member B, or the AI participant. */
export type SpeakerType = 'A' | 'B' | 'AI';

/** The ack of a stored message (sent only after the message is in PostgreSQL). */
export interface ChatAck {
  readonly type: 'ack';
  readonly clientId: string | null;
  readonly messageId: number;
  /** True when this clientId was already stored (a retry): nothing was stored twice. */
  readonly duplicate: boolean;
  /** For a spread: how many member rooms received it. */
  readonly spread_rooms?: number;
}

/** An error answered on a chat socket; the socket stays open. `code` is from the error table. */
export interface ChatSocketError {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  readonly clientId?: string | null;
  /** For RATE_LIMITED: seconds until the next message is accepted. */
  readonly retry_after?: number;
}

// ---- stored messages and the bus ---------------------------------------------------------------

/** Kinds of stored message: a member's chat line, a trainer's spread, or a system / AI line. */
export const StoredMessageKindSchema = z.enum(['chat', 'spread', 'system', 'ai']);
export type StoredMessageKind = z.infer<typeof StoredMessageKindSchema>;

/** A message as stored (one row of `chat_messages`); gateways map it to their seed's wire shape. */
export const StoredMessageSchema = z.object({
  /** `couple:<id>` or `pt:<id>`. */
  roomKey: z.string(),
  /** Per-room sequence: the message id clients see, ack and resume from. */
  id: z.number().int().min(1),
  kind: StoredMessageKindSchema,
  senderId: z.string().nullable(),
  senderName: z.string().nullable(),
  /** `A` / `B` / `AI` in couple rooms, `trainer` / `member` in PT rooms, null for system lines. */
  speaker: z.string().nullable(),
  content: z.string(),
  sessionId: z.number().int().nullable(),
  clientId: z.string().nullable(),
  /** A system line's meaning, e.g. `question`, `continued`, `session_ended`. */
  event: z.string().nullable(),
  createdAt: z.string(),
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

/** `chat.room`: a stored message, or a presence notice (not stored), for every instance holding the room. */
export const ChatRoomEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), origin: z.string(), message: StoredMessageSchema }),
  z.object({
    kind: z.literal('notice'),
    origin: z.string(),
    roomKey: z.string(),
    event: z.enum(['join', 'leave']),
    userId: z.string(),
    userName: z.string().nullable(),
    at: z.string(),
  }),
]);
export type ChatRoomEvent = z.infer<typeof ChatRoomEventSchema>;
