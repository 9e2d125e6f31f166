import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { T0, aiStatus, fixedClock, foot, liveSettings } from '../../test/factories/fsr.factory';
import { MemoryLiveStore, TimeWindow } from './memory-live-store';

describe('MemoryLiveStore', () => {
  it('moves the latest foot forward only, and reports which samples became the latest', async () => {
    const clock = fixedClock();
    const store = new MemoryLiveStore(liveSettings(), clock.now);
    const fresh = await store.record({ deviceId: 'd', sessionId: null, now: T0, samples: [foot('left', T0 - 5), foot('left', T0), foot('right', T0 - 1)] });
    assert.deepEqual(fresh.map((s) => [s.side, s.at]), [['left', T0 - 5], ['left', T0], ['right', T0 - 1]]);
    const older = await store.record({ deviceId: 'd', sessionId: null, now: T0, samples: [foot('left', T0 - 100)] });
    assert.deepEqual(older, []);
    const latest = await store.latest('d');
    assert.deepEqual([latest.left?.at, latest.right?.at], [T0, T0 - 1]);
    assert.deepEqual(await store.latest('other'), { left: null, right: null, sessionId: null });
  });

  it('keeps the window to the last windowMs and to windowCap samples', async () => {
    const clock = fixedClock();
    const store = new MemoryLiveStore(liveSettings({ windowMs: 10_000, windowCap: 3 }), clock.now);
    await store.record({ deviceId: 'd', sessionId: null, now: T0, samples: [foot('left', T0 - 20_000), foot('left', T0 - 3), foot('left', T0 - 2)] });
    assert.deepEqual((await store.window('d', T0 - 10_000, T0)).map((s) => s.at), [T0 - 3, T0 - 2]);
    await store.record({ deviceId: 'd', sessionId: null, now: T0, samples: [foot('right', T0 - 1), foot('right', T0)] });
    assert.deepEqual((await store.window('d', T0 - 10_000, T0)).map((s) => s.at), [T0 - 2, T0 - 1, T0]);
  });

  it('remembers the session a device named, and forgets the device after latestTtlMs', async () => {
    const clock = fixedClock();
    const store = new MemoryLiveStore(liveSettings({ latestTtlMs: 60_000 }), clock.now);
    await store.record({ deviceId: 'd', sessionId: 's-1', now: T0, samples: [foot('left', T0)] });
    await store.record({ deviceId: 'd', sessionId: null, now: T0, samples: [foot('left', T0)] });
    assert.equal((await store.latest('d')).sessionId, 's-1');
    clock.advance(60_000);
    assert.equal((await store.latest('d')).left, null);
  });

  it('lists the devices seen since a time', async () => {
    const clock = fixedClock();
    const store = new MemoryLiveStore(liveSettings(), clock.now);
    await store.record({ deviceId: 'a', sessionId: null, now: T0 - 20_000, samples: [foot('left', T0 - 20_000)] });
    await store.record({ deviceId: 'b', sessionId: null, now: T0, samples: [foot('left', T0)] });
    assert.deepEqual(await store.activeDevices(T0 - 10_000), ['b']);
  });

  it('keeps the latest AI status per session, within its age', async () => {
    const store = new MemoryLiveStore(liveSettings(), fixedClock().now);
    await store.putAiStatus(aiStatus({ sessionId: null, knee: 'bad', at: T0 }));
    await store.putAiStatus(aiStatus({ sessionId: 's-1', knee: 'good', at: T0 }));
    assert.equal((await store.aiStatus(null, T0 - 1))?.knee, 'bad');
    assert.equal((await store.aiStatus('s-1', T0))?.knee, 'good');
    assert.equal(await store.aiStatus('s-1', T0 + 1), undefined);
    assert.equal(await store.aiStatus('s-2', 0), undefined);
  });

  it('lets one caller claim a device tick', async () => {
    const store = new MemoryLiveStore(liveSettings(), fixedClock().now);
    assert.deepEqual([await store.claimTick('d', 7), await store.claimTick('d', 7), await store.claimTick('d', 8)], [true, false, true]);
  });
});

describe('TimeWindow', () => {
  it('keeps time order, drops the oldest by time and by cap, and reads the same after compaction', () => {
    const w = new TimeWindow();
    const ref: number[] = [];
    for (let t = 0; t < 1_000; t++) {
      const at = t % 7 === 3 ? t - 2 : t;
      w.insert(foot('left', at));
      ref.push(at);
      ref.sort((a, b) => a - b);
      const from = t - 50;
      w.trim(from, 40);
      let drop = 0;
      while (drop < ref.length && ref[drop]! < from) drop++;
      ref.splice(0, Math.max(drop, ref.length - 40));
      assert.equal(w.length, ref.length);
    }
    assert.deepEqual(w.between(-Infinity, Infinity).map((s) => s.at), ref);
    assert.deepEqual(w.between(980, 990).map((s) => s.at), ref.filter((a) => a >= 980 && a <= 990));
    w.trim(Infinity, 40);
    assert.equal(w.length, 0);
  });
});
