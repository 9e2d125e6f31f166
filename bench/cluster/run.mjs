// bench/cluster: the platform as a cluster on this machine — the control plane, two inference
// nodes (real MoveNet), chat and FSR as separate processes on the shared PostgreSQL and Redis,
// behind the repository's nginx gateway (Debian's /usr/sbin/nginx, config rendered from
// infra/nginx/nginx.conf.template with the node map). In one run:
//   1. placement: sessions placed per node against each node's load (and 503 when all are full);
//   2. gateway overhead: inference frames/s and chat deliveries/s through the gateway next to a
//      direct connection to the same processes, alternating over BENCH_ROUNDS rounds so the
//      machine's drift falls on both (target: the gateway costs <= 10%);
//   3. a node drained (SIGTERM) under load: every client follows the README's flow on 1012
//      (refresh, connect to the answered wsUrl) and must stream again on the other node.
// Prints a table per part and one JSON line. Loopback only.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { round } from '../lib/load.mjs';
import { cpuSeconds, percentile } from '../lib/proc.mjs';
import { BENCH_INFERENCE_SECRET, BENCH_SESSION_SECRET, startService } from '../lib/service.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/platform/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const { decodeGifFrames } = require('@squirret/pose');
const { Hs256Jwt, hmacKey } = require('@squirret/auth');
const { freePort, startGateway } = require('@squirret/gateway');

const INFERENCE_CAPACITY = Number(process.env.BENCH_CAPACITY ?? 6);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const INF_MS = Number(process.env.BENCH_INFERENCE_MS ?? 12_000); // measured time per way, split over the rounds
const CHAT_MS = Number(process.env.BENCH_CHAT_MS ?? 9_000);
const INF_CLIENTS = Number(process.env.BENCH_INFERENCE_CLIENTS ?? 4); // per node
const CHAT_ROOMS = Number(process.env.BENCH_ROOMS ?? 20);
const PER_ROOM = Number(process.env.BENCH_PER_ROOM ?? 5);
const DRAIN_FPS = Number(process.env.BENCH_DRAIN_FPS ?? 3);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SPRING_SECRET = 'bench-spring-secret-bench-spring-secret-bench';
const CLIPS = join(process.env.SQUIRRET_DATASETS ?? join(root, '..', 'shared', 'datasets'), 'squat_clips_gif');
const settle = (ms) => new Promise((r) => setTimeout(r, ms));

const frames = [];
for (const f of readdirSync(CLIPS).filter((x) => x.endsWith('.gif')).sort()) frames.push(...(await decodeGifFrames(readFileSync(join(CLIPS, f)))).frames.slice(2));

