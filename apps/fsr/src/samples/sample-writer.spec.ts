import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { FakeSink, T0, row } from '../../test/factories/fsr.factory';
import { SampleWriter } from './sample-writer';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => row(from + i));
const overloaded = (e: unknown) => e instanceof AppError && e.code === 'INGEST_OVERLOADED';

describe('SampleWriter', () => {
  it('writes what is buffered in statements of at most flushMaxRows, never a row per request', async () => {
    const sink = new FakeSink();
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 100, bufferMaxRows: 10_000 });
    for (let i = 0; i < 250; i++) w.enqueue([row(i)]);
    await w.flush();
    assert.deepEqual(sink.statements, [100, 100, 50]);
    assert.deepEqual(sink.rows.map((r) => r.at), rows(250).map((r) => r.at));
    assert.deepEqual(w.stats(), { buffered: 0, persisted: 250, flushes: 3, failures: 0, rejected: 0 });
  });

  it('starts a flush by itself once flushMaxRows are waiting', async () => {
    const sink = new FakeSink();
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 10, bufferMaxRows: 1_000 });
    w.enqueue(rows(9));
    await Promise.resolve();
    assert.equal(sink.rows.length, 0);
    w.enqueue(rows(1, 9));
    await w.flush();
    assert.equal(sink.rows.length, 10);
    assert.deepEqual(sink.statements, [10]);
  });

  it('keeps the rows of a failed statement, in order, and writes them on the next flush', async () => {
    const sink = new FakeSink();
    const failed: number[] = [];
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 50, bufferMaxRows: 1_000 }, { failed: (n) => failed.push(n) });
    w.enqueue(rows(30));
    sink.failing = true;
    await assert.rejects(w.flush(), /database unavailable/);
    w.enqueue(rows(5, 30));
    assert.equal(w.stats().buffered, 35);
    sink.failing = false;
    await w.flush();
    assert.deepEqual(sink.rows.map((r) => r.at), rows(35).map((r) => r.at));
    assert.deepEqual(failed, [30]);
  });

  it('refuses rows beyond bufferMaxRows (in-flight rows count) and takes nothing of a refused batch', async () => {
    const sink = new FakeSink();
    let open!: () => void;
    sink.gate = new Promise((r) => (open = r));
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 10, bufferMaxRows: 15 });
    w.enqueue(rows(10)); // starts a flush that waits at the gate
    assert.throws(() => w.enqueue(rows(6, 10)), overloaded);
    w.enqueue(rows(5, 10));
    assert.equal(w.hasRoomFor(1), false);
    open();
    await w.flush();
    await w.flush();
    assert.equal(sink.rows.length, 15);
    assert.equal(w.hasRoomFor(15), true);
  });

  it('close() flushes everything held, then refuses new rows', async () => {
    const sink = new FakeSink();
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 1_000, bufferMaxRows: 10_000 });
    w.start();
    w.enqueue(rows(123));
    await w.close();
    assert.equal(sink.rows.length, 123);
    assert.throws(() => w.enqueue(rows(1)), overloaded);
  });

  it('close() retries a failing database with backoff until its budget runs out, then reports what it could not write', async () => {
    const sink = new FakeSink();
    sink.failing = true;
    const lost: number[] = [];
    const w = new SampleWriter(sink, { flushIntervalMs: 5, flushMaxRows: 10, bufferMaxRows: 100, closeBudgetMs: 300, retryMaxMs: 40 }, { lost: (n) => lost.push(n) });
    w.enqueue(rows(7));
    await w.close();
    assert.deepEqual(lost, [7]);
    // Backoff 5, 10, 20, 40, 40… ms (with jitter, at least half of each): far fewer than a tight loop's attempts.
    assert.ok(w.stats().failures >= 3 && w.stats().failures <= 300 / 2.5 + 2, `failures ${w.stats().failures}`);
  });

  it('close() keeps flushing while the database is down and stores everything once it is back within the budget', async () => {
    const sink = new FakeSink();
    sink.failing = true;
    const lost: number[] = [];
    const w = new SampleWriter(sink, { flushIntervalMs: 5, flushMaxRows: 10, bufferMaxRows: 100, closeBudgetMs: 10_000, retryMaxMs: 20 }, { lost: (n) => lost.push(n) });
    w.enqueue(rows(25));
    const closing = w.close();
    // The database comes back after a few failed attempts (not after a time: the test never waits on the clock).
    while (w.stats().failures < 5) await new Promise((r) => setTimeout(r, 1));
    sink.failing = false;
    await closing;
    assert.deepEqual(lost, []);
    assert.deepEqual(sink.rows.map((r) => r.at), rows(25).map((r) => r.at));
  });

  it('one poison row never fails its batch: the statement is split until the row is alone, set aside; every other row commits in order', async () => {
    const sink = new FakeSink();
    const bad = new Set([T0 + 13, T0 + 77]);
    sink.poison = (r) => bad.has(r.at);
    const rejected: number[][] = [];
    const settled: number[] = [];
    const w = new SampleWriter(
      sink,
      { flushIntervalMs: 60_000, flushMaxRows: 100, bufferMaxRows: 10_000 },
      { rejected: (rs) => rejected.push(rs.map((r) => r.at)), settled: (rs) => settled.push(...rs.map((r) => r.at)) },
    );
    w.enqueue(rows(100));
    await w.flush();
    assert.deepEqual(sink.rows.map((r) => r.at), rows(100).map((r) => r.at).filter((at) => !bad.has(at)));
    assert.deepEqual(rejected, [[T0 + 13, T0 + 77]], 'one report per batch, naming both rows');
    assert.deepEqual(settled, rows(100).map((r) => r.at), 'settled in buffer order (the journal mark relies on it)');
    assert.deepEqual(w.stats(), { buffered: 0, persisted: 98, flushes: sink.statements.length, failures: 0, rejected: 2 });
    // Bisection, not row by row: about 2·log2(100) statements per bad row.
    assert.ok(sink.attempts.length <= 30, `statements tried: ${sink.attempts.length}`);
    // The writer is not stuck: the next rows go through in one statement.
    w.enqueue(rows(10, 200));
    await w.flush();
    assert.equal(sink.statements.at(-1), 10);
  });

  it('a connection error in the middle of a split puts back every row not yet committed, in order', async () => {
    const sink = new FakeSink();
    sink.poison = (r) => r.at === T0 + 3;
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 8, bufferMaxRows: 100 });
    w.enqueue(rows(8));
    const real = sink.insertMany.bind(sink);
    let calls = 0;
    sink.insertMany = async (rs) => {
      calls++;
      // 1: all 8 (poison), 2: left 4 (poison), 3: left 2 ok, 4: [2,3] → connection lost
      if (calls === 4) throw new Error('Connection terminated unexpectedly');
      return real(rs);
    };
    await assert.rejects(w.flush(), /Connection terminated/);
    assert.equal(w.stats().buffered, 6);
    assert.ok(w.databaseFailing);
    await w.flush();
    assert.deepEqual(sink.rows.map((r) => r.at), [0, 1, 2, 4, 5, 6, 7].map((i) => T0 + i));
  });

  it('backs off after a failure: neither the timer nor a full buffer retries before the pause is over', async () => {
    const sink = new FakeSink();
    sink.failing = true;
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 1, bufferMaxRows: 10_000, retryBaseMs: 60_000, retryMaxMs: 120_000, random: () => 0 });
    w.enqueue(rows(1)); // starts a flush that fails
    await new Promise((r) => setImmediate(r));
    assert.equal(sink.attempts.length, 1);
    for (let i = 1; i < 500; i++) w.enqueue(rows(1, i)); // each would have started a flush before
    await new Promise((r) => setImmediate(r));
    assert.equal(sink.attempts.length, 1, 'no attempt during the backoff');
    assert.ok(w.retryInMs() > 25_000);
  });

  it('answers DEPENDENCY_UNAVAILABLE with Retry-After when full because the database is failing, INGEST_OVERLOADED when just behind', async () => {
    const sink = new FakeSink();
    sink.failing = true;
    const w = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 1_000, bufferMaxRows: 5, retryBaseMs: 4_000, random: () => 1 });
    w.enqueue(rows(5));
    assert.throws(() => w.enqueue(rows(1)), overloaded);
    await assert.rejects(w.flush());
    assert.throws(
      () => w.enqueue(rows(1)),
      (e: unknown) => e instanceof AppError && e.code === 'DEPENDENCY_UNAVAILABLE' && e.status === 503 && Number(e.headers['Retry-After']) >= 3,
    );
  });
});
