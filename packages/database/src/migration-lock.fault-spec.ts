import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startPrivatePostgres, type PrivatePostgres } from '@squirret/testing';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { openDatabase } from './data-source';

class CreateThings1700000000000 implements MigrationInterface {
  name = 'CreateThings1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE lock_things (id int PRIMARY KEY)');
    await q.query('INSERT INTO lock_things VALUES (1)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE lock_things');
  }
}

const REPLICAS = 8;

/**
 * Many replicas opening the same empty database at the same moment (docs/robustness.md §6): under the
 * advisory lock each migration runs once and every replica opens (before: `relation
 * "…_migrations" already exists` or a duplicate-key failure, and the process exited 1).
 */
describe('migrations under an advisory lock (fault)', () => {
  let pg: PrivatePostgres;

  before(async () => {
    pg = await startPrivatePostgres();
  });
  after(async () => {
    await pg?.destroy();
  });

  it(`regression: ${REPLICAS} replicas migrating one empty database at once all open`, async () => {
    for (let round = 0; round < 3; round++) {
      const name = `lock_round_${round}`;
      await pg.createDatabase(name);
      const opened = await Promise.allSettled(
        Array.from({ length: REPLICAS }, () => openDatabase({ url: pg.url(name), entities: [], migrations: [CreateThings1700000000000], migrationsTableName: 'lock_migrations', poolSize: 2 })),
      );
      const failed = opened.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => String(o.reason));
      const sources = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      try {
        assert.deepEqual(failed, [], `round ${round}`);
        const [row] = (await sources[0]!.query('SELECT count(*)::int AS n FROM lock_migrations')) as { n: number }[];
        assert.equal(row!.n, 1, 'the migration ran once');
      } finally {
        for (const s of sources) await s.destroy();
      }
      console.log(`FAULT migration-lock round=${round} replicas=${REPLICAS} opened=${sources.length} failed=${failed.length}`);
    }
  });
});