// ---- the cluster ---------------------------------------------------------------------------------
const db = await createScratchDatabase();
const gwPort = await freePort();
const common = {
  PORT: '0',
  REDIS_URL,
  BUS_PREFIX: `bench-cluster:${randomUUID()}:`,
  DATABASE_URL: db.url,
  SESSION_TOKEN_SECRET: BENCH_SESSION_SECRET,
  INFERENCE_TOKEN_SECRET: BENCH_INFERENCE_SECRET,
  TRUST_PROXY: 'true',
  INFERENCE_HEARTBEAT_MS: '200',
  LOG_LEVEL: 'warn',
};
const procs = [];
const cp = await startService('apps/control-plane/dist/src/main.js', { ...common, CONTROL_PLANE_SESSION_RATE_LIMIT: '100000000' });
const chat = await startService('apps/chat/dist/src/main.js', { ...common, SPRING_JWT_SECRET: SPRING_SECRET, CHAT_RATE_LIMIT: '100000000', CHAT_RATE_WINDOW_SEC: '1', CHAT_MEDIATOR_ENABLED: 'false' });
const fsr = await startService('apps/fsr/dist/src/main.js', { ...common, FSR_RATE_LIMIT: '100000000' });
procs.push(cp, chat, fsr);
const nodes = new Map();
for (const id of ['node-a', 'node-b']) {
  const p = await startService('apps/inference/dist/src/main.js', {
    ...common,
    INFERENCE_NODE_ID: id,
    INFERENCE_CAPACITY: String(INFERENCE_CAPACITY),
    INFERENCE_PUBLIC_WS_BASE: `ws://127.0.0.1:${gwPort}/inference/{nodeId}`,
    INFERENCE_POSE_WORKERS: '1',
    INFERENCE_MAX_IMAGE_BYTES: '300000',
    INFERENCE_DRAIN_TIMEOUT_MS: '5000',
  });
  procs.push(p);
  nodes.set(id, p);
  while (!(await fetch(`${p.url}/health/ready`).then((r) => r.ok).catch(() => false))) await settle(200);
}
const hostPort = (p) => p.url.replace('http://', '');
const gw = await startGateway(
  { controlPlane: [hostPort(cp)], fsr: [hostPort(fsr)], chat: [hostPort(chat)], inference: { nodes: [...nodes].map(([id, p]) => ({ id, address: hostPort(p) })) } },
  gwPort,
);
const gwWorkers = () => readFileSync(`/proc/${gw.pid}/task/${gw.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
const gwCpu = () => gwWorkers().reduce((s, pid) => s + cpuSeconds(pid), 0);
// the services' own CPU (every thread of the process: the pose workers too)
const nodesCpu = () => [...nodes.values()].reduce((s, p) => s + (p.child.exitCode === null ? cpuSeconds(p.child.pid) : 0), 0);

const post = async (path, body) => {
  const r = await fetch(`${gw.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, json: await r.json() };
};
const nodeOf = (wsUrl) => /\/inference\/([^/]+)\/ws\//.exec(wsUrl)?.[1];
/** The same node's own address, for a direct connection past the gateway. */
const directUrl = (wsUrl, sessionId) => `${nodes.get(nodeOf(wsUrl)).url.replace('http://', 'ws://')}/ws/${sessionId}`;
const openWs = (url) =>
  new Promise((res, rej) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => res(ws));
    ws.once('error', rej);
  });
const frameMsg = (n, i) => JSON.stringify({ type: 'frame', frameNumber: n, image_base64: frames[(n + i * 7) % frames.length].toString('base64'), timestamp: Date.now() / 1000 });

// ---- 1. placement against load -------------------------------------------------------------------
const placement = [];
const held = [];
const placeOne = async () => {
  const r = await post('/api/session', { userId: 'bench' });
  if (r.status !== 200) return { status: r.status, code: r.json.code };
  const ws = await openWs(`${r.json.wsUrl}?token=${r.json.wsToken}`);
  held.push({ node: nodeOf(r.json.wsUrl), ws });
  await settle(450); // two heartbeats: the node's load includes this stream
  return { status: 200, node: nodeOf(r.json.wsUrl) };
};
const count = () => Object.fromEntries([...nodes.keys()].map((id) => [id, held.filter((h) => h.node === id && h.ws.readyState === WebSocket.OPEN).length]));
const placedRow = (step, results) => {
  const placed = Object.fromEntries([...nodes.keys()].map((id) => [id, results.filter((x) => x.node === id).length]));
  placement.push({ step, placed, refused: results.filter((x) => x.status !== 200).map((x) => `${x.status} ${x.code}`), loadAfter: count() });
};
{
  const r1 = [];
  for (let i = 0; i < 2 * INFERENCE_CAPACITY; i++) r1.push(await placeOne());
  placedRow(`${2 * INFERENCE_CAPACITY} sessions into 2 empty nodes`, r1);
  placedRow('one more, both full', [await placeOne()]);
  // node-a loses half its streams: the next sessions go there, not to the fuller node-b
  const freed = held.filter((h) => h.node === 'node-a').slice(0, INFERENCE_CAPACITY / 2);
  for (const h of freed) h.ws.close(1000);
  await settle(600);
  const r3 = [];
  for (let i = 0; i < INFERENCE_CAPACITY / 2; i++) r3.push(await placeOne());
  placedRow(`${INFERENCE_CAPACITY / 2} streams on node-a end, ${INFERENCE_CAPACITY / 2} new sessions`, r3);
  for (const h of held) h.ws.close(1000);
  await settle(600);
}

