import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { eventually, http, startPrivatePostgres, startPrivateRedis, startProcess, type PrivatePostgres, type PrivateRedis, type RunningProcess } from '@squirret/testing';

const LIMIT = 100; // per device per second
const EVERY_MS = 20; // 50 requests a second: half the limit

/**
 * FSR ingest at half the device limit while Redis restarts (docs/robustness.md §5), on private servers: the
 * rate limiter answers from its in-memory insurance during the outage and replays nothing into a
 * window afterwards, so a device within its limit never gets 429 (before: 1,089 × 429).
 */
describe('fsr ingest at half the limit during a Redis restart (fault)', () => {
  let redis: PrivateRedis;
  let pg: PrivatePostgres;
  let fsr: RunningProcess;

  before(async () => {
    redis = await startPrivateRedis();
    pg = await startPrivatePostgres();
    await pg.createDatabase('fsr');
    fsr = await startProcess('apps/fsr/dist/src/main.js', {
      PORT: '0',
      LOG_LEVEL: 'error',
      DATABASE_URL: pg.url('fsr'),
      REDIS_URL: redis.url,
      BUS_PREFIX: 'fault-fsr:',
      FSR_RATE_LIMIT: String(LIMIT),
      FSR_RATE_WINDOW_SEC: '1',
    });
  });
  after(async () => {
    await fsr?.stop('SIGTERM');
    await redis?.destroy();
    await pg?.destroy();
  });

  it('no 429 for devices at half their limit before, during and after the outage', async () => {
    const statuses: Record<string, number> = {};
    const inFlight = new Set<Promise<void>>();
    const devices = ['esp-a', 'esp-b'];
    const fire = () => {
      for (const device of devices) {
        const p = http(fsr.baseUrl, 'POST', '/api/fsr_data', { side: 'left', ratio1: 10, ratio2: 10, ratio3: 10, ratio4: 10, ratio5: 30, ratio6: 30 }, { 'x-device-id': device })
          .then((r) => {
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          })
          .catch(() => {
            statuses.error = (statuses.error ?? 0) + 1;
          });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    };
    // Paced by a timer, not by the answers: the rate stays at half the limit even if answers stall.
    const timer = setInterval(fire, EVERY_MS);
    try {
      await eventually(async () => ((statuses[202] ?? 0) > 100 ? true : undefined), 10_000, 'ingest running');
      const atStop = statuses[202] ?? 0;
      await redis.stop();
      await new Promise((r) => setTimeout(r, 2_000)); // the outage (a duration, not an assertion)
      const during = { ...statuses };
      const firedDuringOutage = (2_000 / EVERY_MS) * devices.length;
      const acceptedDuringOutage = (during[202] ?? 0) - atStop;
      await redis.start();
      const ok = statuses[202] ?? 0;
      await eventually(async () => ((statuses[202] ?? 0) > ok + 200 ? true : undefined), 10_000, 'ingest after the restart');
      await new Promise((r) => setTimeout(r, 2_000)); // two more windows after Redis is back
      clearInterval(timer);
      await Promise.all([...inFlight]);
      console.log(`FAULT fsr-redis-restart rate=${1000 / EVERY_MS}/s/device limit=${LIMIT}/s statuses_until_restart=${JSON.stringify(during)} statuses=${JSON.stringify(statuses)} rate_limited=${statuses[429] ?? 0} accepted_during_outage=${acceptedDuringOutage}/${firedDuringOutage}`);
      assert.equal(statuses[429] ?? 0, 0, 'no device within its limit was refused');
      // Ingest does not freeze for the outage: samples go on being taken (the live store falls
      // behind; the rows still go to PostgreSQL) and nothing answers 5xx.
      assert.ok(acceptedDuringOutage >= firedDuringOutage / 2, `only ${acceptedDuringOutage} of ${firedDuringOutage} samples taken during the outage`);
      assert.deepEqual(Object.keys(statuses).filter((k) => k !== '202'), [], `statuses ${JSON.stringify(statuses)}`);
    } finally {
      clearInterval(timer);
    }
  });
});
