import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import { InMemoryBus } from '@squirret/bus';
import { TokenGenerations, type GenerationSink } from './token-generations';

/** The durable side as a plain map (PostgreSQL's version is covered by the integration test). */
class MapSink implements GenerationSink {
  readonly rows = new Map<string, number>();
  async loadAll() {
    return [...this.rows].map(([deviceId, generation]) => ({ deviceId, generation }));
  }
  async current(deviceId: string) {
    return this.rows.get(deviceId) ?? 0;
  }
  async increment(deviceId: string) {
    const g = (this.rows.get(deviceId) ?? 0) + 1;
    this.rows.set(deviceId, g);
    return g;
  }
}

describe('TokenGenerations', () => {
  const started: TokenGenerations[] = [];
  afterEach(async () => {
    for (const g of started.splice(0)) await g.stop();
  });
  const make = async (sink: GenerationSink, bus: InMemoryBus, refreshMs = 60_000) => {
    const g = new TokenGenerations(sink, bus, refreshMs, () => 1_000);
    await g.start();
    started.push(g);
    return g;
  };

  it('loads the stored generations at start; unknown devices are at 0', async () => {
    const sink = new MapSink();
    sink.rows.set('esp-1', 3);
    const g = await make(sink, new InMemoryBus());
    assert.equal(g.of('esp-1'), 3);
    assert.equal(g.of('esp-9'), 0);
  });

  it('a revocation on one instance reaches the other through the bus', async () => {
    const sink = new MapSink();
    const bus = new InMemoryBus();
    const a = await make(sink, bus);
    const b = await make(sink, bus);
    assert.equal(await a.revoke('esp-1'), 1);
    assert.equal(a.of('esp-1'), 1);
    assert.equal(b.of('esp-1'), 1);
  });

  it('never moves a generation back (a stale event or read does not undo a revocation)', async () => {
    const sink = new MapSink();
    const bus = new InMemoryBus();
    const g = await make(sink, bus);
    await g.revoke('esp-1');
    await g.revoke('esp-1');
    await bus.publish('fsr.device', { deviceId: 'esp-1', tokenGeneration: 1, at: 0 });
    assert.equal(g.of('esp-1'), 2);
  });

  it('catches up from storage on its reload timer when an event was missed', async () => {
    const sink = new MapSink();
    const g = await make(sink, new InMemoryBus(), 20);
    sink.rows.set('esp-1', 5); // revoked elsewhere, event lost
    const deadline = Date.now() + 2_000;
    while (g.of('esp-1') !== 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(g.of('esp-1'), 5);
  });

  it('current() reads storage for issuing, so a new token is never behind a revocation made elsewhere', async () => {
    const sink = new MapSink();
    const g = await make(sink, new InMemoryBus());
    sink.rows.set('esp-1', 2);
    assert.equal(await g.current('esp-1'), 2);
    assert.equal(g.of('esp-1'), 2);
  });
});
