import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { BusPayload } from '@squirret/contracts';
import { busContract } from './bus.contract';
import { deepFreeze, InMemoryBus } from './memory-bus';

const quiet = { warn: () => undefined };
describe('InMemoryBus', () => busContract(() => new InMemoryBus(quiet)));

describe('InMemoryBus payloads', () => {
  it('hands subscribers a deeply frozen payload and leaves the publisher\'s object alone', async () => {
    const bus = new InMemoryBus(quiet);
    try {
      const got = new Promise<BusPayload<'fsr.sample'>>((resolve) => void bus.subscribe('fsr.sample', resolve));
      const sent: BusPayload<'fsr.sample'> = { deviceId: 'd', side: 'left', ratios: [1, 2, 3, 4, 5, 6], at: 1 };
      await bus.publish('fsr.sample', sent);
      const p = await got;
      assert.deepEqual(p, sent);
      assert.ok(Object.isFrozen(p) && Object.isFrozen(p.ratios));
      assert.throws(() => {
        (p.ratios as number[])[0] = 9;
      }, TypeError);
      assert.ok(!Object.isFrozen(sent) && !Object.isFrozen(sent.ratios));
    } finally {
      await bus.close();
    }
  });

  it('copies what the schema passes through as it is before freezing it', async () => {
    const bus = new InMemoryBus(quiet);
    try {
      const got = new Promise<BusPayload<'session.push'>>((resolve) => void bus.subscribe('session.push', resolve));
      const inner = { n: 1 };
      const sent: BusPayload<'session.push'> = { sessionId: 's', message: { inner }, at: 1 };
      await bus.publish('session.push', sent);
      const p = await got;
      assert.deepEqual(p, { sessionId: 's', message: { inner: { n: 1 } }, at: 1 });
      assert.ok(Object.isFrozen(p.message['inner']));
      assert.ok(!Object.isFrozen(inner));
      inner.n = 2;
      assert.deepEqual(p.message['inner'], { n: 1 });
    } finally {
      await bus.close();
    }
  });

  it('deepFreeze freezes nested objects and arrays', () => {
    const v = deepFreeze({ a: [{ b: 1 }], c: { d: 'x' } });
    assert.ok(Object.isFrozen(v.a) && Object.isFrozen(v.a[0]) && Object.isFrozen(v.c));
  });
});
