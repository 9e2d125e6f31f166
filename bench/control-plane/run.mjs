// bench/control-plane: POST /api/session on the real control plane (all-in-one process, real
// PostgreSQL on 127.0.0.1) next to two raw node:http servers in the same run: the fair baseline
// (raw-db-baseline.mjs: the same INSERT into the same database and the same JWT signer) and the
// floor (raw-baseline.mjs: signing only, no database); then our JWT signer next to jose. Prints
// the ratios (the target is >= 0.6 of the fair baseline) and writes them to bench/README.md's
// generated block when BENCH_WRITE_README=1.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BENCH_INFERENCE_SECRET, startPlatform, startService } from '../lib/service.mjs';
import { load, round } from '../lib/load.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/platform/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const { Hs256Jwt, hmacKey } = require('@squirret/auth');
const { writeBenchFigures } = await import('../lib/readme.mjs');
const SECRET = BENCH_INFERENCE_SECRET;
const DURATION = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);


const { db, platform } = await startPlatform(createScratchDatabase, {
  CONTROL_PLANE_SESSION_RATE_LIMIT: '100000000',
  INFERENCE_CAPACITY: '100000000',
  INFERENCE_POSE_WORKERS: '0',
});
const raw = await startService('bench/control-plane/raw-baseline.mjs', { INFERENCE_TOKEN_SECRET: SECRET });
const rawDb = await startService('bench/control-plane/raw-db-baseline.mjs', { INFERENCE_TOKEN_SECRET: SECRET, DATABASE_URL: db.url });
await new Promise((r) => setTimeout(r, 500));

const body = { userId: 'bench-user' };
// Warm both up, then measure each alone (two cores: never both at once).
await load({ url: `${platform.url}/api/session`, body, connections: 8, durationMs: 1000 });
await load({ url: `${raw.url}/`, body, connections: 8, durationMs: 1000 });
await load({ url: `${rawDb.url}/`, body, connections: 8, durationMs: 1000 });
// Interleaved halves (service, fair, service, fair) so a slow moment of the shared machine hits both.
const half = Math.round(DURATION / 2);
const s1 = await load({ url: `${platform.url}/api/session`, body, connections: CONNECTIONS, durationMs: half });
const f1 = await load({ url: `${rawDb.url}/`, body, connections: CONNECTIONS, durationMs: half });
const s2 = await load({ url: `${platform.url}/api/session`, body, connections: CONNECTIONS, durationMs: half });
const f2 = await load({ url: `${rawDb.url}/`, body, connections: CONNECTIONS, durationMs: half });
const baseline = await load({ url: `${raw.url}/`, body, connections: CONNECTIONS, durationMs: DURATION });
const merge = (a, b) => ({ rps: (a.rps + b.rps) / 2, p50ms: (a.p50ms + b.p50ms) / 2, p99ms: Math.max(a.p99ms, b.p99ms), errors: a.errors + b.errors });
const service = merge(s1, s2);
const fair = merge(f1, f2);

platform.child.kill('SIGTERM');
raw.child.kill('SIGTERM');
rawDb.child.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 1000));
await db.drop();

// JWT sign rate: ours (HS256 on a KeyObject) next to jose, same claims.
const jose = await import('jose');
const ours = new Hs256Jwt(hmacKey(SECRET));
const joseKey = new TextEncoder().encode(SECRET);
const claims = () => {
  const iat = Math.floor(Date.now() / 1000);
  return { sub: 'a9433005-6d0d-4981-b7b9-6df0ec0366e8', aud: 'inference-ws', iat, nbf: iat, exp: iat + 900, jti: 'x' };
};
async function rate(fn, ms = 1500) {
  let n = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (let i = 0; i < 200; i++) await fn();
    n += 200;
  }
  return n / (ms / 1000);
}
await rate(() => ours.sign(claims()), 300);
const oursRate = await rate(() => ours.sign(claims()));
const joseRate = await rate(() => new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(joseKey));

const result = {
  connections: CONNECTIONS,
  durationMs: DURATION,
  apiSession: { rps: round(service.rps), p50ms: round(service.p50ms), p99ms: round(service.p99ms), errors: service.errors },
  fairBaseline: { rps: round(fair.rps), p50ms: round(fair.p50ms), p99ms: round(fair.p99ms), errors: fair.errors },
  rawBaseline: { rps: round(baseline.rps), p50ms: round(baseline.p50ms), p99ms: round(baseline.p99ms), errors: baseline.errors },
  fairRatio: round(service.rps / fair.rps, 3),
  throughputRatio: round(service.rps / baseline.rps, 3),
  jwtSignPerSec: { ours: Math.round(oursRate), jose: Math.round(joseRate), ratio: round(oursRate / joseRate, 2) },
};
console.log(`POST /api/session: ${result.apiSession.rps} req/s, p99 ${result.apiSession.p99ms} ms`);
console.log(`fair baseline (raw node:http, same INSERT, same signer): ${result.fairBaseline.rps} req/s, p99 ${result.fairBaseline.p99ms} ms`);
console.log(`raw node:http floor (signing only, no database): ${result.rawBaseline.rps} req/s, p99 ${result.rawBaseline.p99ms} ms`);
console.log(`ratio to the fair baseline (target >= 0.6): ${result.fairRatio}`);
console.log(`ratio to the floor: ${result.throughputRatio}`);
console.log(`JWT sign/s: ours ${result.jwtSignPerSec.ours}, jose ${result.jwtSignPerSec.jose}, ratio ${result.jwtSignPerSec.ratio}`);
console.log(JSON.stringify(result));
if (process.env.BENCH_WRITE_README === '1') {
  writeBenchFigures('control-plane', [
    `POST /api/session ${result.apiSession.rps} req/s (p99 ${result.apiSession.p99ms} ms); fair baseline ${result.fairBaseline.rps} req/s; ratio ${result.fairRatio} (target >= 0.6)`,
    `floor (signing only, no database) ${result.rawBaseline.rps} req/s; ratio ${result.throughputRatio}`,
    `JWT sign/s: ours ${result.jwtSignPerSec.ours}, jose ${result.jwtSignPerSec.jose} (ratio ${result.jwtSignPerSec.ratio})`,
  ]);
}
