import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import type { DataSource } from 'typeorm';
import { openFsrDatabase } from '../src/runtime';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleJournal } from '../src/samples/sample-journal';
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

  it('docs/robustness.md: a row PostgreSQL refuses (1e-300 in real, year 0000) is set aside; every other row of the batch, of every device, is stored', async () => {
    const rejected: number[] = [];
    const w = new SampleWriter(repo, { flushIntervalMs: 60_000, flushMaxRows: 1_000, bufferMaxRows: 10_000 }, { rejected: (rs) => rejected.push(rs.length) });
    const rows = Array.from({ length: 600 }, (_, i) => row(i, { deviceId: `poison-${i % 3}` }));
    rows[101] = row(101, { deviceId: 'poison-bad', ratios: [1e-300, 0, 0, 0, 0, 0] });
    rows[402] = row(402, { deviceId: 'poison-bad', at: Date.parse('0000-01-01T00:00:00Z') });
    for (const r of rows) w.enqueue([r]);
    await w.flush();
    assert.deepEqual(rejected, [2]);
    assert.equal(w.stats().buffered, 0);
    assert.equal(await repo.count('poison-bad'), 0);
    assert.equal((await repo.count('poison-0')) + (await repo.count('poison-1')) + (await repo.count('poison-2')), 598);
  });

  it('journal: rows after the committed mark are replayed once; rows already stored are not stored again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-journal-'));
    try {
      const id = SampleJournal.idOf(dir);
      const jrepo = new SamplesRepository(ds, id);
      const { journal } = await SampleJournal.open({ dir, segmentBytes: 4096 }, await jrepo.journalMark(id));
      // Holds everything (never flushes by itself): the test decides what reaches PostgreSQL.
      const w = new SampleWriter(jrepo, { flushIntervalMs: 60_000, flushMaxRows: 100_000, bufferMaxRows: 10_000 });
      const appends = [];
      for (let i = 0; i < 300; i++) {
        const a = journal.append([row(i, { deviceId: 'journal-dev' })]);
        w.enqueue(a.rows);
        appends.push(a.durable);
      }
      await Promise.all(appends);
      // Store the first 120 only (as if SIGKILL came after that flush): 50 + 50 + 20.
      const stored = w['buffer'].splice(0, 120);
      const w2 = new SampleWriter(jrepo, { flushIntervalMs: 60_000, flushMaxRows: 50, bufferMaxRows: 10_000 }, { settled: (rs) => journal.settled(rs) });
      w2.enqueue(stored);
      await w2.flush();
      assert.equal(await repo.count('journal-dev'), 120);
      assert.equal(await jrepo.journalMark(id), 119);
      // "Crash": the journal is not closed; a new process opens the same directory.
      const reopened = await SampleJournal.open({ dir, segmentBytes: 4096 }, await jrepo.journalMark(id));
      assert.equal(reopened.journal.id, id);
      assert.deepEqual(reopened.replay.map((r) => r.seq), Array.from({ length: 180 }, (_, i) => 120 + i));
      const w3 = new SampleWriter(jrepo, { flushIntervalMs: 60_000, flushMaxRows: 50, bufferMaxRows: 10_000 }, { settled: (rs) => reopened.journal.settled(rs) });
      w3.enqueue(reopened.replay, true);
      await w3.flush();
      assert.equal(await repo.count('journal-dev'), 300);
      const [{ dups }] = (await ds.query(
        `SELECT count(*)::int AS dups FROM (SELECT sampled_at FROM fsr_samples WHERE device_id = 'journal-dev' GROUP BY sampled_at HAVING count(*) > 1) d`,
      )) as [{ dups: number }];
      assert.equal(dups, 0);
      // New appends continue after the replayed positions; a clean close empties the journal.
      const next = reopened.journal.append([row(999, { deviceId: 'journal-dev' })]);
      assert.equal(next.rows[0]!.seq, 300);
      w3.enqueue(next.rows);
      await next.durable;
      await w3.close();
      await reopened.journal.close();
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.jnl')), []);
      // Replaying again finds nothing to do.
      const third = await SampleJournal.open({ dir }, await jrepo.journalMark(id));
      assert.equal(third.replay.length, 0);
      await third.journal.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
