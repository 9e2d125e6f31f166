import type { StoredMessage, StoredMessageKind } from '@squirret/contracts';
import type { RoomKey } from './room-key';

/** A message to store: everything but its id (the room's next sequence) and time. */
export interface NewMessage {
  readonly roomKey: RoomKey;
  readonly kind: StoredMessageKind;
  readonly senderId: string | null;
  readonly senderName: string | null;
  readonly speaker: string | null;
  readonly content: string;
  readonly sessionId: number | null;
  readonly clientId: string | null;
  readonly event: string | null;
}

/** What storing gave: the stored message, and whether it was already there (same clientId). */
export interface AppendResult {
  readonly message: StoredMessage;
  readonly duplicate: boolean;
  /** For a couple member's line: its session's counters after this transaction (null once the session ended). */
  readonly turns?: SessionTurns | null;
}

/** A couple session's turn counters, as the mediator reads them. */
export interface SessionTurns {
  readonly turns: number;
  readonly turnsSinceCheck: number;
  readonly awaitingResponse: boolean;
}

/** One row of chat_messages as the driver returns it (bigint columns come back as strings). */
export interface MessageRow {
  room_key: string;
  seq: string | number;
  kind: StoredMessageKind;
  sender_id: string | null;
  sender_name: string | null;
  speaker: string | null;
  content: string;
  session_id: string | number | null;
  client_id: string | null;
  event: string | null;
  created_at: Date;
}

export const MESSAGE_COLUMNS = 'room_key, seq, kind, sender_id, sender_name, speaker, content, session_id, client_id, event, created_at';

export function toStoredMessage(r: MessageRow): StoredMessage {
  return {
    roomKey: r.room_key,
    id: Number(r.seq),
    kind: r.kind,
    senderId: r.sender_id,
    senderName: r.sender_name,
    speaker: r.speaker,
    content: r.content,
    sessionId: r.session_id === null ? null : Number(r.session_id),
    clientId: r.client_id,
    event: r.event,
    createdAt: r.created_at.toISOString(),
  };
}
