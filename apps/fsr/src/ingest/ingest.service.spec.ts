import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InMemoryBus } from '@squirret/bus';
import { AppError, type FsrBalanceEvent, type FsrSampleEvent } from '@squirret/contracts';
import { FakeSink, SEED_RATIOS, T0, fixedClock, liveSettings, testConfig } from '../../test/factories/fsr.factory';
import { MemoryLiveStore } from '../live/memory-live-store';
import { SampleWriter } from '../samples/sample-writer';
import { IngestService, sampleTimeMs } from './ingest.service';

const seed = { side: 'left' as const, ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20, ratio5: 32.5, ratio6: 21.7 };

function setup(bufferMaxRows = 1_000) {
  const clock = fixedClock();
  const sink = new FakeSink();
  const writer = new SampleWriter(sink, { flushIntervalMs: 60_000, flushMaxRows: 1_000, bufferMaxRows });
  const store = new MemoryLiveStore(liveSettings(), clock.now);
  const bus = new InMemoryBus();
  const published: FsrSampleEvent[] = [];
  void bus.subscribe('fsr.sample', (e) => void published.push(e));
  const balances: FsrBalanceEvent[] = [];
  void bus.subscribe('fsr.balance', (e) => void balances.push(e));
  const service = new IngestService(writer, store, bus, clock, testConfig({ FSR_MAX_FUTURE_SKEW_SEC: '60' }));
  return { clock, sink, writer, store, published, balances, service };
}

describe('IngestService', () => {
  it('takes one sample now: buffered for PostgreSQL, latest, window, and one fsr.sample on the bus', async () => {
    const { service, writer, sink, store, published } = setup();
    assert.equal(await service.ingestOne('esp-1', null, seed), 1);
    assert.equal(writer.stats().buffered, 1);
    await writer.flush();
    assert.deepEqual(sink.rows, [{ deviceId: 'esp-1', sessionId: null, side: 'left', ratios: SEED_RATIOS, at: T0, receivedAt: T0 }]);
    assert.deepEqual((await store.latest('esp-1')).left, { side: 'left', ratios: SEED_RATIOS, at: T0 });
    assert.equal((await store.window('esp-1', T0 - 10_000, T0)).length, 1);
    assert.deepEqual(published, [{ deviceId: 'esp-1', side: 'left', ratios: [...SEED_RATIOS], at: T0 }]);
  });

  it('takes a batch in time order; only samples newer than the latest are streamed', async () => {
    const { service, writer, published, store } = setup();
    await service.ingestOne('esp-1', 'a9433005-6d0d-4981-b7b9-6df0ec0366e8', seed);
    const n = await service.ingestBatch('esp-1', null, [
      { ...seed, ts: (T0 + 500) / 1000 },
      { ...seed, ts: new Date(T0 - 60_000).toISOString() },
      { ...seed, side: 'right', ts: (T0 - 30_000) / 1000 },
    ]);
    assert.equal(n, 3);
    assert.equal(writer.stats().buffered, 4);
    assert.deepEqual(published.map((e) => [e.side, e.at]), [['left', T0], ['right', T0 - 30_000], ['left', T0 + 500]]);
    assert.equal((await store.latest('esp-1')).sessionId, 'a9433005-6d0d-4981-b7b9-6df0ec0366e8');
  });

  it('publishes the balance of the latest feet on fsr.balance when a foot moves (the session channel forwards it)', async () => {
    const { service, balances } = setup();
    await service.ingestOne('esp-1', null, seed);
    const settle = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5 && balances.length < 1; i++) await settle();
    assert.deepEqual(balances, [{ deviceId: 'esp-1', value: 1, left: true, right: false, at: T0 }]);
    await service.ingestOne('esp-1', null, { ...seed, side: 'right', ratio1: 0, ratio2: 0, ratio3: 0, ratio4: 0, ratio5: 0, ratio6: 50 });
    for (let i = 0; i < 5 && balances.length < 2; i++) await settle();
    // left 100, right 50
    assert.deepEqual(balances[1], { deviceId: 'esp-1', value: 0.333, left: true, right: true, at: T0 });
    // A buffered sample older than the latest moves no foot: no new balance.
    await service.ingestBatch('esp-1', null, [{ ...seed, ts: (T0 - 60_000) / 1000 }]);
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(balances.length, 2);
  });

  it('refuses a batch sample dated beyond the allowed skew, naming it, and takes nothing', async () => {
    const { service, writer } = setup();
    await assert.rejects(
      service.ingestBatch('esp-1', null, [{ ...seed, ts: T0 / 1000 }, { ...seed, ts: (T0 + 61_000) / 1000 }]),
      (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_ERROR' && e.message === 'samples.1.ts is more than 60 s in the future',
    );
    assert.equal(writer.stats().buffered, 0);
  });

  it('docs/robustness.md: refuses a batch ts the schema let through but that is no sane time (year 0000, unreadable), taking nothing', async () => {
    const { service, writer } = setup();
    for (const ts of ['0000-01-01T00:00:00Z', 'not a time', 1]) {
      await assert.rejects(
        service.ingestBatch('esp-1', null, [{ ...seed, ts: T0 / 1000 }, { ...seed, ts }]),
        (e: unknown) => e instanceof AppError && e.code === 'VALIDATION_ERROR' && e.message === 'samples.1.ts: ts must be a time from 2000-01-01T00:00:00Z on',
      );
    }
    assert.equal(writer.stats().buffered, 0);
    assert.throws(() => testConfig({ FSR_MAX_FUTURE_SKEW_SEC: '86401' }), /at most 86400/);
  });

  it('answers INGEST_OVERLOADED when the writer is full, leaving the live state untouched', async () => {
    const { service, store } = setup(1);
    await service.ingestOne('esp-1', null, seed);
    await assert.rejects(service.ingestOne('esp-1', null, { ...seed, side: 'right' }), (e: unknown) => e instanceof AppError && e.code === 'INGEST_OVERLOADED');
    assert.equal((await store.latest('esp-1')).right, null);
  });

  it('reads ts as Unix seconds or ISO-8601', () => {
    assert.equal(sampleTimeMs(1730892345.5), 1730892345500);
    assert.equal(sampleTimeMs('2025-11-09T07:10:23Z'), Date.parse('2025-11-09T07:10:23Z'));
  });
});