// ---- 2a. inference frames/s: gateway vs direct ---------------------------------------------------
const infSessions = [];
for (let i = 0; i < INF_CLIENTS * nodes.size; i++) {
  const r = await post('/api/session', { userId: `bench-inf-${i}` });
  infSessions.push(r.json);
}
/** Every session streams closed-loop (two frames in flight) for `ms`; returns analysed frames/s. */
async function driveInference(via, ms) {
  const sockets = await Promise.all(infSessions.map((s) => openWs(`${via === 'gateway' ? s.wsUrl : directUrl(s.wsUrl, s.sessionId)}?token=${s.wsToken}`)));
  let analysed = 0;
  const lat = [];
  const end = Date.now() + ms;
  const cpu0 = gwCpu();
  const svc0 = nodesCpu();
  const t0 = Date.now();
  await Promise.all(
    sockets.map(
      (ws, i) =>
        new Promise((done) => {
          let n = 0;
          const sentAt = new Map();
          const send = () => {
            if (Date.now() >= end) return;
            sentAt.set(n, performance.now());
            ws.send(frameMsg(n++, i));
          };
          ws.on('message', (d) => {
            const m = JSON.parse(d.toString());
            if (m.type !== 'analysis') return;
            const at = sentAt.get(m.frameNumber);
            if (Date.now() < end && at !== undefined) {
              analysed++;
              lat.push(performance.now() - at);
            }
            send();
          });
          send();
          send();
          setTimeout(() => (ws.close(1000), done()), ms + 300);
        }),
    ),
  );
  const seconds = (Date.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { via, framesPerSec: analysed / (ms / 1000), p50ms: percentile(lat, 50), p95ms: percentile(lat, 95), gwCpuPercent: ((gwCpu() - cpu0) / seconds) * 100, serviceCpuPercent: ((nodesCpu() - svc0) / seconds) * 100 };
}
await driveInference('direct', 3_000); // warm-up (JIT, WASM tier-up in the workers)
const infRuns = [];
for (let r = 0; r < ROUNDS; r++) for (const via of r % 2 ? ['gateway', 'direct'] : ['direct', 'gateway']) infRuns.push(await driveInference(via, INF_MS / ROUNDS));
await settle(600);

// ---- 2b. chat deliveries/s: gateway vs direct ----------------------------------------------------
const jwt = new Hs256Jwt(hmacKey(SPRING_SECRET));
const now = Math.floor(Date.now() / 1000);
const token = (sub, couple) => jwt.sign({ sub, couple_id: couple, iat: now, exp: now + 3600 });
const roomIds = [];
for (let r = 1; r <= CHAT_ROOMS; r++) {
  const res = await fetch(`${gw.baseUrl}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token(`c${r}-0`, r)}` }, body: JSON.stringify({ room_name: `bench ${r}`, couple_id: r }) });
  roomIds.push((await res.json()).room_id);
}
async function driveChat(via, ms) {
  const base = via === 'gateway' ? gw.wsBase : chat.url.replace('http://', 'ws://');
  const clients = [];
  for (let i = 0; i < CHAT_ROOMS * PER_ROOM; i++) {
    const r = Math.floor(i / PER_ROOM);
    clients.push(
      await new Promise((res, rej) => {
        const ws = new WebSocket(`${base}/api/sessions/ws/${roomIds[r]}?token=${token(`c${r + 1}-${i % PER_ROOM}`, r + 1)}`, { perMessageDeflate: false });
        const c = { ws, onText: () => undefined };
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString());
          if (m.type === 'session') res(c);
          else if (m.type === 'message') c.onText(m.content);
        });
        ws.on('error', rej);
      }),
    );
  }
  let measuring = false;
  let stop = false;
  let deliveries = 0;
  const lat = [];
  clients.forEach((c, i) => {
    let seq = 0;
    const next = () => !stop && c.ws.send(JSON.stringify({ content: `${i}:${++seq}:${Date.now()}` }));
    c.onText = (text) => {
      const [from, s, at] = text.split(':');
      if (measuring) {
        deliveries++;
        lat.push(Date.now() - Number(at));
      }
      if (Number(from) === i && Number(s) === seq) next();
    };
    next();
  });
  await settle(1_000);
  measuring = true;
  const cpu0 = gwCpu();
  const svc0 = cpuSeconds(chat.child.pid);
  const t0 = Date.now();
  await settle(ms);
  measuring = false;
  const seconds = (Date.now() - t0) / 1000;
  stop = true;
  for (const c of clients) c.ws.close(1000);
  await settle(300);
  lat.sort((a, b) => a - b);
  return { via, deliveriesPerSec: deliveries / seconds, p50ms: percentile(lat, 50), p99ms: percentile(lat, 99), gwCpuPercent: ((gwCpu() - cpu0) / seconds) * 100, serviceCpuPercent: ((cpuSeconds(chat.child.pid) - svc0) / seconds) * 100 };
}
await driveChat('direct', 2_000); // warm-up
const chatRuns = [];
for (let r = 0; r < ROUNDS; r++) for (const via of r % 2 ? ['gateway', 'direct'] : ['direct', 'gateway']) chatRuns.push(await driveChat(via, CHAT_MS / ROUNDS));

