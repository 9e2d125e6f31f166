import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Usage of one inference session: the client's figures (finish) and the data plane's own, side by side. */
@Entity({ name: 'cp_session_usage' })
export class SessionUsageEntity {
  @PrimaryColumn({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'client_frames_in', type: 'bigint', nullable: true })
  clientFramesIn!: string | null;

  @Column({ name: 'client_frames_out', type: 'bigint', nullable: true })
  clientFramesOut!: string | null;

  @Column({ name: 'client_duration_seconds', type: 'bigint', nullable: true })
  clientDurationSeconds!: string | null;

  @Column({ name: 'client_reported_at', type: 'timestamptz', nullable: true })
  clientReportedAt!: Date | null;

  @Column({ name: 'server_node_id', type: 'varchar', length: 128, nullable: true })
  serverNodeId!: string | null;

  @Column({ name: 'server_frames_in', type: 'bigint', nullable: true })
  serverFramesIn!: string | null;

  @Column({ name: 'server_frames_analysed', type: 'bigint', nullable: true })
  serverFramesAnalysed!: string | null;

  @Column({ name: 'server_frames_dropped', type: 'bigint', nullable: true })
  serverFramesDropped!: string | null;

  @Column({ name: 'server_duration_ms', type: 'bigint', nullable: true })
  serverDurationMs!: string | null;

  @Column({ name: 'server_reported_at', type: 'timestamptz', nullable: true })
  serverReportedAt!: Date | null;
}
