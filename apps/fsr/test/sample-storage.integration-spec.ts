import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import type { DataSource } from 'typeorm';
import { openFsrDatabase } from '../src/runtime';
import { SampleWriter } from '../src/samples/sample-writer';
import { SamplesRepository } from '../src/samples/samples.repository';
import { SEED_RATIOS, T0, row } from './factories/fsr.factory';

/** The batching writer and retention on a real PostgreSQL (a scratch database, migrated by the app's own migrations). */
describe('sample storage on real PostgreSQL', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let repo: SamplesRepository;

  before(async () => {
    db = await createScratchDatabase();
    ds = await openFsrDatabase(db.url);
    repo = new SamplesRepository(ds);
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes 2,500 samples in three multi-row statements and reads them back unchanged', async () => {
    const statements: number[] = [];
    const counting = { insertMany: async (rows: Parameters<SamplesRepository['insertMany']>[0]) => {
      statements.push(rows.length);
      await repo.insertMany(rows);
    } };
    const w = new SampleWriter(counting, { flushIntervalMs: 60_000, flushMaxRows: 1_000, bufferMaxRows: 10_000 });
    const rows = Array.from({ length: 2_500 }, (_, i) => row(i, { deviceId: 'batch-dev', sessionId: i === 0 ? 'a9433005-6d0d-4981-b7b9-6df0ec0366e8' : null }));
    for (const r of rows) w.enqueue([r]);
    await w.flush();
    assert.deepEqual(statements, [1_000, 1_000, 500]);
    assert.equal(await repo.count('batch-dev'), 2_500);
    const [first] = (await ds.query(
      `SELECT device_id, session_id, side, ratio1, ratio2, ratio3, ratio4, ratio5, ratio6, sampled_at FROM fsr_samples WHERE device_id = 'batch-dev' ORDER BY sampled_at LIMIT 1`,
    )) as [{ device_id: string; session_id: string; side: string; sampled_at: Date } & Record<string, number>];
    assert.deepEqual(
      [first.device_id, first.session_id, first.side, [1, 2, 3, 4, 5, 6].map((k) => first[`ratio${k}`]), first.sampled_at.getTime()],
      ['batch-dev', 'a9433005-6d0d-4981-b7b9-6df0ec0366e8', 'left', [...SEED_RATIOS], T0],
    );
  });

  it('flushes what it holds on close (the SIGTERM path) even with a long flush interval', async () => {
    const w = new SampleWriter(repo, { flushIntervalMs: 3_600_000, flushMaxRows: 100_000, bufferMaxRows: 100_000 });
    w.start();
    w.enqueue(Array.from({ length: 777 }, (_, i) => row(i, { deviceId: 'close-dev' })));
    assert.equal(await repo.count('close-dev'), 0);
    await w.close();
    assert.equal(await repo.count('close-dev'), 777);
  });

  it('deletes samples past retention in chunks and keeps the rest', async () => {
    const old = Array.from({ length: 7 }, (_, i) => row(i, { deviceId: 'ret-dev', at: T0 - 40 * 86_400_000 + i }));
    const recent = Array.from({ length: 3 }, (_, i) => row(i, { deviceId: 'ret-dev', at: T0 - 86_400_000 + i }));
    await repo.insertMany([...old, ...recent]);
    const before = await repo.count();
    const deleted = await repo.deleteOlderThan(new Date(T0 - 30 * 86_400_000), 3);
    assert.equal(deleted, 7);
    assert.equal(await repo.count('ret-dev'), 3);
    assert.equal(await repo.count(), before - 7);
  });
});
