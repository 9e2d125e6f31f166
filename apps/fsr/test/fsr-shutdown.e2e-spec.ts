import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { http, startProcess } from '@squirret/testing';
import { Client } from 'pg';

/**
 * "Nothing answered 202 is lost on a clean shutdown": the standalone fsr process with a flush
 * interval far longer than the test, so every sample is still in memory when SIGTERM arrives.
 */
describe('fsr process: SIGTERM flushes every accepted sample to PostgreSQL', () => {
  let db: ScratchDatabase;

  before(async () => {
    db = await createScratchDatabase();
  });

  after(async () => {
    await db?.drop();
  });

  it('posts samples, stops with SIGTERM, and finds every one of them in PostgreSQL', async () => {
    const fsr = await startProcess('apps/fsr/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      FSR_FLUSH_INTERVAL_MS: '3600000',
      FSR_FLUSH_MAX_ROWS: '1000000',
      FSR_RATE_LIMIT: '100000',
      BODY_LIMIT_BYTES: String(256 * 1024),
    });
    let accepted = 0;
    const sides = ['left', 'right'] as const;
    await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const r = await http(fsr.baseUrl, 'POST', '/api/fsr_data', { side: sides[i % 2], ratio1: 10, ratio2: 10, ratio3: 10, ratio4: 10, ratio5: 30, ratio6: 30 }, { 'x-device-id': `esp-${i % 3}` });
        if (r.status === 202) accepted++;
      }),
    );
    const now = Date.now() / 1000;
    const batch = await http<{ accepted: number }>(fsr.baseUrl, 'POST', '/api/fsr_data/batch', {
      deviceId: 'esp-offline',
      samples: Array.from({ length: 400 }, (_, i) => ({ side: sides[i % 2], ratio1: 10, ratio2: 10, ratio3: 10, ratio4: 10, ratio5: 30, ratio6: 30, ts: now - 600 + i })),
    });
    assert.equal(batch.status, 202);
    accepted += batch.json.accepted;
    assert.equal(accepted, 550);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const count = async () => Number(((await pg.query('SELECT count(*)::int AS n FROM fsr_samples')).rows[0] as { n: number }).n);
      assert.equal(await count(), 0, 'nothing is flushed before the shutdown');
      const code = await fsr.stop('SIGTERM');
      assert.equal(code, 0, fsr.output().slice(-2000));
      assert.equal(await count(), accepted);
    } finally {
      await pg.end();
    }
  });
});
