import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CHAT_DATA_SOURCE } from '../chat.tokens';
import { MessagesRepository } from '../conversations/messages.repository';
import { ptRoomKey } from '../conversations/room-key';

/** A PT session: one trainer, one member, one chat room (`pt_<id>`). */
export interface PtSession {
  readonly id: number;
  readonly trainerId: string;
  readonly trainerName: string;
  readonly memberId: string;
  readonly memberName: string;
  readonly createdAt: Date;
}

interface PtRow {
  id: string;
  trainer_id: string;
  trainer_name: string;
  member_id: string;
  member_name: string;
  created_at: Date;
}

const toPt = (r: PtRow): PtSession => ({
  id: Number(r.id),
  trainerId: r.trainer_id,
  trainerName: r.trainer_name,
  memberId: r.member_id,
  memberName: r.member_name,
  createdAt: r.created_at,
});

const SELECT_PT = `SELECT s.id, s.trainer_id, t.name AS trainer_name, s.member_id, m.name AS member_name, s.created_at
  FROM chat_pt_sessions s JOIN chat_pt_trainers t ON t.id = s.trainer_id JOIN chat_pt_members m ON m.id = s.member_id`;

/** Trainers, members and PT sessions of the distributor chat, in PostgreSQL. */
@Injectable()
export class PtRepository {
  constructor(
    @Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource,
    private readonly messages: MessagesRepository,
  ) {}

  async upsertTrainer(id: string, name: string): Promise<void> {
    await this.ds.query('INSERT INTO chat_pt_trainers (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [id, name]);
  }

  async upsertMember(id: string, name: string): Promise<void> {
    await this.ds.query('INSERT INTO chat_pt_members (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [id, name]);
  }

  async trainerExists(id: string): Promise<boolean> {
    return ((await this.ds.query('SELECT 1 FROM chat_pt_trainers WHERE id = $1', [id])) as unknown[]).length > 0;
  }

  async memberExists(id: string): Promise<boolean> {
    return ((await this.ds.query('SELECT 1 FROM chat_pt_members WHERE id = $1', [id])) as unknown[]).length > 0;
  }

  /** Creates a PT session and its room's message log in one transaction. */
  createSession(trainerId: string, memberId: string): Promise<PtSession> {
    return this.ds.transaction(async (tx) => {
      const [row]: { id: string }[] = await tx.query('INSERT INTO chat_pt_sessions (trainer_id, member_id) VALUES ($1, $2) RETURNING id', [trainerId, memberId]);
      const id = Number(row!.id);
      await this.messages.createHead(ptRoomKey(id), tx);
      const [pt]: PtRow[] = await tx.query(`${SELECT_PT} WHERE s.id = $1`, [id]);
      return toPt(pt!);
    });
  }

  async find(id: number): Promise<PtSession | null> {
    const rows: PtRow[] = await this.ds.query(`${SELECT_PT} WHERE s.id = $1`, [id]);
    return rows[0] ? toPt(rows[0]) : null;
  }

  async ofTrainer(trainerId: string): Promise<PtSession[]> {
    const rows: PtRow[] = await this.ds.query(`${SELECT_PT} WHERE s.trainer_id = $1 ORDER BY s.id`, [trainerId]);
    return rows.map(toPt);
  }

  /** The first PT session between the two, if any (demo data is seeded idempotently with it). */
  async between(trainerId: string, memberId: string): Promise<PtSession | null> {
    const rows: PtRow[] = await this.ds.query(`${SELECT_PT} WHERE s.trainer_id = $1 AND s.member_id = $2 ORDER BY s.id LIMIT 1`, [trainerId, memberId]);
    return rows[0] ? toPt(rows[0]) : null;
  }
}
