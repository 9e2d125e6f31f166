// bench/chat: 1,000 WebSocket clients in 100 rooms (10 each) on the real chat service (standalone
// process, PostgreSQL, every message stored before it is acked and delivered) next to a minimal
// `ws` broadcast server doing the same fan-out, in the same run. Each client keeps one message in
// flight (it sends the next when its own comes back), so both servers run as fast as they can.
// Prints deliveries/s, p50/p99 latency (send → receipt at each member), CPU, memory per idle
// connection, and the ratios. Loopback only.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { WebSocket } from 'ws';
import { round } from '../lib/load.mjs';
import { cpuSeconds, percentile, rssBytes } from '../lib/proc.mjs';
import { BENCH_SESSION_SECRET, startService } from '../lib/service.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/chat/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const { Hs256Jwt, hmacKey } = require('@squirret/auth');

const ROOMS = Number(process.env.BENCH_ROOMS ?? 100);
const PER_ROOM = Number(process.env.BENCH_PER_ROOM ?? 10);
const CLIENTS = ROOMS * PER_ROOM;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2_000);
const MEASURE_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
const SECRET = 'bench-spring-secret-bench-spring-secret-bench';


const settle = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects every client (`open(i)` resolves once it may send), measures idle memory, then runs the
 * closed loop. `send(c, text)` sends a chat line; each client's `onText(text)` is called per delivery.
 */
async function measure(name, pid, open, send) {
  await settle(500);
  const rss0 = rssBytes(pid);
  const clients = [];
  for (let i = 0; i < CLIENTS; i += 50) clients.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, (_, k) => open(i + k)))));
  await settle(2_000);
  const idlePerConnKiB = (rssBytes(pid) - rss0) / CLIENTS / 1024;

  let measuring = false;
  let stop = false;
  let deliveries = 0;
  let sent = 0;
  const lat = [];
  clients.forEach((c, i) => {
    let seq = 0;
    const next = () => {
      if (stop) return;
      seq++;
      sent++;
      send(c, `${i}:${seq}:${Date.now()}`);
    };
    c.onText = (text) => {
      const [from, s, at] = text.split(':');
      if (measuring) {
        deliveries++;
        lat.push(Date.now() - Number(at));
      }
      if (Number(from) === i && Number(s) === seq) next();
    };
    c.kick = next;
  });
  for (const c of clients) c.kick();
  await settle(WARMUP_MS);
  measuring = true;
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  await settle(MEASURE_MS);
  measuring = false;
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = (cpuSeconds(pid) - cpu0) / elapsed;
  stop = true;
  for (const c of clients) c.ws.terminate();
  lat.sort((a, b) => a - b);
  return {
    name,
    clients: CLIENTS,
    rooms: ROOMS,
    deliveriesPerSec: round(deliveries / elapsed),
    messagesPerSec: round(deliveries / elapsed / PER_ROOM),
    latP50ms: round(percentile(lat, 50)),
    latP99ms: round(percentile(lat, 99)),
    cpuPercent: round(cpu * 100),
    idleKiBPerConnection: round(idlePerConnKiB),
    sent,
  };
}

// ---- the chat service ----------------------------------------------------------------------------
const db = await createScratchDatabase();
const chat = await startService('apps/chat/dist/src/main.js', {
  PORT: '0',
  DATABASE_URL: db.url,
  SESSION_TOKEN_SECRET: BENCH_SESSION_SECRET,
  SPRING_JWT_SECRET: SECRET,
  CHAT_RATE_LIMIT: '100000000',
  CHAT_RATE_WINDOW_SEC: '1',
  CHAT_MEDIATOR_ENABLED: 'false',
  LOG_LEVEL: 'warn',
});
const jwt = new Hs256Jwt(hmacKey(SECRET));
const now = Math.floor(Date.now() / 1000);
const token = (sub, couple) => jwt.sign({ sub, couple_id: couple, iat: now, exp: now + 3600 });
const roomIds = [];
for (let r = 1; r <= ROOMS; r++) {
  const res = await fetch(`${chat.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token(`u${r}-0`, r)}` },
    body: JSON.stringify({ room_name: `bench ${r}`, couple_id: r }),
  });
  roomIds.push((await res.json()).room_id);
}
const chatWs = chat.url.replace('http://', 'ws://');
const service = await measure(
  'chat service (stored, acked)',
  chat.child.pid,
  (i) =>
    new Promise((resolveClient, reject) => {
      const r = Math.floor(i / PER_ROOM);
      const ws = new WebSocket(`${chatWs}/api/sessions/ws/${roomIds[r]}?token=${token(`u${r + 1}-${i % PER_ROOM}`, r + 1)}`, { perMessageDeflate: false });
      const client = { ws, onText: () => undefined };
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.type === 'session') resolveClient(client);
        else if (m.type === 'message') client.onText(m.content);
        else if (m.type === 'error') console.error('error from the chat service:', m);
      });
      ws.on('error', reject);
    }),
  (c, text) => c.ws.send(JSON.stringify({ content: text })),
);
chat.child.kill('SIGTERM');
await settle(1_000);

// ---- the minimal ws server -----------------------------------------------------------------------
const raw = await startService('bench/chat/raw-ws-baseline.mjs', {});
const rawWs = raw.url.replace('http://', 'ws://');
const baseline = await measure(
  'minimal ws broadcast',
  raw.child.pid,
  (i) =>
    new Promise((resolveClient, reject) => {
      const ws = new WebSocket(`${rawWs}/room/${Math.floor(i / PER_ROOM)}`, { perMessageDeflate: false });
      const client = { ws, onText: () => undefined };
      ws.on('message', (data) => client.onText(data.toString()));
      ws.on('open', () => resolveClient(client));
      ws.on('error', reject);
    }),
  (c, text) => c.ws.send(text),
);
raw.child.kill('SIGTERM');
await settle(500);
await db.drop();

for (const r of [service, baseline]) {
  console.log(
    `${r.name}: ${r.clients} clients in ${r.rooms} rooms, ${r.deliveriesPerSec} deliveries/s (${r.messagesPerSec} messages/s), latency p50 ${r.latP50ms} ms p99 ${r.latP99ms} ms, CPU ${r.cpuPercent}%, idle ${r.idleKiBPerConnection} KiB/connection`,
  );
}
const ratios = {
  deliveries: round(service.deliveriesPerSec / baseline.deliveriesPerSec, 3),
  p99: round(service.latP99ms / Math.max(baseline.latP99ms, 0.01), 2),
  idleMemory: round(service.idleKiBPerConnection / Math.max(baseline.idleKiBPerConnection, 0.01), 2),
};
console.log(`ratios (chat service / minimal ws): deliveries/s ${ratios.deliveries} (target >= 0.85), p99 latency ${ratios.p99}x, idle memory ${ratios.idleMemory}x`);
console.log(JSON.stringify({ service, baseline, ratios }));
if (process.env.BENCH_WRITE_README === '1') {
  const { writeBenchFigures } = await import('../lib/readme.mjs');
  writeBenchFigures('chat', [
    `${service.name}: ${service.deliveriesPerSec} deliveries/s, p99 ${service.latP99ms} ms, CPU ${service.cpuPercent}%; minimal ws broadcast ${baseline.deliveriesPerSec} deliveries/s, p99 ${baseline.latP99ms} ms`,
    `ratio ${ratios.deliveries} (target >= 0.85); p99 latency ${ratios.p99}x; idle memory ${ratios.idleMemory}x`,
  ]);
}
