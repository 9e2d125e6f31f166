import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat rooms (docs/chat-rooms.md): one message log for every room kind (`couple:<id>`, `pt:<id>`) with a
 * per-room sequence kept in `chat_room_heads`, per-user read positions, the couple rooms with
 * their members and sessions, and the trainers, members and PT sessions of the distributor chat.
 */
export class ChatRooms1764200000000 implements MigrationInterface {
  name = 'ChatRooms1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_room_heads (
        room_key varchar(40) PRIMARY KEY,
        last_seq bigint NOT NULL DEFAULT 0,
        last_activity timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chat_messages (
        room_key varchar(40) NOT NULL REFERENCES chat_room_heads (room_key) ON DELETE CASCADE,
        seq bigint NOT NULL,
        kind varchar(8) NOT NULL CHECK (kind IN ('chat', 'spread', 'system', 'ai')),
        sender_id varchar(128),
        sender_name varchar(100),
        speaker varchar(8),
        content text NOT NULL,
        session_id bigint,
        client_id varchar(64),
        event varchar(32),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (room_key, seq)
      )`);
    // A client's retry with the same clientId finds its message instead of storing it twice.
    await q.query('CREATE UNIQUE INDEX chat_messages_client_idx ON chat_messages (room_key, sender_id, client_id) WHERE client_id IS NOT NULL');
    await q.query('CREATE INDEX chat_messages_session_idx ON chat_messages (session_id, seq) WHERE session_id IS NOT NULL');
    await q.query(`
      CREATE TABLE chat_read_positions (
        room_key varchar(40) NOT NULL REFERENCES chat_room_heads (room_key) ON DELETE CASCADE,
        user_id varchar(128) NOT NULL,
        last_read_seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_key, user_id)
      )`);

    await q.query(`
      CREATE TABLE chat_couple_rooms (
        id bigserial PRIMARY KEY,
        room_name varchar(100) NOT NULL,
        couple_id bigint NOT NULL,
        creator_id varchar(128) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX chat_couple_rooms_creator_idx ON chat_couple_rooms (creator_id)');
    await q.query('CREATE INDEX chat_couple_rooms_couple_idx ON chat_couple_rooms (couple_id)');
    await q.query(`
      CREATE TABLE chat_couple_members (
        room_id bigint NOT NULL REFERENCES chat_couple_rooms (id) ON DELETE CASCADE,
        user_id varchar(128) NOT NULL,
        speaker char(1) NOT NULL CHECK (speaker IN ('A', 'B')),
        source varchar(8) NOT NULL CHECK (source IN ('creator', 'couple', 'admin')),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id)
      )`);
    await q.query('CREATE INDEX chat_couple_members_user_idx ON chat_couple_members (user_id)');
    await q.query(`
      CREATE TABLE chat_couple_sessions (
        id bigserial PRIMARY KEY,
        room_id bigint NOT NULL REFERENCES chat_couple_rooms (id) ON DELETE CASCADE,
        topic varchar(100) NOT NULL,
        user_a_id varchar(128),
        user_b_id varchar(128),
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        end_reason varchar(16),
        summary text,
        turns integer NOT NULL DEFAULT 0,
        turns_since_check integer NOT NULL DEFAULT 0,
        questions integer NOT NULL DEFAULT 0,
        awaiting_response boolean NOT NULL DEFAULT false,
        asked_at timestamptz,
        last_message_at timestamptz NOT NULL DEFAULT now()
      )`);
    // At most one open session per room, so concurrent joins on two instances agree on it.
    await q.query('CREATE UNIQUE INDEX chat_couple_sessions_open_idx ON chat_couple_sessions (room_id) WHERE ended_at IS NULL');

    await q.query(`
      CREATE TABLE chat_pt_trainers (
        id varchar(128) PRIMARY KEY,
        name varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chat_pt_members (
        id varchar(128) PRIMARY KEY,
        name varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chat_pt_sessions (
        id bigserial PRIMARY KEY,
        trainer_id varchar(128) NOT NULL REFERENCES chat_pt_trainers (id),
        member_id varchar(128) NOT NULL REFERENCES chat_pt_members (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX chat_pt_sessions_trainer_idx ON chat_pt_sessions (trainer_id)');
    await q.query('CREATE INDEX chat_pt_sessions_member_idx ON chat_pt_sessions (member_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'chat_pt_sessions',
      'chat_pt_members',
      'chat_pt_trainers',
      'chat_couple_sessions',
      'chat_couple_members',
      'chat_couple_rooms',
      'chat_read_positions',
      'chat_messages',
      'chat_room_heads',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
