// bench/inference, in one run: (a) the bare model loop (same backend, same cores), (b) the
// service saturated by simulated clients streaming the real clips' frames, (c) JSON-base64 next to
// binary frames; plus latency at half load. Prints analysed frames/s and its ratio to (a),
// p50/p95 latency at half load and at saturation, and the drop rate.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { startPlatform, startService } from '../lib/service.mjs';
import { round } from '../lib/load.mjs';
import { cpuSeconds, percentile } from '../lib/proc.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/inference/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const { decodeGifFrames, runBareLoop } = require('@squirret/pose');
const { encodeBinaryFrame } = require(resolve(root, 'apps/inference/dist/src/stream/frame-parser.js'));

const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const PHASE_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const CLIPS = join(process.env.SQUIRRET_DATASETS ?? join(root, '..', 'shared', 'datasets'), 'squat_clips_gif');

// The clips' frames as JPEG (what a phone would send).
const frames = [];
for (const f of readdirSync(CLIPS).filter((x) => x.endsWith('.gif')).sort()) {
  const gif = await decodeGifFrames(readFileSync(join(CLIPS, f)));
  frames.push(...gif.frames.slice(2));
}

// (a) the bare loop: decode + MoveNet in WORKERS worker threads, nothing around it.
const bare = await runBareLoop({ frames, durationMs: PHASE_MS, workers: WORKERS });


const { db, platform } = await startPlatform(createScratchDatabase, {
  SESSION_RATE_LIMIT: '100000000',
  POSE_WORKERS: String(WORKERS),
});
for (;;) {
  const r = await fetch(`${platform.url}/health/ready`);
  if (r.ok) break;
  await new Promise((r2) => setTimeout(r2, 200));
}

/**
 * `clients` sessions each send frames at `fps` (0 = as fast as answers come back, one in flight
 * plus one waiting) for PHASE_MS; returns analysed frames/s, latency (send -> analysis) and drops.
 */
async function drive({ clients, fps, binary }) {
  const sockets = [];
  for (let i = 0; i < clients; i++) {
    const s = await (await fetch(`${platform.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: `bench-${i}` }) })).json();
    const ws = new WebSocket(`${s.wsUrl}?token=${s.wsToken}`);
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    sockets.push(ws);
  }
  const lat = [];
  let analysed = 0;
  let sent = 0;
  let dropped = 0;
  const cpu0 = cpuSeconds(platform.child.pid);
  const t0 = Date.now();
  const end = t0 + PHASE_MS;
  await Promise.all(
    sockets.map(
      (ws, ci) =>
        new Promise((done) => {
          const sentAt = new Map();
          let n = 0;
          let lastDropped = 0;
          const send = () => {
            if (Date.now() >= end) return;
            const jpeg = frames[(n + ci * 7) % frames.length];
            sentAt.set(n, performance.now());
            ws.send(binary ? encodeBinaryFrame(n, Date.now(), jpeg) : JSON.stringify({ type: 'frame', frameNumber: n, image_base64: jpeg.toString('base64'), timestamp: Date.now() / 1000 }));
            n++;
            sent++;
          };
          ws.on('message', (d) => {
            const m = JSON.parse(d.toString());
            if (m.type !== 'analysis') return;
            lat.push(performance.now() - sentAt.get(m.frameNumber));
            if (Date.now() < end) analysed++;
            lastDropped = m.dropped;
            if (fps === 0) send();
          });
          if (fps === 0) {
            send();
            send();
          } else {
            const timer = setInterval(send, 1000 / fps);
            setTimeout(() => clearInterval(timer), PHASE_MS);
          }
          setTimeout(() => {
            dropped += lastDropped;
            ws.close();
            done();
          }, PHASE_MS + 500);
        }),
    ),
  );
  const elapsed = (Date.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    clients,
    fps: fps || 'max',
    encoding: binary ? 'binary' : 'json-base64',
    analysedPerSec: round(analysed / (PHASE_MS / 1000)),
    sentPerSec: round(sent / (PHASE_MS / 1000)),
    dropRate: round(dropped / Math.max(1, sent), 3),
    p50ms: round(percentile(lat, 50)),
    p95ms: round(percentile(lat, 95)),
    serverCpuPercent: round(((cpuSeconds(platform.child.pid) - cpu0) / elapsed) * 100),
  };
}

const saturatedJson = await drive({ clients: CLIENTS, fps: 30, binary: false });
const saturatedBinary = await drive({ clients: CLIENTS, fps: 30, binary: true });
// Half load: total offered rate = half the bare loop's frames/s, spread over two sessions.
const halfFps = bare.framesPerSecond / 2 / 2;
const half = await drive({ clients: 2, fps: halfFps, binary: true });

platform.child.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 1500));
await db.drop();

const best = Math.max(saturatedJson.analysedPerSec, saturatedBinary.analysedPerSec);
const oneInference = bare.inferenceMs.p50 + bare.decodeMs.p50;
console.log(`(a) bare loop: ${round(bare.framesPerSecond)} frames/s with ${bare.workers} worker(s), backend ${bare.backend?.name ?? bare.backend}, one inference p50 ${round(bare.inferenceMs.p50)} ms + decode ${round(bare.decodeMs.p50)} ms`);
for (const r of [saturatedJson, saturatedBinary, half]) {
  console.log(`    service ${r.clients} clients @ ${r.fps} fps ${r.encoding}: ${r.analysedPerSec} analysed/s of ${r.sentPerSec} sent/s, drop rate ${r.dropRate}, latency p50 ${r.p50ms} ms p95 ${r.p95ms} ms, server CPU ${r.serverCpuPercent}%`);
}
console.log(`(b) saturated / bare loop: ${round(best / bare.framesPerSecond, 3)} (target >= 0.9)`);
console.log(`(c) binary / json-base64 analysed/s: ${round(saturatedBinary.analysedPerSec / saturatedJson.analysedPerSec, 3)}; CPU ${saturatedBinary.serverCpuPercent}% vs ${saturatedJson.serverCpuPercent}%`);
console.log(`half load p95 / one inference (decode + model p50 ${round(oneInference)} ms): ${round(half.p95ms / oneInference, 2)} (target <= 2)`);
console.log(JSON.stringify({ bare: { framesPerSecond: bare.framesPerSecond, workers: bare.workers, inferenceMs: bare.inferenceMs, decodeMs: bare.decodeMs }, saturatedJson, saturatedBinary, half }));
