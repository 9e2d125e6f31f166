import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A stored insole sample. Written in batches by the sample writer; never returned from an endpoint as is. */
@Entity({ name: 'fsr_samples' })
export class FsrSampleEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'device_id', type: 'varchar', length: 64 })
  deviceId!: string;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 5 })
  side!: 'left' | 'right';

  @Column({ type: 'real' }) ratio1!: number;
  @Column({ type: 'real' }) ratio2!: number;
  @Column({ type: 'real' }) ratio3!: number;
  @Column({ type: 'real' }) ratio4!: number;
  @Column({ type: 'real' }) ratio5!: number;
  @Column({ type: 'real' }) ratio6!: number;

  @Column({ name: 'sampled_at', type: 'timestamptz' })
  sampledAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
