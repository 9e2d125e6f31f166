import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import type { BusPayload } from '@squirret/contracts';
import type { Bus } from './bus';

/** Behaviour every Bus implementation must show; run against the in-memory and the Redis bus. */
export function busContract(makeBus: () => Bus): void {
  const status = (over: Partial<BusPayload<'ai.status'>> = {}): BusPayload<'ai.status'> => ({
    sessionId: 's-1',
    lumbar: 'good',
    knee: 'bad',
    ankle: 'null',
    source: 'internal-api',
    at: 1,
    ...over,
  });

  const next = <T>(bus: Bus, topic: 'ai.status'): Promise<T> =>
    new Promise((resolve) => {
      void bus.subscribe(topic, (p) => resolve(p as T));
    });

  it('delivers a published event to every subscriber of its topic, and only its topic', async () => {
    const bus = makeBus();
    try {
      const got: string[] = [];
      await bus.subscribe('session.usage', () => {
        got.push('usage');
      });
      const a = next<BusPayload<'ai.status'>>(bus, 'ai.status');
      const b = next<BusPayload<'ai.status'>>(bus, 'ai.status');
      await new Promise((r) => setTimeout(r, 50));
      await bus.publish('ai.status', status());
      assert.deepEqual(await a, status());
      assert.deepEqual(await b, status());
      assert.deepEqual(got, []);
    } finally {
      await bus.close();
    }
  });

  it('refuses to publish an event that breaks its contract', async () => {
    const bus = makeBus();
    try {
      await assert.rejects(bus.publish('ai.status', { ...status(), knee: 'awful' as 'bad' }), /invalid ai.status/);
    } finally {
      await bus.close();
    }
  });

  it('keeps delivering after a handler throws, and stops after unsubscribe', async () => {
    const bus = makeBus();
    try {
      const seen: number[] = [];
      await bus.subscribe('ai.status', () => {
        throw new Error('boom');
      });
      const off = await bus.subscribe('ai.status', (p) => {
        seen.push(p.at);
      });
      await new Promise((r) => setTimeout(r, 50));
      await bus.publish('ai.status', status({ at: 1 }));
      await new Promise((r) => setTimeout(r, 100));
      await off();
      await bus.publish('ai.status', status({ at: 2 }));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, [1]);
    } finally {
      await bus.close();
    }
  });

  it('never lets one subscriber change what another sees (its own copy, or a frozen payload)', async () => {
    const bus = makeBus();
    try {
      const first = new Promise<void>((resolve) => {
        void bus.subscribe('ai.status', (p) => {
          try {
            (p as { knee: string }).knee = 'good';
          } catch {
            // A frozen payload refuses the change (strict mode): that is the guarantee too.
          }
          resolve();
        });
      });
      const second = next<BusPayload<'ai.status'>>(bus, 'ai.status');
      await new Promise((r) => setTimeout(r, 50));
      await bus.publish('ai.status', status());
      await first;
      assert.equal((await second).knee, 'bad');
    } finally {
      await bus.close();
    }
  });

  it('answers ping while open', async () => {
    const bus = makeBus();
    await bus.ping();
    await bus.close();
  });
}
