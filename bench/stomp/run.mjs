// bench/stomp: N concurrent STOMP sessions receiving DATA every second from the real chat service
// (all-in-one process) next to a minimal `ws` server pushing the same JSON at the same rate, in
// the same run. Prints p50/p99 push lag (receive time - tick start), server CPU and memory per
// session, and the ratios.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { WebSocket } from 'ws';
import { startPlatform, startService } from '../lib/service.mjs';
import { round } from '../lib/load.mjs';
import { cpuSeconds, percentile, rssBytes } from '../lib/proc.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/platform/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const MEASURE_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);


/** Opens `n` clients with `open(i)`, waits until all are ready, then measures for MEASURE_MS. */
async function measure(name, pid, n, open) {
  const rss0 = rssBytes(pid);
  const clients = [];
  for (let i = 0; i < n; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => open(i + k)))));
  }
  await new Promise((r) => setTimeout(r, 1500));
  const lags = [];
  let received = 0;
  for (const c of clients) c.onData = (lag) => (lags.push(lag), received++);
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = (cpuSeconds(pid) - cpu0) / elapsed;
  const rss1 = rssBytes(pid);
  for (const c of clients) c.ws.terminate();
  lags.sort((a, b) => a - b);
  return {
    name,
    sessions: n,
    pushesPerSec: round(received / elapsed),
    expectedPerSec: n,
    lagP50ms: round(percentile(lags, 50)),
    lagP99ms: round(percentile(lags, 99)),
    cpuPercent: round(cpu * 100),
    rssPerSessionKiB: round((rss1 - rss0) / n / 1024),
  };
}

const { db, platform } = await startPlatform(createScratchDatabase, {
  CONTROL_PLANE_SESSION_RATE_LIMIT: '100000000',
  INFERENCE_POSE_WORKERS: '0',
  CHAT_DATA_PUSH_MS: '1000',
});
const wsBase = platform.url.replace('http://', 'ws://');
const tokens = [];
for (let i = 0; i < SESSIONS; i++) {
  const r = await fetch(`${platform.url}/internal/session`, { method: 'POST' });
  tokens.push((await r.json()).wsToken);
}

const stomp = await measure('stomp (chat service)', platform.child.pid, SESSIONS, (i) =>
  new Promise((resolveClient, reject) => {
    const ws = new WebSocket(`${wsBase}/ws?token=${tokens[i]}`);
    const client = { ws, onData: () => undefined };
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('CONNECTED')) {
        ws.send('SUBSCRIBE\ndestination:/user/queue/session\nack:auto\nid:/user/queue/session\n\n\0');
        resolveClient(client);
      } else if (text.startsWith('MESSAGE')) {
        const m = /\ntimestamp:(\d+)\n/.exec(text);
        if (m) client.onData(Date.now() - Number(m[1]));
      }
    });
    ws.on('open', () => ws.send('CONNECT\naccept-version:1.1,1.2\n\n\0'));
    ws.on('error', reject);
  }),
);
platform.child.kill('SIGTERM');

const raw = await startService('bench/stomp/raw-ws-baseline.mjs', { PUSH_MS: '1000' });
const baseline = await measure('minimal ws server', raw.child.pid, SESSIONS, () =>
  new Promise((resolveClient, reject) => {
    const ws = new WebSocket(raw.url.replace('http://', 'ws://'));
    const client = { ws, onData: () => undefined };
    ws.on('message', (data) => client.onData(Date.now() - JSON.parse(data.toString()).timestamp));
    ws.on('open', () => resolveClient(client));
    ws.on('error', reject);
  }),
);
raw.child.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 1000));
await db.drop();

for (const r of [stomp, baseline]) {
  console.log(`${r.name}: ${r.sessions} sessions, ${r.pushesPerSec} pushes/s (expected ${r.expectedPerSec}), lag p50 ${r.lagP50ms} ms p99 ${r.lagP99ms} ms, CPU ${r.cpuPercent}%, RSS ${r.rssPerSessionKiB} KiB/session`);
}
const ratios = {
  pushRate: round(stomp.pushesPerSec / baseline.pushesPerSec, 3),
  lagP99: round(stomp.lagP99ms / baseline.lagP99ms, 2),
  cpu: round(stomp.cpuPercent / Math.max(baseline.cpuPercent, 0.01), 2),
};
console.log(`ratios (stomp / minimal ws): push rate ${ratios.pushRate}, p99 lag ${ratios.lagP99}x, CPU ${ratios.cpu}x`);
console.log(JSON.stringify({ stomp, baseline, ratios }));
