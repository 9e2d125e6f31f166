import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter (memory)', () => {
  it('allows the configured points per key, then answers RATE_LIMITED with Retry-After', async () => {
    const rl = new RateLimiter({ name: 't', points: 2, durationSec: 60 });
    await rl.consume('1.2.3.4');
    await rl.consume('1.2.3.4');
    await rl.consume('5.6.7.8');
    await assert.rejects(
      rl.consume('1.2.3.4'),
      (e: unknown) => e instanceof AppError && e.code === 'RATE_LIMITED' && Number(e.headers['Retry-After']) >= 1 && Number(e.headers['Retry-After']) <= 60,
    );
  });
});
