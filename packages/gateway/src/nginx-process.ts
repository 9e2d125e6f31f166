import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderGatewayConfig } from './render';
import type { GatewayTopology } from './topology';

/** Debian's nginx (`apt-get install nginx`; .ci/run installs it when missing). */
export const NGINX_BIN = '/usr/sbin/nginx';

/** A free loopback TCP port (bound, read, released: good enough for a test's own listeners). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** An nginx started on a private prefix for a test or a benchmark. */
export interface RunningGateway {
  readonly port: number;
  /** The master's pid (its workers are its children: /proc/<pid>/task/<pid>/children). */
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  /** ws://127.0.0.1:<port> */
  readonly wsBase: string;
  readonly configPath: string;
  /** Everything nginx wrote: its error output, then its access log (unless that is off). */
  output(): string;
  /** Renders a new topology (e.g. one more node) and reloads without dropping connections. */
  reload(topology: Omit<GatewayTopology, 'listen' | 'tempDir'>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Renders the repository's template for `topology` (listening on 127.0.0.1:<port>) into a private
 * prefix and runs nginx in the foreground there (`daemon off`, its own pid file, temp paths and
 * error log), waiting until it accepts connections. The config is checked with `nginx -t` first.
 */
export async function startGateway(topology: Omit<GatewayTopology, 'listen' | 'tempDir'>, port?: number): Promise<RunningGateway> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: install Debian's nginx (apt-get install nginx; .ci/run does it when missing)`);
  const listenPort = port ?? (await freePort());
  const prefix = mkdtempSync(join(tmpdir(), 'squirret-gw-'));
  const temp = join(prefix, 'tmp');
  mkdirSync(temp);
  const configPath = join(prefix, 'nginx.conf');
  // A file, not /dev/stdout: Node's child stdio are socket pairs, which nginx cannot open by path.
  const accessLog = join(prefix, 'access.log');
  const write = (t: Omit<GatewayTopology, 'listen' | 'tempDir'>) =>
    writeFileSync(configPath, renderGatewayConfig({ workerProcesses: 1, accessLog: `${accessLog} noquery`, ...t, listen: `127.0.0.1:${listenPort}`, tempDir: temp }));
  // notice level at the top: the master says when new workers started (reload); requests log at crit (template)
  const globals = `daemon off; master_process on; pid ${join(prefix, 'nginx.pid')}; error_log stderr notice;`;
  const args = ['-p', prefix, '-c', configPath, '-e', 'stderr', '-g', globals];
  const test = (): void => {
    const r = spawnSync(NGINX_BIN, ['-t', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nginx -t refused the rendered config:\n${r.stderr}${r.stdout}`);
  };
  write(topology);
  test();
  const child: ChildProcess = spawn(NGINX_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(listenPort))) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen on ${listenPort}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: listenPort,
    pid: child.pid ?? -1,
    baseUrl: `http://127.0.0.1:${listenPort}`,
    wsBase: `ws://127.0.0.1:${listenPort}`,
    configPath,
    output: () => out + (existsSync(accessLog) ? readFileSync(accessLog, 'utf8') : ''),
    async reload(t) {
      write(t);
      test();
      const mark = out.length;
      child.kill('SIGHUP');
      // the master logs the reconfiguration; new workers take the new map
      const until = Date.now() + 5_000;
      while (!/start worker process/.test(out.slice(mark)) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 100));
    },
    async stop() {
      // SIGQUIT is nginx's graceful stop; SIGTERM its fast one (open WebSockets would hold a graceful stop)
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
