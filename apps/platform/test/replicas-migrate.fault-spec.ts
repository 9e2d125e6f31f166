import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createDataSource } from '@squirret/database';
import { http, startPrivatePostgres, startProcess, type PrivatePostgres, type RunningProcess } from '@squirret/testing';

const APPS = ['control-plane', 'fsr', 'chat'] as const;
const REPLICAS = 2;

/**
 * Two instances of every app with a database (inference has none) started at the same moment on
 * an empty private database (docs/robustness.md §6): migrations run under each app's advisory lock, so all
 * come up (before: one exited 1 with `relation "chat_migrations" already exists`).
 */
describe('replicas started at once all migrate and come up (fault)', () => {
  let pg: PrivatePostgres;
  const procs: RunningProcess[] = [];

  before(async () => {
    pg = await startPrivatePostgres();
    await pg.createDatabase('replicas');
  });
  after(async () => {
    for (const p of procs) await p.stop('SIGTERM');
    await pg?.destroy();
  });

  it(`${REPLICAS} instances of ${APPS.join(', ')} at once on an empty database`, async () => {
    const env = {
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pg.url('replicas'),
      SESSION_TOKEN_SECRET: 'replicas-session-secret-replicas-session-secret',
      INFERENCE_TOKEN_SECRET: 'replicas-inference-secret-replicas-inference-x',
      SPRING_JWT_SECRET: 'replicas-spring-secret-replicas-spring-secret-x',
      CHAT_MEDIATOR_ENABLED: 'false',
    };
    const started = await Promise.allSettled(APPS.flatMap((app) => Array.from({ length: REPLICAS }, () => startProcess(`apps/${app}/dist/src/main.js`, env, 90_000))));
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failures = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason).slice(0, 1500));
    assert.deepEqual(failures, [], 'every instance came up');
    for (const p of procs) assert.equal((await http(p.baseUrl, 'GET', '/health/ready')).status, 200);
    // Each app's migrations were applied exactly once.
    const ds = await createDataSource({ url: pg.url('replicas'), entities: [], migrations: [], migrationsTableName: 'unused_migrations', poolSize: 1 }).initialize();
    try {
      const counts: Record<string, number> = {};
      for (const table of ['cp_migrations', 'fsr_migrations', 'chat_migrations']) {
        const [row] = (await ds.query(`SELECT count(*) AS n, count(DISTINCT name) AS d FROM ${table}`)) as { n: string; d: string }[];
        assert.equal(row!.n, row!.d, `${table}: no migration applied twice`);
        counts[table] = Number(row!.n);
        assert.ok(counts[table]! > 0, table);
      }
      console.log(`FAULT replicas-migrate instances=${procs.length} up=${procs.length} failed=${failures.length} migrations=${JSON.stringify(counts)}`);
    } finally {
      await ds.destroy();
    }
  });
});
