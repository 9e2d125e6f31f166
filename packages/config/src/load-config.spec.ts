import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, describeConfig, env, loadConfig } from './load-config';

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
});
