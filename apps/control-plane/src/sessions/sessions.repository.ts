import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, Repository } from 'typeorm';
import { CP_DATA_SOURCE } from '../control-plane.tokens';
import { SessionEntity, type SessionKind } from './session.entity';

/** A new session as the service creates it. */
export interface NewSession {
  readonly id: string;
  readonly kind: SessionKind;
  readonly userId: string | null;
  readonly nodeId: string | null;
  readonly wsUrl: string | null;
  readonly createdAt: Date;
}

/** Outcome of a conditional update: done, or why not. */
export type UpdateOutcome = 'updated' | 'not-found' | 'conflict';

/** Storage of sessions; the service only sees this interface. */
export interface SessionsStore {
  insert(session: NewSession): Promise<void>;
  find(id: string): Promise<SessionEntity | null>;
  /** Binds the session to a user unless it already belongs to another one. */
  upgrade(id: string, userId: string, email: string, at: Date): Promise<UpdateOutcome>;
  /**
   * Marks an active session finished; `conflict` when it already was. `then` runs inside the same
   * transaction: if it throws, the session stays active so the client's retry can finish it.
   */
  finish(id: string, at: Date, then: () => Promise<void>): Promise<UpdateOutcome>;
  /** Places an active session on another node (its node died or drains); `conflict` when finished. */
  move(id: string, nodeId: string, wsUrl: string): Promise<UpdateOutcome>;
}

/** SessionsStore on PostgreSQL. Each change is one conditional statement, so concurrent calls cannot both win. */
@Injectable()
export class SessionsRepository implements SessionsStore {
  constructor(@Inject(CP_DATA_SOURCE) private readonly ds: DataSource) {}

  private get repo(): Repository<SessionEntity> {
    return this.ds.getRepository(SessionEntity);
  }

  async insert(s: NewSession): Promise<void> {
    // Plain parameterised SQL: this is the hot path of session issue (see bench/control-plane).
    await this.ds.query(
      `INSERT INTO cp_sessions (id, kind, status, user_id, node_id, ws_url, created_at) VALUES ($1, $2, 'active', $3, $4, $5, $6)`,
      [s.id, s.kind, s.userId, s.nodeId, s.wsUrl, s.createdAt],
    );
  }

  find(id: string): Promise<SessionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async upgrade(id: string, userId: string, email: string, at: Date): Promise<UpdateOutcome> {
    const rows: unknown[] = await this.ds.query(
      `UPDATE cp_sessions SET user_id = $2, email = $3, upgraded_at = COALESCE(upgraded_at, $4)
        WHERE id = $1 AND (user_id IS NULL OR user_id = $2) RETURNING id`,
      [id, userId, email, at],
    );
    if (firstRows(rows) > 0) return 'updated';
    return (await this.repo.existsBy({ id })) ? 'conflict' : 'not-found';
  }

  async finish(id: string, at: Date, then: () => Promise<void>): Promise<UpdateOutcome> {
    const updated = await this.ds.transaction(async (tx) => {
      const rows: unknown[] = await tx.query(
        `UPDATE cp_sessions SET status = 'finished', finished_at = $2 WHERE id = $1 AND status = 'active' RETURNING id`,
        [id, at],
      );
      if (firstRows(rows) === 0) return false;
      await then();
      return true;
    });
    if (updated) return 'updated';
    return (await this.repo.existsBy({ id })) ? 'conflict' : 'not-found';
  }

  move(id: string, nodeId: string, wsUrl: string): Promise<UpdateOutcome> {
    return moveSession(this.ds, id, nodeId, wsUrl);
  }
}

/** Placement changes are conditional too: a finished session stays where it was. */
export async function moveSession(ds: DataSource, id: string, nodeId: string, wsUrl: string): Promise<UpdateOutcome> {
  const rows: unknown[] = await ds.query(`UPDATE cp_sessions SET node_id = $2, ws_url = $3 WHERE id = $1 AND status = 'active' RETURNING id`, [
    id,
    nodeId,
    wsUrl,
  ]);
  if (firstRows(rows) > 0) return 'updated';
  return (await ds.getRepository(SessionEntity).existsBy({ id })) ? 'conflict' : 'not-found';
}

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]. */
function firstRows(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return result.length;
}
