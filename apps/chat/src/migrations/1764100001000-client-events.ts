import type { MigrationInterface, QueryRunner } from 'typeorm';

/** CLIENT_EVENTs the app sends on its session channel. */
export class ClientEvents1764100001000 implements MigrationInterface {
  name = 'ClientEvents1764100001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_client_events (
        id bigserial PRIMARY KEY,
        session_id uuid NOT NULL,
        name varchar(128) NOT NULL,
        client_ts double precision,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX chat_client_events_session_idx ON chat_client_events (session_id, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE chat_client_events');
  }
}
