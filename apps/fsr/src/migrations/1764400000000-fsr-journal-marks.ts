import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far each instance's local sample journal is committed: the highest `seq` whose row is in
 * `fsr_samples`, moved in the same statement as the insert. A replay after a crash skips every row
 * at or below it, so nothing is stored twice (no per-row unique key on the hot table needed).
 */
export class FsrJournalMarks1764400000000 implements MigrationInterface {
  name = 'FsrJournalMarks1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fsr_journal_marks (
        journal_id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fsr_journal_marks');
  }
}
