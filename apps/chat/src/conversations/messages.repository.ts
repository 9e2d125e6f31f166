import { Inject, Injectable } from '@nestjs/common';
import type { StoredMessage } from '@squirret/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { CHAT_DATA_SOURCE } from '../chat.tokens';
import type { RoomKey } from './room-key';
import { MESSAGE_COLUMNS, toStoredMessage, type MessageRow } from './stored-message';

/** A room's head as a list shows it, with one user's unread count. */
export interface RoomActivity {
  readonly roomKey: RoomKey;
  readonly lastMessageId: number;
  readonly lastActivity: Date;
  readonly unread: number;
}

/** Reads of the shared message log, read positions and unread counts. */
@Injectable()
export class MessagesRepository {
  constructor(@Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource) {}

  /** Creates a room's head (its sequence starts at 0); a no-op when it exists. */
  async createHead(roomKey: RoomKey, tx: EntityManager | DataSource = this.ds): Promise<void> {
    await tx.query('INSERT INTO chat_room_heads (room_key) VALUES ($1) ON CONFLICT DO NOTHING', [roomKey]);
  }

  /** The id of the room's newest message (0 when none). */
  async head(roomKey: string): Promise<number> {
    const rows: { last_seq: string }[] = await this.ds.query('SELECT last_seq FROM chat_room_heads WHERE room_key = $1', [roomKey]);
    return rows[0] ? Number(rows[0].last_seq) : 0;
  }

  /** Messages with after < id <= upTo, oldest first, at most `limit`. */
  async range(roomKey: string, after: number, upTo: number, limit: number): Promise<StoredMessage[]> {
    const rows: MessageRow[] = await this.ds.query(
      `SELECT ${MESSAGE_COLUMNS} FROM chat_messages WHERE room_key = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
      [roomKey, after, upTo, limit],
    );
    return rows.map(toStoredMessage);
  }

  /** One page of history: the `limit` newest messages with id < before (all when before is unset), oldest first. */
  async page(roomKey: RoomKey, before: number | undefined, limit: number): Promise<{ messages: StoredMessage[]; hasMore: boolean }> {
    const rows: MessageRow[] = await this.ds.query(
      `SELECT ${MESSAGE_COLUMNS} FROM chat_messages
        WHERE room_key = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3`,
      [roomKey, before ?? null, limit + 1],
    );
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toStoredMessage), hasMore };
  }

  /** A session's messages (the couple chat's summary reads them). */
  async ofSession(roomKey: RoomKey, sessionId: number, limit = 2_000): Promise<StoredMessage[]> {
    const rows: MessageRow[] = await this.ds.query(
      `SELECT ${MESSAGE_COLUMNS} FROM chat_messages WHERE room_key = $1 AND session_id = $2 ORDER BY seq LIMIT $3`,
      [roomKey, sessionId, limit],
    );
    return rows.map(toStoredMessage);
  }

  /** Moves a user's read position forward (never back, never past the newest message). */
  async markRead(roomKey: RoomKey, userId: string, messageId: number): Promise<number> {
    const rows: { last_read_seq: string }[] = await this.ds.query(
      `INSERT INTO chat_read_positions (room_key, user_id, last_read_seq)
       SELECT h.room_key, $2, LEAST($3::bigint, h.last_seq) FROM chat_room_heads h WHERE h.room_key = $1
       ON CONFLICT (room_key, user_id) DO UPDATE
         SET last_read_seq = GREATEST(chat_read_positions.last_read_seq, EXCLUDED.last_read_seq), updated_at = now()
       RETURNING last_read_seq`,
      [roomKey, userId, messageId],
    );
    return rows[0] ? Number(rows[0].last_read_seq) : 0;
  }

  /** Heads of the given rooms with the user's unread count (messages by others after their read position). */
  async activity(roomKeys: readonly RoomKey[], userId: string): Promise<Map<RoomKey, RoomActivity>> {
    if (roomKeys.length === 0) return new Map();
    const rows: { room_key: string; last_seq: string; last_activity: Date; unread: string }[] = await this.ds.query(
      `SELECT h.room_key, h.last_seq, h.last_activity,
              (SELECT count(*) FROM chat_messages m
                WHERE m.room_key = h.room_key AND m.seq > COALESCE(r.last_read_seq, 0)
                  AND m.sender_id IS DISTINCT FROM $2) AS unread
         FROM chat_room_heads h
         LEFT JOIN chat_read_positions r ON r.room_key = h.room_key AND r.user_id = $2
        WHERE h.room_key = ANY($1::text[])`,
      [roomKeys, userId],
    );
    return new Map(
      rows.map((r) => [
        r.room_key as RoomKey,
        { roomKey: r.room_key as RoomKey, lastMessageId: Number(r.last_seq), lastActivity: r.last_activity, unread: Number(r.unread) },
      ]),
    );
  }
}
