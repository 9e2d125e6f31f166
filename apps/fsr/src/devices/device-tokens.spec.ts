import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { DeviceTokens } from './device-tokens';

const SECRET = 'unit-device-secret-unit-device-secret-xx';
const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;

describe('DeviceTokens', () => {
  it('lets everything in when no secret is configured, and refuses to issue', () => {
    const t = new DeviceTokens({ secret: undefined, ttlSec: 60 });
    assert.equal(t.required, false);
    t.authorize(undefined, 'esp-1');
    assert.throws(() => t.issue('esp-1', 0), code('DEVICE_TOKENS_DISABLED'));
  });

  it('accepts the token of the device, as a Bearer header', () => {
    const t = new DeviceTokens({ secret: SECRET, ttlSec: 60 }, () => 1_000);
    const { token, expiresAt } = t.issue('esp-1', 0);
    assert.equal(expiresAt, new Date(1_060_000).toISOString());
    t.authorize(`Bearer ${token}`, 'esp-1');
    t.authorize(`bearer ${token}`, 'esp-1');
  });

  it('answers 401 without a token, with a bad or expired one; 403 with another device’s', () => {
    let now = 1_000;
    const t = new DeviceTokens({ secret: SECRET, ttlSec: 60, clockToleranceSec: 0 }, () => now);
    const { token } = t.issue('esp-1', 0);
    assert.throws(() => t.authorize(undefined, 'esp-1'), code('UNAUTHORIZED'));
    assert.throws(() => t.authorize(token, 'esp-1'), code('UNAUTHORIZED'));
    assert.throws(() => t.authorize(`Bearer ${token}x`, 'esp-1'), code('UNAUTHORIZED'));
    const other = new DeviceTokens({ secret: `${SECRET}-other`, ttlSec: 60 }, () => now).issue('esp-1', 0).token;
    assert.throws(() => t.authorize(`Bearer ${other}`, 'esp-1'), code('UNAUTHORIZED'));
    assert.throws(() => t.authorize(`Bearer ${token}`, 'esp-2'), code('FORBIDDEN'));
    now += 60;
    assert.throws(() => t.authorize(`Bearer ${token}`, 'esp-1'), code('UNAUTHORIZED'));
  });

  it('refuses a token whose generation is behind its device (revoked), keeps other devices working', () => {
    const generations = new Map<string, number>();
    const t = new DeviceTokens({ secret: SECRET, ttlSec: 60 }, () => 1_000, (id) => generations.get(id) ?? 0);
    const before = t.issue('esp-1', 0).token;
    const other = t.issue('esp-2', 0).token;
    t.authorize(`Bearer ${before}`, 'esp-1');
    generations.set('esp-1', 1);
    assert.throws(() => t.authorize(`Bearer ${before}`, 'esp-1'), (e: unknown) => code('UNAUTHORIZED')(e) && /revoked/.test((e as Error).message));
    t.authorize(`Bearer ${other}`, 'esp-2');
    const after = t.issue('esp-1', 1).token;
    t.authorize(`Bearer ${after}`, 'esp-1');
    generations.set('esp-1', 2);
    assert.throws(() => t.authorize(`Bearer ${after}`, 'esp-1'), code('UNAUTHORIZED'));
  });
});
