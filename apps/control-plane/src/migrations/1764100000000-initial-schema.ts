import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sessions and their usage ledger. */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cp_sessions (
        id uuid PRIMARY KEY,
        kind varchar(16) NOT NULL CHECK (kind IN ('app', 'inference')),
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished')),
        user_id varchar(128),
        email varchar(254),
        node_id varchar(128),
        ws_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        upgraded_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX cp_sessions_user_idx ON cp_sessions (user_id) WHERE user_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE cp_session_usage (
        session_id uuid PRIMARY KEY,
        client_frames_in bigint CHECK (client_frames_in >= 0),
        client_frames_out bigint CHECK (client_frames_out >= 0),
        client_duration_seconds bigint CHECK (client_duration_seconds >= 0),
        client_reported_at timestamptz,
        server_node_id varchar(128),
        server_frames_in bigint CHECK (server_frames_in >= 0),
        server_frames_analysed bigint CHECK (server_frames_analysed >= 0),
        server_frames_dropped bigint CHECK (server_frames_dropped >= 0),
        server_duration_ms bigint CHECK (server_duration_ms >= 0),
        server_reported_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE cp_session_usage');
    await q.query('DROP TABLE cp_sessions');
  }
}
