// bench/fsr, in one run:
//  1. POST /api/fsr_data throughput and p99 on the real FSR service (the all-in-one process, real
//     PostgreSQL on 127.0.0.1 for the batched writer) next to a raw node:http server that parses
//     the body and answers 202, each measured alone on the same machine.
//  2. 100 simulated ESP32s at 20 Hz (2,000 samples/s, open loop) with 50 /ws/fsr-data subscribers
//     (subscriber i follows device i): p99 from the start of the POST to the sample's delivery.
// BENCH_REDIS=1 runs the service with REDIS_URL (Redis bus and live store) instead of in memory.
import http from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { load, round } from '../lib/load.mjs';
import { cpuSeconds, percentile } from '../lib/proc.mjs';
import { startPlatform, startService } from '../lib/service.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/platform/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const { WebSocket } = require('ws');
const DURATION = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 100);
const HZ = Number(process.env.BENCH_HZ ?? 20);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 50);
const STREAM_MS = Number(process.env.BENCH_STREAM_MS ?? 10_000);
const REDIS = process.env.BENCH_REDIS === '1' ? (process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;


// Server CPU per request: unlike requests per second, it does not depend on how busy the rest of
// the machine is.
async function measured(pid, run) {
  const c0 = cpuSeconds(pid);
  const r = await run();
  return { ...r, cpuUsPerRequest: ((cpuSeconds(pid) - c0) * 1e6) / Math.max(1, r.requests) };
}

// BENCH_FSR_JOURNAL=dir|off: the FSR sample journal in that directory (off: none, the default with a DATABASE_URL);
// BENCH_FSR_JOURNAL_SYNC=fdatasync|write.
const JOURNAL = process.env.BENCH_FSR_JOURNAL;
const { db, platform } = await startPlatform(createScratchDatabase, {
  FSR_RATE_LIMIT: '100000000',
  ...(JOURNAL ? { FSR_JOURNAL_DIR: JOURNAL } : {}),
  ...(process.env.BENCH_FSR_JOURNAL_SYNC ? { FSR_JOURNAL_SYNC: process.env.BENCH_FSR_JOURNAL_SYNC } : {}),
  ...(REDIS ? { REDIS_URL: REDIS, BUS_PREFIX: `bench:${process.pid}:` } : {}),
});
const raw = await startService('bench/fsr/raw-baseline.mjs', {});
await new Promise((r) => setTimeout(r, 500));

// ---- 1. ingest throughput next to the raw baseline ------------------------------------------
const body = { side: 'left', ratio1: 12.3, ratio2: 8.4, ratio3: 5.1, ratio4: 20.0, ratio5: 32.5, ratio6: 21.7 };
const ingestUrl = `${platform.url}/api/fsr_data`;
// Warm both up, then measure each alone (two cores: never both at once).
await load({ url: ingestUrl, body, connections: 8, durationMs: 1000, expectStatus: 202 });
await load({ url: `${raw.url}/`, body, connections: 8, durationMs: 1000, expectStatus: 202 });
const service = await measured(platform.child.pid, () => load({ url: ingestUrl, body, connections: CONNECTIONS, durationMs: DURATION, expectStatus: 202 }));
const baseline = await measured(raw.child.pid, () => load({ url: `${raw.url}/`, body, connections: CONNECTIONS, durationMs: DURATION, expectStatus: 202 }));
raw.child.kill('SIGTERM');

// ---- 2. devices at 20 Hz with stream subscribers ----------------------------------------------
const sent = new Map(); // `${device}|${ratio1}|${ratio2}` -> send time (ms, performance.now)
const latencies = [];
let delivered = 0;
const subscribers = await Promise.all(
  Array.from({ length: SUBSCRIBERS }, (_, i) =>
    new Promise((resolveWs, reject) => {
      const ws = new WebSocket(`${platform.url.replace('http://', 'ws://')}/ws/fsr-data?deviceId=bench-${i}`);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type !== 'sample') return;
        const t0 = sent.get(`${m.deviceId}|${m.ratio1}|${m.ratio2}`);
        if (t0 === undefined) return;
        delivered++;
        if (measuring) latencies.push(performance.now() - t0);
      });
      ws.once('open', () => resolveWs(ws));
      ws.once('error', reject);
    }),
  ),
);
const agent = new http.Agent({ keepAlive: true, maxSockets: DEVICES * 2 });
const target = new URL(ingestUrl);
let measuring = false;
let posted = 0;
let postErrors = 0;
const errorKinds = {};
const postLatencies = [];
function postSample(device, seq) {
  // seq is encoded in ratio1/ratio2 so the subscriber can find when it was sent.
  const payload = Buffer.from(JSON.stringify({ side: seq % 2 ? 'right' : 'left', ratio1: seq % 100, ratio2: Math.floor(seq / 100) % 100, ratio3: 5, ratio4: 20, ratio5: 30, ratio6: 25 }));
  const key = `bench-${device}|${seq % 100}|${Math.floor(seq / 100) % 100}`;
  const t0 = performance.now();
  sent.set(key, t0);
  const timed = measuring;
  const req = http.request(
    { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': payload.length, 'x-device-id': `bench-${device}` } },
    (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 202) {
          posted++;
          if (timed) postLatencies.push(performance.now() - t0);
        } else {
          postErrors++;
          errorKinds[res.statusCode] = (errorKinds[res.statusCode] ?? 0) + 1;
        }
      });
    },
  );
  req.on('error', (err) => {
    postErrors++;
    errorKinds[err.code ?? 'error'] = (errorKinds[err.code ?? 'error'] ?? 0) + 1;
  });
  req.end(payload);
}
const periodMs = 1000 / HZ;
const startAt = performance.now() + 100;
const warmupMs = 1000;
const timers = [];
let measuredPosts = 0;
for (let d = 0; d < DEVICES; d++) {
  // Spread the devices over the period, then each on its own fixed schedule (open loop).
  let seq = 0;
  const offset = (d / DEVICES) * periodMs;
  const tick = () => {
    const due = startAt + offset + seq * periodMs;
    if (due - startAt > warmupMs + STREAM_MS) return;
    if (measuring) measuredPosts++;
    postSample(d, seq++);
    timers[d] = setTimeout(tick, Math.max(0, startAt + offset + seq * periodMs - performance.now()));
  };
  timers[d] = setTimeout(tick, Math.max(0, startAt + offset - performance.now()));
}
await new Promise((r) => setTimeout(r, 100 + warmupMs));
measuring = true;
const measureStart = performance.now();
await new Promise((r) => setTimeout(r, STREAM_MS));
measuring = false;
const measuredSec = (performance.now() - measureStart) / 1000;
await new Promise((r) => setTimeout(r, 1000));
for (const ws of subscribers) ws.close();
agent.destroy();

