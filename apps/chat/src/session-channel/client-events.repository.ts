import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CHAT_DATA_SOURCE } from '../chat.tokens';

/** Stores the CLIENT_EVENTs an app sends on its session channel. */
@Injectable()
export class ClientEventsRepository {
  constructor(@Inject(CHAT_DATA_SOURCE) private readonly ds: DataSource) {}

  async record(sessionId: string, name: string, clientTs: number | undefined): Promise<void> {
    await this.ds.query('INSERT INTO chat_client_events (session_id, name, client_ts) VALUES ($1, $2, $3)', [sessionId, name, clientTs ?? null]);
  }

  async listFor(sessionId: string): Promise<{ name: string; clientTs: number | null }[]> {
    const rows: { name: string; client_ts: number | null }[] = await this.ds.query(
      'SELECT name, client_ts FROM chat_client_events WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    return rows.map((r) => ({ name: r.name, clientTs: r.client_ts }));
  }
}
