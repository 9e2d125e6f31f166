import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DependencyHealth } from './dependency-health';
import { HealthRegistry } from './health';

describe('DependencyHealth', () => {
  it('registers <service>.database and <service>.bus, and reports the one that fails', async () => {
    const health = new HealthRegistry();
    let busUp = true;
    new DependencyHealth(health, 'svc', { database: { query: async () => [{ '?column?': 1 }] }, bus: { ping: async () => { if (!busUp) throw new Error('bus away'); } } });
    assert.deepEqual(await health.run(), { ok: true, checks: { 'svc.database': 'up', 'svc.bus': 'up' } });
    busUp = false;
    assert.deepEqual(await health.run(), { ok: false, checks: { 'svc.database': 'up', 'svc.bus': 'down: bus away' } });
  });

  it('its provider injects only the tokens it is given', () => {
    const p = DependencyHealth.provider('inference', { bus: 'BUS' });
    assert.deepEqual(p.inject, [HealthRegistry, 'BUS']);
    const health = new HealthRegistry();
    p.useFactory(health, { ping: async () => undefined });
    return health.run().then((r) => assert.deepEqual(r.checks, { 'inference.bus': 'up' }));
  });
});
