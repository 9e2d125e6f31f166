import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { WebSocket } from 'ws';

/** /ws/fsr-data finds dead peers: a subscriber that stops answering pings is closed with 4010. */
describe('FSR stream liveness', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'fsr-live-session-secret-fsr-live-session-xx',
      INFERENCE_TOKEN_SECRET: 'fsr-live-inference-secret-fsr-live-inferenc',
      INFERENCE_POSE_WORKERS: '0',
      FSR_WS_PING_MS: '200',
    });
    await eventually(async () => ((await http(platform.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    assert.equal(await platform.stop('SIGTERM'), 0, platform.output().slice(-1500));
    await db.drop();
  });

  const open = (autoPong: boolean) =>
    new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
      const ws = new WebSocket(`${platform.baseUrl.replace('http://', 'ws://')}/ws/fsr-data`, { autoPong });
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.once('open', () => resolve({ ws, closed }));
      ws.once('error', reject);
    });

  it('closes a subscriber that does not answer pings and keeps one that does', async () => {
    const dead = await open(false);
    const alive = await open(true);
    assert.equal(await dead.closed, 4010);
    // The live one still gets samples.
    const got = new Promise<string>((resolve) => alive.ws.on('message', (d) => d.toString().includes('"sample"') && resolve(d.toString())));
    const r = await http(platform.baseUrl, 'POST', '/api/fsr_data', { side: 'right', ratio1: 10, ratio2: 10, ratio3: 10, ratio4: 10, ratio5: 30, ratio6: 30 });
    assert.equal(r.status, 202);
    assert.match(await got, /"side":"right"/);
    assert.equal(alive.ws.readyState, WebSocket.OPEN);
    alive.ws.close();
  });
});
