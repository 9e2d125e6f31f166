import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a session was created for: the app's STOMP channel (guest/user) or an inference stream. */
export type SessionKind = 'app' | 'inference';
export type SessionStatus = 'active' | 'finished';

/** A session row. Never returned from an endpoint as is: controllers map it to a wire shape. */
@Entity({ name: 'cp_sessions' })
export class SessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: SessionKind;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: SessionStatus;

  @Column({ name: 'user_id', type: 'varchar', length: 128, nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ name: 'node_id', type: 'varchar', length: 128, nullable: true })
  nodeId!: string | null;

  @Column({ name: 'ws_url', type: 'text', nullable: true })
  wsUrl!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'upgraded_at', type: 'timestamptz', nullable: true })
  upgradedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