// ---- 3. drain a node under load ------------------------------------------------------------------
// INFERENCE_CAPACITY sessions (half on each node) stream at DRAIN_FPS through the gateway; node-b gets SIGTERM.
const streams = [];
let draining = false;
function connect(st) {
  return openWs(`${st.s.wsUrl}?token=${st.s.wsToken}`).then((ws) => {
    st.ws = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type !== 'analysis') return;
      st.answers++;
      if (st.moved) {
        st.answersAfterMove++;
        if (st.resumeMs === undefined) st.resumeMs = Date.now() - st.closedAt;
      }
    });
    ws.on('close', (code) => {
      if (!draining || st.moved) return;
      st.closedAt = Date.now();
      st.closeCode = code;
      void resume(st);
    });
  });
}
/** The app's flow (README): refresh, then connect to the returned wsUrl; 503 NO_CAPACITY: retry after a moment. */
async function resume(st) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const r = await post(`/api/session/${st.s.sessionId}/refresh`);
    if (r.status === 200 && nodeOf(r.json.wsUrl) !== 'node-b') {
      st.s = r.json;
      st.moved = true;
      st.movedTo = nodeOf(r.json.wsUrl);
      try {
        await connect(st);
        return;
      } catch {
        st.moved = false;
      }
    }
    await settle(200);
  }
}
for (let i = 0; i < INFERENCE_CAPACITY; i++) {
  const r = await post('/api/session', { userId: `bench-drain-${i}` });
  const st = { s: r.json, first: nodeOf(r.json.wsUrl), answers: 0, answersAfterMove: 0, moved: false, movedTo: undefined, resumeMs: undefined, closedAt: 0, ws: undefined, n: 0 };
  streams.push(st);
  await connect(st);
  await settle(450); // the node's heartbeat carries this stream before the next placement
}
const ticker = setInterval(() => {
  for (const [i, st] of streams.entries()) if (st.ws?.readyState === WebSocket.OPEN) st.ws.send(frameMsg(st.n++, i));
}, 1000 / DRAIN_FPS);
await settle(3_000);
draining = true;
const onB = streams.filter((st) => st.first === 'node-b').length;
const bExit = new Promise((r) => nodes.get('node-b').child.once('exit', (code) => r(code)));
nodes.get('node-b').child.kill('SIGTERM');
const exitCode = await bExit;
await settle(4_000);
clearInterval(ticker);
draining = false; // the bench's own closes below are not a drain
for (const st of streams) st.ws?.close(1000);
const movers = streams.filter((st) => st.first === 'node-b');
const lost = movers.filter((st) => !st.moved || st.answersAfterMove === 0);
const resumeMs = movers.map((st) => st.resumeMs ?? Infinity).sort((a, b) => a - b);
const drain = {
  sessions: streams.length,
  onDrainedNode: onB,
  closeCodes: [...new Set(movers.map((st) => st.closeCode))],
  moved: movers.filter((st) => st.moved).length,
  movedTo: [...new Set(movers.map((st) => st.movedTo))],
  lost: lost.length,
  resumeP50ms: percentile(resumeMs, 50),
  resumeMaxms: resumeMs.at(-1),
  stayedStreaming: streams.filter((st) => st.first !== 'node-b' && st.ws && st.answers > 0).length,
  drainedNodeExit: exitCode,
};

