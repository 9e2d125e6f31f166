import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CHAT_DATA_SOURCE } from '../chat.tokens';
import { MessagesRepository } from '../conversations/messages.repository';
import { coupleRoomKey } from '../conversations/room-key';

/** A couple room as stored. */
export interface CoupleRoom {
  readonly id: number;
  readonly name: string;
  readonly coupleId: number;
  readonly creatorId: string;
  readonly createdAt: Date;
}

/** A user's place in a couple room: speaker A (the creator) or B, and how they got in. */
export interface CoupleMember {
  readonly userId: string;
  readonly speaker: 'A' | 'B';
  readonly source: 'creator' | 'couple' | 'admin';
}

interface RoomRow {
  id: string;
  room_name: string;
  couple_id: string;
  creator_id: string;
  created_at: Date;
}

const toRoom = (r: RoomRow): CoupleRoom => ({ id: Number(r.id), name: r.room_name, coupleId: Number(r.couple_id), creatorId: r.creator_id, createdAt: r.created_at });

/** Couple rooms and their members in PostgreSQL. */
@Injectable()
export class CoupleRoomsRepository {
  constructor(
    @Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource,
    private readonly messages: MessagesRepository,
  ) {}

  /** Creates a room with its creator as member A and its message log, in one transaction. */
  create(name: string, coupleId: number, creatorId: string): Promise<CoupleRoom> {
    return this.ds.transaction(async (tx) => {
      const [row]: RoomRow[] = await tx.query(
        'INSERT INTO chat_couple_rooms (room_name, couple_id, creator_id) VALUES ($1, $2, $3) RETURNING *',
        [name, coupleId, creatorId],
      );
      const room = toRoom(row!);
      await tx.query(`INSERT INTO chat_couple_members (room_id, user_id, speaker, source) VALUES ($1, $2, 'A', 'creator')`, [room.id, creatorId]);
      await this.messages.createHead(coupleRoomKey(room.id), tx);
      return room;
    });
  }

  async find(id: number): Promise<CoupleRoom | null> {
    const rows: RoomRow[] = await this.ds.query('SELECT * FROM chat_couple_rooms WHERE id = $1', [id]);
    return rows[0] ? toRoom(rows[0]) : null;
  }

  /** Rooms the user may see: created, joined or added to, or of the couple their token names. */
  async listFor(userId: string, coupleId: number | null): Promise<CoupleRoom[]> {
    const rows: RoomRow[] = await this.ds.query(
      `SELECT r.* FROM chat_couple_rooms r
        WHERE r.creator_id = $1 OR ($2::bigint IS NOT NULL AND r.couple_id = $2)
           OR EXISTS (SELECT 1 FROM chat_couple_members m WHERE m.room_id = r.id AND m.user_id = $1)
        ORDER BY r.id`,
      [userId, coupleId],
    );
    return rows.map(toRoom);
  }

  async member(roomId: number, userId: string): Promise<CoupleMember | null> {
    const rows: { user_id: string; speaker: 'A' | 'B'; source: CoupleMember['source'] }[] = await this.ds.query(
      'SELECT user_id, speaker, source FROM chat_couple_members WHERE room_id = $1 AND user_id = $2',
      [roomId, userId],
    );
    return rows[0] ? { userId: rows[0].user_id, speaker: rows[0].speaker, source: rows[0].source } : null;
  }

  /** Adds a member as speaker B (idempotent: an existing member keeps their place). */
  async addMember(roomId: number, userId: string, source: 'couple' | 'admin'): Promise<CoupleMember> {
    await this.ds.query(
      `INSERT INTO chat_couple_members (room_id, user_id, speaker, source) VALUES ($1, $2, 'B', $3) ON CONFLICT DO NOTHING`,
      [roomId, userId, source],
    );
    return (await this.member(roomId, userId))!;
  }

  async members(roomId: number): Promise<CoupleMember[]> {
    const rows: { user_id: string; speaker: 'A' | 'B'; source: CoupleMember['source'] }[] = await this.ds.query(
      'SELECT user_id, speaker, source FROM chat_couple_members WHERE room_id = $1 ORDER BY speaker, added_at',
      [roomId],
    );
    return rows.map((r) => ({ userId: r.user_id, speaker: r.speaker, source: r.source }));
  }
}
