// bench/control-plane: POST /api/session on the real control plane (all-in-one process, real
// PostgreSQL on 127.0.0.1) next to a raw node:http server that signs the same token without a
// database, in the same run; then our JWT signer next to jose. Prints the ratios.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BENCH_INFERENCE_SECRET, startPlatform, startService } from '../lib/service.mjs';
import { load, round } from '../lib/load.mjs';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(resolve(root, 'apps/platform/package.json'));
const { createScratchDatabase } = require('@squirret/database');
const { Hs256Jwt, hmacKey } = require('@squirret/auth');
const SECRET = BENCH_INFERENCE_SECRET;
const DURATION = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);


const { db, platform } = await startPlatform(createScratchDatabase, {
  SESSION_RATE_LIMIT: '100000000',
  INFERENCE_CAPACITY: '100000000',
  INFERENCE_POSE_WORKERS: '0',
});
const raw = await startService('bench/control-plane/raw-baseline.mjs', { INFERENCE_TOKEN_SECRET: SECRET });
await new Promise((r) => setTimeout(r, 500));

const body = { userId: 'bench-user' };
// Warm both up, then measure each alone (two cores: never both at once).
await load({ url: `${platform.url}/api/session`, body, connections: 8, durationMs: 1000 });
await load({ url: `${raw.url}/`, body, connections: 8, durationMs: 1000 });
const service = await load({ url: `${platform.url}/api/session`, body, connections: CONNECTIONS, durationMs: DURATION });
const baseline = await load({ url: `${raw.url}/`, body, connections: CONNECTIONS, durationMs: DURATION });

platform.child.kill('SIGTERM');
raw.child.kill('SIGTERM');
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
  rawBaseline: { rps: round(baseline.rps), p50ms: round(baseline.p50ms), p99ms: round(baseline.p99ms), errors: baseline.errors },
  throughputRatio: round(service.rps / baseline.rps, 3),
  jwtSignPerSec: { ours: Math.round(oursRate), jose: Math.round(joseRate), ratio: round(oursRate / joseRate, 2) },
};
console.log(`POST /api/session: ${result.apiSession.rps} req/s, p99 ${result.apiSession.p99ms} ms`);
console.log(`raw node:http baseline: ${result.rawBaseline.rps} req/s, p99 ${result.rawBaseline.p99ms} ms`);
console.log(`throughput ratio (service / baseline): ${result.throughputRatio}`);
console.log(`JWT sign/s: ours ${result.jwtSignPerSec.ours}, jose ${result.jwtSignPerSec.jose}, ratio ${result.jwtSignPerSec.ratio}`);
console.log(JSON.stringify(result));
