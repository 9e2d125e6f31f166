import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { dropKeys } from '@squirret/testing';
import Redis from 'ioredis';
import { RateLimiter } from './rate-limiter';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The limiter shared through the real Redis: two instances, one budget; a flood is refused from memory. */
describe('RateLimiter on Redis', () => {
  const prefix = `itest:${randomUUID()}:rl`;
  let redis: Redis;

  before(async () => {
    redis = new Redis(REDIS_URL);
    // Until its client is connected a limiter answers from memory (it never waits for Redis).
    await redis.ping();
  });
  after(async () => {
    await dropKeys(redis, prefix);
    await redis.quit();
  });

  const refused = (e: unknown) => e instanceof AppError && e.code === 'RATE_LIMITED' && Number(e.headers['Retry-After']) >= 1;

  it('two instances share one budget per key; other keys keep theirs', async () => {
    const a = new RateLimiter({ name: 'shared', points: 3, durationSec: 60 }, redis, prefix);
    const b = new RateLimiter({ name: 'shared', points: 3, durationSec: 60 }, redis, prefix);
    await a.consume('dev-1');
    await b.consume('dev-1');
    await a.consume('dev-1');
    await assert.rejects(b.consume('dev-1'), refused);
    await b.consume('dev-2');
  });

  it('once a key is over its limit, later requests are refused without going to Redis', async () => {
    const limiter = new RateLimiter({ name: 'flood', points: 3, durationSec: 60 }, redis, prefix);
    for (let i = 0; i < 3; i++) await limiter.consume('dev-flood');
    for (let i = 0; i < 20; i++) await assert.rejects(limiter.consume('dev-flood'), refused);
    // Redis counted the first refused request only: the 19 after it were answered from memory.
    assert.equal(Number(await redis.get(`${prefix}:flood:dev-flood`)), 4);
  });
});
