import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { FakeSink, row } from '../../test/factories/fsr.factory';
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
    assert.deepEqual(w.stats(), { buffered: 0, persisted: 250, flushes: 3, failures: 0 });
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

  it('close() retries a failing database, then reports what it could not write', async () => {
    const sink = new FakeSink();
    sink.failing = true;
    const lost: number[] = [];
    const w = new SampleWriter(sink, { flushIntervalMs: 1, flushMaxRows: 10, bufferMaxRows: 100, closeAttempts: 3 }, { lost: (n) => lost.push(n) });
    w.enqueue(rows(7));
    await w.close();
    assert.deepEqual(lost, [7]);
    assert.equal(w.stats().failures, 3);
  });
});
