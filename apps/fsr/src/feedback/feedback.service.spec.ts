import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InMemoryBus } from '@squirret/bus';
import type { FsrFeedbackEvent } from '@squirret/contracts';
import { MetricsService } from '@squirret/server-kit';
import { FakeSink, T0, aiStatus, bothFeet, fixedClock, liveSettings, ratiosFor, testConfig } from '../../test/factories/fsr.factory';
import { FsrMetrics } from '../fsr.metrics';
import { MemoryLiveStore } from '../live/memory-live-store';
import { SampleWriter } from '../samples/sample-writer';
import { FeedbackPublisher } from './feedback.publisher';
import { FeedbackService } from './feedback.service';
import { FSR_MESSAGES } from './messages';

const SESSION = 'a9433005-6d0d-4981-b7b9-6df0ec0366e8';

function setup() {
  const clock = fixedClock();
  const config = testConfig();
  const store = new MemoryLiveStore(liveSettings(), clock.now);
  const service = new FeedbackService(store, clock, config);
  const bus = new InMemoryBus();
  const metrics = new FsrMetrics(new MetricsService(), new SampleWriter(new FakeSink(), { flushIntervalMs: 1_000, flushMaxRows: 10, bufferMaxRows: 10 }));
  const publisher = new FeedbackPublisher(service, metrics, store, bus, clock, config);
  const events: FsrFeedbackEvent[] = [];
  void bus.subscribe('fsr.feedback', (e) => void events.push(e));
  return { clock, store, service, publisher, events };
}

const leaningForward = ratiosFor({ front: 48, rear: 45 });

describe('FeedbackService', () => {
  it('uses the AI stage of the device’s session over the pressure trend', async () => {
    const { store, service } = setup();
    await store.record({ deviceId: 'esp-1', sessionId: SESSION, now: T0, samples: bothFeet(T0, leaningForward) });
    assert.deepEqual(await service.feedback({ deviceId: 'esp-1' }), {
      stage: 'UNKNOWN',
      status: 'GOOD',
      feedback: FSR_MESSAGES.GOOD,
      metrics: { front: 48, rear: 45, inner: 50, outer: 50, heel: 45, innerOuterDiff: 0, leftRightDiff: 0 },
    });
    await store.putAiStatus(aiStatus({ sessionId: SESSION, stage: 'descent', at: T0 - 1_000 }));
    const r = await service.feedback({ deviceId: 'esp-1' });
    assert.deepEqual([r.stage, r.status, r.feedback], ['DESCENT', 'BAD', FSR_MESSAGES.FRONT_HEAVY]);
    // Another session's AI status does not count for this device.
    assert.equal((await service.feedback({ deviceId: 'esp-1', sessionId: '00000000-0000-4000-8000-000000000000' })).stage, 'UNKNOWN');
  });

  it('combines with the AI status posted without a session when the device has none', async () => {
    const { store, service } = setup();
    await store.putAiStatus(aiStatus({ knee: 'bad', lumbar: 'good', ankle: 'null' }));
    const aiOnly = await service.combined({ deviceId: 'default' });
    assert.deepEqual([aiOnly.ai.status, aiOnly.fsr.status, aiOnly.overallMessages.length], ['BAD', 'NO_DATA', 1]);
  });

  it('does not use an AI status older than FSR_AI_STATUS_MAX_AGE_SEC', async () => {
    const { store, service, clock } = setup();
    await store.putAiStatus(aiStatus({ knee: 'bad', at: T0 }));
    clock.advance(60_001);
    assert.equal((await service.combined({ deviceId: 'default' })).ai.status, 'NO_DATA');
  });
});

describe('FeedbackPublisher', () => {
  it('publishes fsr.feedback once per tick for each device active in the window', async () => {
    const { store, publisher, events } = setup();
    await store.record({ deviceId: 'esp-1', sessionId: SESSION, now: T0, samples: bothFeet(T0, leaningForward) });
    await store.record({ deviceId: 'idle', sessionId: null, now: T0 - 11_000, samples: bothFeet(T0 - 11_000, leaningForward) });
    assert.equal(await publisher.tick(T0), 1);
    assert.equal(await publisher.tick(T0 + 1), 0, 'the same tick is not published twice');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events.map((e) => [e.deviceId, e.sessionId, e.status, e.metrics?.front]), [['esp-1', SESSION, 'GOOD', 48]]);
  });
});
