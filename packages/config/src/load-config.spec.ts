import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, baseConfigShape, describeConfig, env, loadConfig } from './load-config';

const schema = z.object({
  PORT: env.port(8080),
  JWT_SECRET: env.secret(),
  DEBUG: env.bool(false),
  ORIGINS: env.list(['http://a']),
});

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    const c = loadConfig(schema, { JWT_SECRET: 'x'.repeat(32), DEBUG: 'yes', PORT: '' });
    assert.deepEqual(c, { PORT: 8080, JWT_SECRET: 'x'.repeat(32), DEBUG: true, ORIGINS: ['http://a'] });
  });

  it('lists every problem at once', () => {
    assert.throws(
      () => loadConfig(schema, { PORT: '70000', JWT_SECRET: 'short', DEBUG: 'maybe' }),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 3 && /PORT/.test(e.message) && /JWT_SECRET/.test(e.message),
    );
  });

  it('masks secrets when described', () => {
    const d = describeConfig({ PORT: 1, JWT_SECRET: 'abc', DATABASE_URL: 'postgres://u:p@h/db' });
    assert.deepEqual(d, { PORT: 1, JWT_SECRET: '***', DATABASE_URL: '***' });
  });

  it('accepts a renamed key by its old name for a release, with one deprecation warning naming the new one', () => {
    const renamed = { CAPACITY: 'INFERENCE_CAPACITY' };
    const s2 = z.object({ INFERENCE_CAPACITY: env.int(8, 1) });
    const warnings: Array<{ message: string; fields: Record<string, string> }> = [];
    const warn = (message: string, fields: Record<string, string>) => void warnings.push({ message, fields });
    assert.deepEqual(loadConfig(s2, { CAPACITY: '3' }, { renamed, warn }), { INFERENCE_CAPACITY: 3 });
    assert.equal(warnings.length, 1);
    assert.deepEqual(warnings[0]!.fields, { key: 'CAPACITY', use: 'INFERENCE_CAPACITY' });
    assert.match(warnings[0]!.message, /CAPACITY is deprecated.*INFERENCE_CAPACITY/);
    // The new name wins when both are set, and the old one is reported as ignored.
    assert.deepEqual(loadConfig(s2, { CAPACITY: '3', INFERENCE_CAPACITY: '5' }, { renamed, warn }), { INFERENCE_CAPACITY: 5 });
    assert.match(warnings[1]!.message, /ignored/);
    // No old name, no warning; an invalid old value is reported under the new name.
    assert.deepEqual(loadConfig(s2, { INFERENCE_CAPACITY: '5' }, { renamed, warn }), { INFERENCE_CAPACITY: 5 });
    assert.equal(warnings.length, 2);
    assert.throws(() => loadConfig(s2, { CAPACITY: '0' }, { renamed, warn }), (e: unknown) => e instanceof ConfigError && /INFERENCE_CAPACITY/.test(e.message));
  });

  it('declares the shared keys once, with per-service defaults', () => {
    const a = loadConfig(z.object(baseConfigShape({ port: 8081 })), {});
    const b = loadConfig(z.object(baseConfigShape({ port: 8082, wsMaxBufferedBytes: 1 << 20 })), { TRUST_PROXY: 'true', REDIS_URL: 'redis://h:1' });
    assert.deepEqual(a, { HOST: '127.0.0.1', PORT: 8081, LOG_LEVEL: 'info', BUS_PREFIX: 'squirret:', BODY_LIMIT_BYTES: 16384, TRUST_PROXY: false, WS_MAX_BUFFERED_BYTES: 262144 });
    assert.equal(b.PORT, 8082);
    assert.equal(b.WS_MAX_BUFFERED_BYTES, 1 << 20);
    assert.equal(b.TRUST_PROXY, true);
    assert.throws(() => loadConfig(z.object(baseConfigShape({ port: 1 })), { REDIS_URL: 'http://x' }), /REDIS_URL/);
  });
});
