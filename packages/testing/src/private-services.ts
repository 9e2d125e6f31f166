import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Fault tests start their own Redis and PostgreSQL on private ports and break them (stop, kill,
// restart). The machine's shared servers on 6379 and 5432 are never touched here.

const SHARED_PORTS = new Set([5432, 6379]);

// Whatever a test started is stopped when the test process exits, even if it failed before its
// `after()` ran: no server is left behind on the machine.
const leftovers = new Set<() => void>();
process.once('exit', () => {
  for (const stop of leftovers) {
    try {
      stop();
    } catch {
      /* already gone */
    }
  }
});

/** A free loopback port (never one of the shared servers'). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (!SHARED_PORTS.has(port)) return port;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function waitPort(port: number, up: boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await canConnect(port)) !== up) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Redis server of a test's own, on a private port, that the test may stop, kill and restart. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it again (same port, same data directory: with `appendOnly` the data survives). */
  start(): Promise<void>;
  /** SHUTDOWN-like stop (SIGTERM), waits until the port is closed. */
  stop(): Promise<void>;
  /** SIGKILL, waits until the port is closed. */
  kill(): Promise<void>;
  /** Stops, waits `downMs`, starts again. */
  restart(downMs?: number): Promise<void>;
  /** Stops for good and removes the data directory. */
  destroy(): Promise<void>;
}

export async function startPrivateRedis(options: { appendOnly?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'squirret-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no'];
    args.push('--appendonly', options.appendOnly ? 'yes' : 'no');
    if (options.appendOnly) args.push('--appendfsync', 'always');
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitPort(port, true, 10_000, `private redis on ${port}`);
  };
  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await gone;
    }
    await waitPort(port, false, 10_000, `private redis on ${port} to stop`);
  };
  const leftover = () => child?.kill('SIGKILL');
  leftovers.add(leftover);
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async (downMs = 500) => {
      await halt('SIGTERM');
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    destroy: async () => {
      await halt('SIGKILL');
      leftovers.delete(leftover);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL cluster of a test's own (Debian's server binaries), on a private port. */
export interface PrivatePostgres {
  readonly port: number;
  /** URL of a database in the cluster (`postgres` by default; `createDatabase` makes others). */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast` (or `immediate`, a crash without a checkpoint). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(downMs?: number, mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const bin = pgBinDir();
  const parent = mkdtempSync(join(tmpdir(), 'squirret-pg-'));
  chmodSync(parent, 0o755);
  const dataDir = join(parent, 'data');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // PostgreSQL refuses to run as root: as root, every server command runs as the postgres user.
  const run = (cmd: string, args: string[]) => {
    if (isRoot) return execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' });
    return execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  };
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(parent, uid, gid);
  }
  run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -k ${parent} -c fsync=off -c max_connections=200`;
  const start = async () => {
    run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(parent, 'log'), '-w', 'start']);
    await waitPort(port, true, 20_000, `private postgres on ${port}`);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    try {
      run('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    } catch {
      /* already stopped */
    }
    await waitPort(port, false, 20_000, `private postgres on ${port} to stop`);
  };
  const leftover = () => {
    run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
    rmSync(parent, { recursive: true, force: true });
  };
  leftovers.add(leftover);
  await start();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    createDatabase: async (name) => {
      run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
    },
    start,
    stop,
    restart: async (downMs = 500, mode = 'fast') => {
      await stop(mode);
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    destroy: async () => {
      await stop('immediate');
      leftovers.delete(leftover);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

export { waitFor };
