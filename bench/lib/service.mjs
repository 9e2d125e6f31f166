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
