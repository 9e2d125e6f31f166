import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { eventually, http, startPrivatePostgres, startProcess, type PrivatePostgres, type RunningProcess } from '@squirret/testing';

const CLIENTS = 4;

/**
 * The control plane while its PostgreSQL restarts (docs/robustness.md §2/§5), on a private server: every
 * refusal is 503 DEPENDENCY_UNAVAILABLE with Retry-After in the contract's body, never a 500 (before:
 * 268 × 500), and requests succeed again within 2 s of PostgreSQL's return.
 */
describe('control plane during a PostgreSQL restart (fault)', () => {
  let pg: PrivatePostgres;
  let cp: RunningProcess;

  before(async () => {
    pg = await startPrivatePostgres();
    await pg.createDatabase('cp');
    cp = await startProcess('apps/control-plane/dist/src/main.js', {
      PORT: '0',
      LOG_LEVEL: 'error',
      DATABASE_URL: pg.url('cp'),
      SESSION_TOKEN_SECRET: 'pg-restart-session-secret-pg-restart-session-x',
      INFERENCE_TOKEN_SECRET: 'pg-restart-inference-secret-pg-restart-infer-x',
      CONTROL_PLANE_SESSION_RATE_LIMIT: '1000000',
    });
  });
  after(async () => {
    const code = await cp?.stop('SIGTERM');
    await pg?.destroy();
    assert.equal(code, 0, cp?.output().slice(-2000));
  });

  it('answers only 200 or 503 DEPENDENCY_UNAVAILABLE with Retry-After, then recovers', async () => {
    const statuses = new Map<string, number>();
    const bad: string[] = [];
    let running = true;
    const load = async () => {
      while (running) {
        const r = await http<{ code?: string }>(cp.baseUrl, 'POST', '/internal/session');
        const key = r.status === 200 ? '200' : `${r.status} ${r.json?.code}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (r.status !== 200 && !(r.status === 503 && r.json?.code === 'DEPENDENCY_UNAVAILABLE' && r.headers.get('retry-after') === '1')) {
          bad.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 20));
      }
    };
    const workers = Array.from({ length: CLIENTS }, () => load());
    try {
      await eventually(async () => ((statuses.get('200') ?? 0) > 20 ? true : undefined), 10_000, 'load running');
      await pg.stop('fast');
      await eventually(async () => ((statuses.get('503 DEPENDENCY_UNAVAILABLE') ?? 0) > 10 ? true : undefined), 10_000, 'refusals while down');
      const okBefore = statuses.get('200') ?? 0;
      await pg.start();
      const back = Date.now();
      // Recovery: a fresh success within 2 s of PostgreSQL accepting connections again.
      await eventually(async () => ((statuses.get('200') ?? 0) > okBefore + 10 ? true : undefined), 2_000, 'requests succeeding after the restart');
      const recoveryMs = Date.now() - back;
      running = false;
      await Promise.all(workers);
      console.log(`FAULT cp-pg-restart statuses=${JSON.stringify(Object.fromEntries(statuses))} bad=${bad.length} recovery_ms=${recoveryMs}`);
      assert.deepEqual(bad, [], 'no answer other than 200 or 503 DEPENDENCY_UNAVAILABLE');
      assert.equal([...statuses.keys()].some((k) => k.startsWith('500')), false);
    } finally {
      running = false;
      await Promise.all(workers);
    }
  });
});
