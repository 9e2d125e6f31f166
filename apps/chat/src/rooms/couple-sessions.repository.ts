import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CHAT_DATA_SOURCE } from '../chat.tokens';

/** A couple chat session as stored: participants, topic, start and end, and the mediator's counters. */
export interface CoupleSession {
  readonly id: number;
  readonly roomId: number;
  readonly topic: string;
  readonly userAId: string | null;
  readonly userBId: string | null;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
  readonly summary: string | null;
  readonly turns: number;
  readonly turnsSinceCheck: number;
  readonly questions: number;
  readonly awaitingResponse: boolean;
  readonly lastMessageAt: Date;
}

interface SessionRow {
  id: string;
  room_id: string;
  topic: string;
  user_a_id: string | null;
  user_b_id: string | null;
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  summary: string | null;
  turns: number;
  turns_since_check: number;
  questions: number;
  awaiting_response: boolean;
  last_message_at: Date;
}

const toSession = (r: SessionRow): CoupleSession => ({
  id: Number(r.id),
  roomId: Number(r.room_id),
  topic: r.topic,
  userAId: r.user_a_id,
  userBId: r.user_b_id,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
  summary: r.summary,
  turns: r.turns,
  turnsSinceCheck: r.turns_since_check,
  questions: r.questions,
  awaitingResponse: r.awaiting_response,
  lastMessageAt: r.last_message_at,
});

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]. */
function returned(result: unknown): SessionRow | undefined {
  const rows = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) ? result[0] : result;
  return Array.isArray(rows) ? (rows[0] as SessionRow | undefined) : undefined;
}

/**
 * Couple chat sessions. Every change is one conditional statement, so two instances (or two
 * members answering at once) cannot both ask, continue or end the same session.
 */
@Injectable()
export class CoupleSessionsRepository {
  constructor(@Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource) {}

  /** The room's open session, started now if there is none (one open session per room). */
  async open(roomId: number, topic: string, userAId: string): Promise<CoupleSession> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const created = returned(
        await this.ds.query(
          `INSERT INTO chat_couple_sessions (room_id, topic, user_a_id) VALUES ($1, $2, $3)
           ON CONFLICT (room_id) WHERE ended_at IS NULL DO NOTHING RETURNING *`,
          [roomId, topic, userAId],
        ),
      );
      if (created) return toSession(created);
      const rows: SessionRow[] = await this.ds.query('SELECT * FROM chat_couple_sessions WHERE room_id = $1 AND ended_at IS NULL', [roomId]);
      if (rows[0]) return toSession(rows[0]);
      // It ended between the two statements: try again.
    }
    throw new Error(`could not open a session in room ${roomId}`);
  }

  async find(id: number): Promise<CoupleSession | null> {
    const rows: SessionRow[] = await this.ds.query('SELECT * FROM chat_couple_sessions WHERE id = $1', [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  async listForRoom(roomId: number): Promise<CoupleSession[]> {
    const rows: SessionRow[] = await this.ds.query('SELECT * FROM chat_couple_sessions WHERE room_id = $1 ORDER BY id', [roomId]);
    return rows.map(toSession);
  }

  /** Records the second participant the first time one joins the session. */
  async setUserB(id: number, userId: string): Promise<CoupleSession | null> {
    const row = returned(
      await this.ds.query(
        `UPDATE chat_couple_sessions SET user_b_id = $2
          WHERE id = $1 AND user_b_id IS NULL AND user_a_id IS DISTINCT FROM $2 RETURNING *`,
        [id, userId],
      ),
    );
    return row ? toSession(row) : this.find(id);
  }

  /** Marks the question "continue?" as asked; null when it already was, or the session ended. */
  async ask(id: number): Promise<CoupleSession | null> {
    const row = returned(
      await this.ds.query(
        `UPDATE chat_couple_sessions SET awaiting_response = true, asked_at = now(), turns_since_check = 0, questions = questions + 1
          WHERE id = $1 AND ended_at IS NULL AND NOT awaiting_response RETURNING *`,
        [id],
      ),
    );
    return row ? toSession(row) : null;
  }

  /** "네": the pending question is answered and the idle clock restarts; null when nothing was pending. */
  async continue(id: number): Promise<CoupleSession | null> {
    const row = returned(
      await this.ds.query(
        `UPDATE chat_couple_sessions SET awaiting_response = false, last_message_at = now()
          WHERE id = $1 AND ended_at IS NULL AND awaiting_response RETURNING *`,
        [id],
      ),
    );
    return row ? toSession(row) : null;
  }

  /** "아니오": ends a session that was asked; null when nothing was pending (or it already ended). */
  async endDeclined(id: number): Promise<CoupleSession | null> {
    const row = returned(
      await this.ds.query(
        `UPDATE chat_couple_sessions SET ended_at = now(), end_reason = 'declined', awaiting_response = false
          WHERE id = $1 AND ended_at IS NULL AND awaiting_response RETURNING *`,
        [id],
      ),
    );
    return row ? toSession(row) : null;
  }

  async setSummary(id: number, summary: string): Promise<void> {
    await this.ds.query('UPDATE chat_couple_sessions SET summary = $2 WHERE id = $1', [id, summary]);
  }

  /** Open sessions of these rooms that nobody has written in for `idleSec` and that are not waiting for an answer. */
  async idle(roomIds: readonly number[], idleSec: number): Promise<CoupleSession[]> {
    if (roomIds.length === 0) return [];
    const rows: SessionRow[] = await this.ds.query(
      `SELECT * FROM chat_couple_sessions
        WHERE room_id = ANY($1::bigint[]) AND ended_at IS NULL AND NOT awaiting_response AND turns > 0
          AND last_message_at < now() - make_interval(secs => $2)`,
      [roomIds, idleSec],
    );
    return rows.map(toSession);
  }
}
