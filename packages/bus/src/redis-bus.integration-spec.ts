import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import Redis from 'ioredis';
import { busContract } from './bus.contract';
import { RedisBus } from './redis-bus';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = { warn: () => undefined };

describe('RedisBus (real Redis)', () => {
  const prefix = `test:${randomUUID()}:`;
  busContract(() => new RedisBus({ url: REDIS_URL, prefix, logger: quiet }));

  it('crosses processes: two bus instances on one prefix see each other', async () => {
    const a = new RedisBus({ url: REDIS_URL, prefix, logger: quiet });
    const b = new RedisBus({ url: REDIS_URL, prefix, logger: quiet });
    try {
      const got = new Promise((resolve) => void b.subscribe('client.event', resolve));
      await new Promise((r) => setTimeout(r, 50));
      await a.publish('client.event', { sessionId: 's', name: 'tap', at: 3 });
      assert.deepEqual(await got, { sessionId: 's', name: 'tap', at: 3 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('drops an event on the channel that is not JSON or breaks the contract, and goes on', async () => {
    const warnings: string[] = [];
    const bus = new RedisBus({ url: REDIS_URL, prefix, logger: { warn: (_o, m) => warnings.push(m) } });
    const raw = new Redis(REDIS_URL);
    try {
      const seen: unknown[] = [];
      await bus.subscribe('client.event', (p) => {
        seen.push(p);
      });
      await raw.publish(`${prefix}client.event`, 'not json');
      await raw.publish(`${prefix}client.event`, JSON.stringify({ sessionId: 1 }));
      await raw.publish(`${prefix}client.event`, JSON.stringify({ sessionId: 's', name: 'ok', at: 1 }));
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(seen, [{ sessionId: 's', name: 'ok', at: 1 }]);
      assert.deepEqual(warnings, ['dropped a bus event that is not JSON', 'dropped an invalid bus event']);
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });
});
