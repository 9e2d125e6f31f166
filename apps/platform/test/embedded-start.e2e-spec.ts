import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually, http, startProcess } from '@squirret/testing';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/**
 * `npm start` with nothing configured: embedded PostgreSQL, in-memory bus, generated dev secrets.
 * Data survives a restart; SIGINT stops the process and the embedded database with it.
 */
describe('all-in-one start with no DATABASE_URL or REDIS_URL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'squirret-e2e-data-'));
  chmodSync(dataDir, 0o755);
  const pgPort = 20000 + Math.floor(Math.random() * 20000);
  const env = { PORT: '0', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), INFERENCE_HEARTBEAT_MS: '200', INFERENCE_POSE_WORKERS: '1' };

  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts, keeps a session across a restart, and stops cleanly on SIGINT', async () => {
    const first = await startProcess('apps/platform/dist/src/main.js', env, 120_000);
    let sessionId: string;
    try {
      await eventually(async () => ((await http(first.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 20_000, 'readiness');
      assert.match(first.output(), /embedded PostgreSQL on 127\.0\.0\.1:\d+/);
      assert.match(first.output(), /in-memory bus, in-process jobs/);
      const created = await http<{ sessionId: string }>(first.baseUrl, 'POST', '/api/session', { userId: 'restart-user' });
      assert.equal(created.status, 200);
      sessionId = created.json.sessionId;
    } finally {
      assert.equal(await first.stop('SIGINT'), 0, first.output().slice(-2000));
    }
    assert.equal(await portOpen(pgPort), false, 'the embedded PostgreSQL is still listening after Ctrl-C');

    const second = await startProcess('apps/platform/dist/src/main.js', env, 120_000);
    try {
      await eventually(async () => ((await http(second.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 20_000, 'readiness');
      // The session made before the restart is still known (and its token secret too).
      const refreshed = await http<{ sessionId: string }>(second.baseUrl, 'POST', `/api/session/${sessionId}/refresh`);
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(refreshed.json.sessionId, sessionId);
    } finally {
      assert.equal(await second.stop('SIGINT'), 0, second.output().slice(-2000));
    }
  });
});
