import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { RedisBus, droppedBusPublishes, MAX_PENDING_PUBLISHES } from '@squirret/bus';
import { AppError, type BusPayload } from '@squirret/contracts';
import { eventually, startPrivateRedis, type PrivateRedis } from '@squirret/testing';
import { RateLimiter } from './rate-limiter';

const quiet = { warn: () => undefined };
const status = (at: number): BusPayload<'ai.status'> => ({ sessionId: 's-fault', lumbar: 'good', knee: 'good', ankle: 'null', source: 'internal-api', at });
const dropsOf = (topic: string) => droppedBusPublishes().get(topic) ?? 0;

/**
 * A Redis restart seen by the bus and the rate limiters (docs/robustness.md §5), on a private Redis: while it
 * is away publishes are dropped and counted (never queued without bound), limiters answer from
 * memory at once, and afterwards subscriptions resume by themselves and nothing stale is replayed.
 */
describe('Redis restart: bus and rate limiter degrade, then resume (fault)', () => {
  let redis: PrivateRedis;
  let bus: RedisBus;

  before(async () => {
    redis = await startPrivateRedis();
    bus = new RedisBus({ url: redis.url, prefix: 'fault:', logger: quiet });
    await bus.ping();
  });
  after(async () => {
    await bus?.close();
    await redis?.destroy();
  });

  it('publishes while Redis is down are dropped and counted; the subscription resumes after it returns', async () => {
    const got: number[] = [];
    await bus.subscribe('ai.status', (p) => {
      got.push(p.at);
    });
    await bus.publish('ai.status', status(1));
    await eventually(async () => (got.includes(1) ? true : undefined), 3_000, 'first event');

    await redis.stop();
    const before = dropsOf('ai.status');
    // Far more than the bound: every one settles (resolves) while Redis is still down.
    const outage = Array.from({ length: 3 * MAX_PENDING_PUBLISHES }, (_, i) => bus.publish('ai.status', status(1_000 + i)));
    await Promise.all(outage);
    const dropped = dropsOf('ai.status') - before;
    assert.equal(dropped, outage.length, 'every publish of the outage was dropped and counted');

    const restartedAt = Date.now();
    await redis.start();
    // Subscriptions come back by themselves: a new event reaches the old handler.
    let n = 10_000;
    await eventually(
      async () => {
        await bus.publish('ai.status', status(++n));
        return got.some((at) => at > 10_000) ? true : undefined;
      },
      5_000,
      'events after the restart',
    );
    const recoveryMs = Date.now() - restartedAt;
    assert.equal(got.filter((at) => at >= 1_000 && at < 10_000).length, 0, 'nothing of the outage replayed');
    console.log(`FAULT bus-redis-restart published_during_outage=${outage.length} dropped=${dropped} replayed=0 recovery_ms=${recoveryMs}`);
  });

  it('a limiter on the fail-fast client answers from memory while Redis is down, and replays nothing when it returns', async () => {
    const points = 40;
    const limiter = new RateLimiter({ name: 'outage', points, durationSec: 60 }, bus.connections.limiter, 'fault:rl');
    await eventually(async () => (bus.connections.limiter.status === 'ready' ? true : undefined), 3_000, 'limiter client ready');
    for (let i = 0; i < points / 2; i++) await limiter.consume('dev-half');

    await redis.stop();
    // Half the limit again during the outage, from memory: no refusal, no waiting on Redis.
    let refusedDuring = 0;
    for (let i = 0; i < points / 2; i++) {
      await limiter.consume('dev-outage').catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'RATE_LIMITED') refusedDuring++;
        else throw e;
      });
    }
    // The in-memory insurance still limits.
    const over = await Promise.allSettled(Array.from({ length: points + 1 }, () => limiter.consume('dev-flood')));
    assert.ok(over.some((r) => r.status === 'rejected'), 'the insurance limiter refuses a flood');

    await redis.start();
    await eventually(async () => (bus.connections.limiter.status === 'ready' ? true : undefined), 5_000, 'limiter client back');
    let refusedAfter = 0;
    for (let i = 0; i < points / 2; i++) {
      await limiter.consume('dev-half').catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'RATE_LIMITED') refusedAfter++;
        else throw e;
      });
    }
    assert.equal(refusedDuring, 0);
    assert.equal(refusedAfter, 0, 'nothing queued during the outage was replayed into the window');
    console.log(`FAULT limiter-redis-restart consumed_during=${points / 2} refused_during=${refusedDuring} refused_after=${refusedAfter}`);
  });
});
