// Starts a service script as a child process and resolves once it prints "listening on http://…".
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

// BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" or "--trace-gc") go to each started process.
export function startService(script, env) {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...flags, resolve(REPO_ROOT, script)], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

export const BENCH_SESSION_SECRET = 'bench-session-secret-bench-session-secret-xx';
export const BENCH_INFERENCE_SECRET = 'bench-inference-secret-bench-inference-secret';

// The all-in-one process on a scratch database with the bench secrets, quiet logs and `env` on top;
// the caller stops the process and drops `db` when done.
export async function startPlatform(createScratchDatabase, env) {
  const db = await createScratchDatabase();
  const platform = await startService('apps/platform/dist/src/main.js', {
    PORT: '0',
    DATABASE_URL: db.url,
    SESSION_TOKEN_SECRET: BENCH_SESSION_SECRET,
    INFERENCE_TOKEN_SECRET: BENCH_INFERENCE_SECRET,
    LOG_LEVEL: 'warn',
    ...env,
  });
  return { db, platform };
}
