import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dropKeys } from '@squirret/testing';
import Redis from 'ioredis';
import { RedisLiveStore } from '../src/live/redis-live-store';
import { T0, aiStatus, foot, liveSettings } from './factories/fsr.factory';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The Redis live store on a real Redis: the same semantics as the in-memory one (see its unit spec). */
describe('RedisLiveStore on a real Redis', () => {
  let redis: Redis;
  const prefix = `itest:${randomUUID()}:`;
  const store = () => new RedisLiveStore(redis, prefix, { ...liveSettings({ windowMs: 10_000, windowCap: 3 }), maxFutureSkewMs: 60_000 });

  before(() => {
    redis = new Redis(REDIS_URL);
  });

  after(async () => {
    await dropKeys(redis, prefix);
    await redis.quit();
  });

  it('moves the latest foot forward only, and reports which samples became the latest', async () => {
    const s = store();
    const fresh = await s.record({ deviceId: 'd1', sessionId: null, now: T0, samples: [foot('left', T0 - 5), foot('left', T0), foot('right', T0 - 1)] });
    assert.deepEqual(fresh.map((x) => [x.side, x.at]), [['left', T0 - 5], ['left', T0], ['right', T0 - 1]]);
    assert.deepEqual(await s.record({ deviceId: 'd1', sessionId: null, now: T0, samples: [foot('left', T0 - 100)] }), []);
    const latest = await s.latest('d1');
    assert.deepEqual(latest.left, foot('left', T0));
    assert.equal(latest.right?.at, T0 - 1);
    assert.deepEqual(await s.latest('nobody'), { left: null, right: null, sessionId: null });
  });

  it('keeps the window to the last windowMs and to windowCap samples, identical samples included', async () => {
    const s = store();
    await s.record({ deviceId: 'd2', sessionId: null, now: T0, samples: [foot('left', T0 - 20_000), foot('left', T0 - 3), foot('left', T0 - 3)] });
    assert.deepEqual((await s.window('d2', T0 - 10_000, T0)).map((x) => x.at), [T0 - 3, T0 - 3]);
    await s.record({ deviceId: 'd2', sessionId: null, now: T0, samples: [foot('right', T0 - 1), foot('right', T0)] });
    assert.deepEqual((await s.window('d2', T0 - 10_000, T0)).map((x) => x.at), [T0 - 3, T0 - 1, T0]);
    assert.deepEqual((await s.window('d2', T0 - 10_000, T0))[2], foot('right', T0));
  });

  it('remembers the device’s session and lists active devices', async () => {
    const s = store();
    await s.record({ deviceId: 'd3', sessionId: 's-1', now: T0, samples: [foot('left', T0)] });
    await s.record({ deviceId: 'd3', sessionId: null, now: T0, samples: [foot('left', T0)] });
    await s.record({ deviceId: 'd4', sessionId: null, now: T0 - 20_000, samples: [foot('left', T0 - 20_000)] });
    assert.equal((await s.latest('d3')).sessionId, 's-1');
    const active = await s.activeDevices(T0 - 10_000);
    assert.ok(active.includes('d3') && !active.includes('d4'));
  });

  it('keeps the latest AI status per session, within its age, and lets one caller claim a tick', async () => {
    const s = store();
    await s.putAiStatus(aiStatus({ sessionId: null, knee: 'bad', at: T0 }));
    await s.putAiStatus(aiStatus({ sessionId: 's-1', knee: 'good', stage: 'ascent', at: T0 }));
    assert.equal((await s.aiStatus(null, T0 - 1))?.knee, 'bad');
    assert.equal((await s.aiStatus('s-1', T0))?.stage, 'ascent');
    assert.equal(await s.aiStatus('s-1', T0 + 1), undefined);
    const other = store();
    assert.deepEqual([await s.claimTick('d', 7), await other.claimTick('d', 7), await other.claimTick('d', 8)], [true, false, true]);
  });
});
