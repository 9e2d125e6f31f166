import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Insole samples. No CHECK constraints on the values: they are validated at the edge, and a row the
 * writer already answered 202 for must never be refused later (it would poison its batch).
 */
export class FsrSamples1764200000000 implements MigrationInterface {
  name = 'FsrSamples1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fsr_samples (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        device_id varchar(64) NOT NULL,
        session_id uuid,
        side varchar(5) NOT NULL,
        ratio1 real NOT NULL,
        ratio2 real NOT NULL,
        ratio3 real NOT NULL,
        ratio4 real NOT NULL,
        ratio5 real NOT NULL,
        ratio6 real NOT NULL,
        sampled_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX fsr_samples_device_time_idx ON fsr_samples (device_id, sampled_at)`);
    // Retention deletes by time across devices.
    await q.query(`CREATE INDEX fsr_samples_sampled_at_idx ON fsr_samples (sampled_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fsr_samples');
  }
}
