import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Known insoles and their device-token generation (a revocation increments it). */
export class FsrDevices1764300000000 implements MigrationInterface {
  name = 'FsrDevices1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fsr_devices (
        device_id varchar(64) PRIMARY KEY,
        token_generation integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE fsr_devices`);
  }
}
