import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { SquatAnalyzer } from '@squirret/squat';
import { RedisConnections } from '@squirret/bus';
import Redis from 'ioredis';
import { RedisCheckpointStore } from './checkpoint-store';
import type { SessionCheckpoint } from './session-checkpoint';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisCheckpointStore on real Redis', () => {
  const prefix = `itest:${randomUUID()}:`;
  const connections = new RedisConnections(REDIS_URL);
  const store = new RedisCheckpointStore(connections.failFast('itest-checkpoints', { commandTimeoutMs: 1_000 }), prefix);
  const raw = new Redis(REDIS_URL);

  after(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length > 0) await raw.del(...keys);
    await store.close();
    await connections.close();
    await raw.quit();
  });

  const checkpoint = (sessionId: string): SessionCheckpoint => ({
    version: 1,
    sessionId,
    nodeId: 'node-a',
    savedAt: Date.now(),
    analyzer: new SquatAnalyzer().snapshot(),
    counters: { framesIn: 10, framesAnalysed: 9, framesDropped: 1 },
    lastTimeMs: 1_700_000_000_000,
    useClientTime: false,
  });

  it('stores under <BUS_PREFIX>inference:checkpoint:<id> with the TTL and reads it back', async () => {
    const c = checkpoint('s-1');
    await store.save(c, 60_000);
    assert.deepEqual(await store.load('s-1'), c);
    const ttl = await raw.pttl(`${prefix}inference:checkpoint:s-1`);
    assert.ok(ttl > 55_000 && ttl <= 60_000, String(ttl));
    assert.equal(await store.load('s-2'), undefined);
  });

  it('ignores a stored value that is not a sane checkpoint (a poisoned or foreign one)', async () => {
    await raw.set(`${prefix}inference:checkpoint:s-3`, JSON.stringify({ ...checkpoint('s-3'), lastTimeMs: 'Infinity' }));
    assert.equal(await store.load('s-3'), undefined);
    await raw.set(`${prefix}inference:checkpoint:s-4`, 'not json');
    assert.equal(await store.load('s-4'), undefined);
  });
});