// ---- shutdown ------------------------------------------------------------------------------------
await gw.stop();
for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
await settle(2_000);
await db.drop();

// ---- report --------------------------------------------------------------------------------------
const mean = (runs, via, k) => {
  const xs = runs.filter((r) => r.via === via).map((r) => r[k]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const pad = (s, n) => String(s).padEnd(n);
console.log(`\nbench:cluster — control plane, 2 inference nodes (1 MoveNet worker each, capacity ${INFERENCE_CAPACITY}), chat, FSR, nginx (1 worker); ${ROUNDS} round(s) each way\n`);
console.log('1. placement (sessions placed per node, load = open streams per node after the step)');
console.log(`   ${pad('step', 44)}${pad('placed a / b', 16)}${pad('refused', 18)}load a / b`);
for (const p of placement) console.log(`   ${pad(p.step, 44)}${pad(`${p.placed['node-a']} / ${p.placed['node-b']}`, 16)}${pad(p.refused.join(', ') || '-', 18)}${p.loadAfter['node-a']} / ${p.loadAfter['node-b']}`);
const infD = mean(infRuns, 'direct', 'framesPerSec');
const infG = mean(infRuns, 'gateway', 'framesPerSec');
const chD = mean(chatRuns, 'direct', 'deliveriesPerSec');
const chG = mean(chatRuns, 'gateway', 'deliveriesPerSec');
const overhead = { inference: 1 - infG / infD, chat: 1 - chG / chD };
console.log('\n2. gateway overhead (same processes, direct connection vs through nginx)');
// What the gateway costs when the machine is CPU-bound, robust to the throughput noise of a shared
// machine: nginx's CPU next to the service's own in the same gateway runs (same frames or
// deliveries, so it is also the CPU per unit). The chat service's figure leaves out PostgreSQL and
// Redis, so its share is an upper bound.
const cpuShare = {
  inference: mean(infRuns, 'gateway', 'gwCpuPercent') / mean(infRuns, 'gateway', 'serviceCpuPercent'),
  chat: mean(chatRuns, 'gateway', 'gwCpuPercent') / mean(chatRuns, 'gateway', 'serviceCpuPercent'),
};
console.log(`   ${pad('workload', 46)}${pad('direct', 12)}${pad('gateway', 12)}${pad('overhead', 12)}${pad('p50 d / g ms', 18)}${pad('CPU nginx / service', 22)}nginx / service CPU`);
console.log(
  `   ${pad(`inference frames/s (${infSessions.length} streams, closed loop)`, 46)}${pad(round(infD, 1), 12)}${pad(round(infG, 1), 12)}${pad(`${round(overhead.inference * 100, 1)}%`, 12)}${pad(`${round(mean(infRuns, 'direct', 'p50ms'), 1)} / ${round(mean(infRuns, 'gateway', 'p50ms'), 1)}`, 18)}${pad(`${round(mean(infRuns, 'gateway', 'gwCpuPercent'), 1)}% / ${round(mean(infRuns, 'gateway', 'serviceCpuPercent'), 1)}%`, 22)}${round(cpuShare.inference * 100, 2)}%`,
);
console.log(
  `   ${pad(`chat deliveries/s (${CHAT_ROOMS * PER_ROOM} clients, ${CHAT_ROOMS} rooms)`, 46)}${pad(round(chD, 0), 12)}${pad(round(chG, 0), 12)}${pad(`${round(overhead.chat * 100, 1)}%`, 12)}${pad(`${round(mean(chatRuns, 'direct', 'p50ms'), 1)} / ${round(mean(chatRuns, 'gateway', 'p50ms'), 1)}`, 18)}${pad(`${round(mean(chatRuns, 'gateway', 'gwCpuPercent'), 1)}% / ${round(mean(chatRuns, 'gateway', 'serviceCpuPercent'), 1)}%`, 22)}${round(cpuShare.chat * 100, 2)}%`,
);
// Work per CPU-second, from the gateway runs: what a core of each part does (the per-node figures
// of the scale plan; they hold up on a shared machine better than throughput does).
const perCpuSecond = (runs, unit, k) => {
  const g = runs.filter((r) => r.via === 'gateway' || k === 'serviceCpuPercent');
  return g.reduce((a, r) => a + r[unit], 0) / g.reduce((a, r) => a + r[k] / 100, 0);
};
const perCpu = {
  inferenceFramesPerNodeCpuSec: perCpuSecond(infRuns, 'framesPerSec', 'serviceCpuPercent'),
  inferenceFramesPerNginxCpuSec: perCpuSecond(infRuns, 'framesPerSec', 'gwCpuPercent'),
  chatDeliveriesPerChatCpuSec: perCpuSecond(chatRuns, 'deliveriesPerSec', 'serviceCpuPercent'),
  chatDeliveriesPerNginxCpuSec: perCpuSecond(chatRuns, 'deliveriesPerSec', 'gwCpuPercent'),
};
console.log(
  `   per CPU-second: inference ${round(perCpu.inferenceFramesPerNodeCpuSec, 1)} frames per node CPU-s, ${round(perCpu.inferenceFramesPerNginxCpuSec, 0)} per nginx CPU-s; chat ${round(perCpu.chatDeliveriesPerChatCpuSec, 0)} deliveries per chat CPU-s (PostgreSQL and Redis not counted), ${round(perCpu.chatDeliveriesPerNginxCpuSec, 0)} per nginx CPU-s`,
);
console.log('   target: overhead <= 10% on both; per round:', infRuns.map((r) => `${r.via[0]} ${round(r.framesPerSec, 1)}`).join(', '), '|', chatRuns.map((r) => `${r.via[0]} ${round(r.deliveriesPerSec, 0)}`).join(', '));
console.log('\n3. node-b drained (SIGTERM) under load, clients follow the README flow (refresh, connect to the new wsUrl)');
console.log(`   sessions ${drain.sessions}, on node-b ${drain.onDrainedNode}, close code ${drain.closeCodes.join('/')}, moved ${drain.moved} to ${drain.movedTo.join('/')}, lost ${drain.lost} (target 0), resume p50 ${round(drain.resumeP50ms, 0)} ms max ${round(drain.resumeMaxms, 0)} ms, node-a streams kept ${drain.stayedStreaming}, node-b exit ${drain.drainedNodeExit}`);
console.log(JSON.stringify({ capacity: INFERENCE_CAPACITY, rounds: ROUNDS, placement, inference: infRuns, chat: chatRuns, overhead, cpuShare, perCpu, drain }));
