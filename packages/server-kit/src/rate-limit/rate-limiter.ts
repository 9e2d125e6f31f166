import { AppError } from '@squirret/contracts';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** A limit: `points` requests per `durationSec` per key. */
export interface RateLimitRule {
  readonly name: string;
  readonly points: number;
  readonly durationSec: number;
}

/**
 * A fixed-window limiter per key (client address, device…). Shared across instances through Redis
 * when a client is given, else kept in memory. Exceeding it throws RATE_LIMITED with Retry-After.
 * Give it a fail-fast client (`RedisConnections.limiter`: no offline queue, short command timeout):
 * while Redis is away each instance limits from memory, and nothing queued during the outage is
 * replayed into one window when Redis returns.
 */
export class RateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(readonly rule: RateLimitRule, redis?: Redis, keyPrefix = 'squirret:rl') {
    const common = { keyPrefix: `${keyPrefix}:${rule.name}`, points: rule.points, duration: rule.durationSec };
    this.limiter = redis
      ? new RateLimiterRedis({
          ...common,
          storeClient: redis,
          insuranceLimiter: new RateLimiterMemory(common),
          // Not connected: straight to the insurance limiter, without even trying the command.
          rejectIfRedisNotReady: true,
          // A key over its limit is refused from memory until its window ends: a flooding client
          // costs no Redis round trip per request (the answers are the same).
          inMemoryBlockOnConsumed: rule.points + 1,
        })
      : new RateLimiterMemory(common);
  }

  async consume(key: string, points = 1): Promise<void> {
    try {
      await this.limiter.consume(key, points);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new AppError('RATE_LIMITED', `too many requests; retry in ${retryAfter} s`, { 'Retry-After': String(retryAfter) });
      }
      throw res;
    }
  }
}
