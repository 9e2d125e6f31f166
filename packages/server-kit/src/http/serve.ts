import type { INestApplication } from '@nestjs/common';
import { HealthRegistry } from '../health/health';
import { listen } from './create-app';

/**
 * A shutdown that has not finished this long after SIGTERM ends the process (exit 1). Every
 * drain budget must fit inside it, and a pod's terminationGracePeriodSeconds must cover it
 * (checked against infra/k8s by apps/platform/test/k8s.spec.ts).
 */
export const SHUTDOWN_FORCE_EXIT_MS = 15_000;

/** How a standalone service process is started and stopped. */
export interface ServeOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Runs after the HTTP server closed (close the bus, the database…). */
  readonly onClose?: () => Promise<void>;
}

/**
 * Listens, prints where the service is, and stops cleanly on SIGINT / SIGTERM: readiness goes
 * down, the server stops accepting, in-flight requests finish, then `onClose` releases resources.
 */
export async function serve(app: INestApplication, options: ServeOptions): Promise<number> {
  const port = await listen(app, options.host, options.port);
  console.log(JSON.stringify({ level: 'info', service: options.name, msg: `${options.name} listening on http://${options.host}:${port}` }));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 'info', service: options.name, msg: `${signal}: shutting down` }));
    const force = setTimeout(() => process.exit(1), SHUTDOWN_FORCE_EXIT_MS);
    force.unref();
    try {
      // Readiness turns 503 at once, so load balancers stop sending work while in-flight work ends.
      healthOf(app)?.startDraining();
      await app.close();
      await options.onClose?.();
      process.exit(0);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', service: options.name, msg: 'shutdown failed', err: String(err) }));
      process.exit(1);
    }
  };
  // A promise some handler forgot to catch is a bug to log, not a reason to drop every client of
  // this process (Node's default for an unhandled rejection is to exit).
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? { name: reason.name, message: reason.message, stack: reason.stack } : String(reason);
    console.error(JSON.stringify({ level: 'error', service: options.name, msg: 'unhandled promise rejection (contained)', err }));
  });
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return port;
}

function healthOf(app: INestApplication): HealthRegistry | undefined {
  try {
    return app.get(HealthRegistry, { strict: false });
  } catch {
    return undefined; // an app without the kit has no readiness to turn down
  }
}

/** Runs a process's main, printing configuration problems plainly and exiting non-zero on failure. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