const stop = new Promise((r) => platform.child.once('exit', r));
platform.child.kill('SIGTERM');
await stop;
await db.drop();
if (REDIS) {
  // Leave the shared Redis as it was: drop this run's keys.
  const Redis = require('ioredis');
  const redis = new Redis(REDIS);
  const keys = await redis.keys(`bench:${process.pid}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

latencies.sort((a, b) => a - b);
postLatencies.sort((a, b) => a - b);
const result = {
  mode: REDIS ? 'redis' : 'memory',
  journal: JOURNAL && JOURNAL !== 'off' ? (process.env.BENCH_FSR_JOURNAL_SYNC ?? 'write') : 'off',
  ingest: {
    connections: CONNECTIONS,
    durationMs: DURATION,
    service: { rps: round(service.rps), p50ms: round(service.p50ms), p99ms: round(service.p99ms), errors: service.errors, cpuUsPerRequest: round(service.cpuUsPerRequest, 1) },
    rawBaseline: { rps: round(baseline.rps), p50ms: round(baseline.p50ms), p99ms: round(baseline.p99ms), errors: baseline.errors, cpuUsPerRequest: round(baseline.cpuUsPerRequest, 1) },
    throughputRatio: round(service.rps / baseline.rps, 3),
  },
  stream: {
    devices: DEVICES,
    hz: HZ,
    subscribers: SUBSCRIBERS,
    measuredMs: STREAM_MS,
    samplesPerSec: round(measuredPosts / measuredSec),
    postErrors,
    errorKinds,
    postP99ms: round(percentile(postLatencies, 99)),
    deliveries: latencies.length,
    ingestToDeliveryMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN) },
  },
};
console.log(`POST /api/fsr_data (${result.mode}, journal ${result.journal}): ${result.ingest.service.rps} req/s, p99 ${result.ingest.service.p99ms} ms, server CPU ${result.ingest.service.cpuUsPerRequest} µs/request`);
console.log(`raw node:http baseline: ${result.ingest.rawBaseline.rps} req/s, p99 ${result.ingest.rawBaseline.p99ms} ms, server CPU ${result.ingest.rawBaseline.cpuUsPerRequest} µs/request`);
console.log(`throughput ratio (service / baseline): ${result.ingest.throughputRatio}`);
console.log(
  `${DEVICES} devices x ${HZ} Hz (${result.stream.samplesPerSec} samples/s), ${SUBSCRIBERS} subscribers: ingest-to-stream p50 ${result.stream.ingestToDeliveryMs.p50} ms, p99 ${result.stream.ingestToDeliveryMs.p99} ms (${result.stream.deliveries} deliveries, POST p99 ${result.stream.postP99ms} ms, ${postErrors} errors)`,
);
console.log(JSON.stringify(result));
