import Redis, { type RedisOptions } from 'ioredis';

/** How long a rate-limit command may take before the limiter answers from memory. */
export const LIMITER_COMMAND_TIMEOUT_MS = 250;

/** Settings of a fail-fast connection: no offline queue, a bound on every command. */
export interface FailFastOptions {
  readonly commandTimeoutMs: number;
}

/**
 * The process's Redis connections, made on first use and closed together: the one named piece of
 * I/O the bus, the rate limiters and the Redis-backed stores receive. A process without REDIS_URL
 * has none (`redisConnectionsFor(undefined)` is `undefined`) and every consumer runs in memory.
 *
 * Two kinds: `commands` queues while Redis is away and replays on reconnect (ioredis's offline
 * queue; for data that must not be lost), and `failFast(name)` fails at once instead (limiters,
 * live state that is answered 503 rather than waited for). `subscriber()` is a dedicated
 * connection for pub/sub (Redis puts a subscribing connection in a mode of its own).
 */
export class RedisConnections {
  private commandClient: Redis | undefined;
  private readonly fastClients = new Map<string, Redis>();
  private readonly subscribers: Redis[] = [];

  constructor(readonly url: string) {}

  /** The shared command connection (offline queue on). */
  get commands(): Redis {
    this.commandClient ??= this.open('squirret-commands', { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    return this.commandClient;
  }

  /**
   * A connection for rate limiters: no offline queue and a 250 ms command timeout, so while Redis
   * is away a limiter answers from its in-memory insurance at once, and no stale command is
   * replayed into a fresh window when Redis returns. Never use it for data that must not be lost.
   */
  get limiter(): Redis {
    return this.failFast('squirret-rate-limit', { commandTimeoutMs: LIMITER_COMMAND_TIMEOUT_MS });
  }

  /** A fail-fast connection of its own name (made once per name; the options of the first call hold). */
  failFast(name: string, options: FailFastOptions): Redis {
    let client = this.fastClients.get(name);
    if (!client) {
      client = this.open(name, {
        enableOfflineQueue: false,
        commandTimeout: options.commandTimeoutMs,
        maxRetriesPerRequest: 0,
        enableAutoPipelining: true,
      });
      // Outages surface as failed commands where they are used; the bus's connections log them.
      client.on('error', () => undefined);
      this.fastClients.set(name, client);
    }
    return client;
  }

  /** A new dedicated connection for subscriber mode; closed with the others. */
  subscriber(name: string): Redis {
    const client = this.open(name, { maxRetriesPerRequest: 3 });
    this.subscribers.push(client);
    return client;
  }

  private open(connectionName: string, options: RedisOptions): Redis {
    return new Redis(this.url, { lazyConnect: false, connectionName, ...options });
  }

  /** Quits every connection made so far. */
  async close(): Promise<void> {
    const all = [...(this.commandClient ? [this.commandClient] : []), ...this.fastClients.values(), ...this.subscribers];
    this.commandClient = undefined;
    this.fastClients.clear();
    this.subscribers.length = 0;
    await Promise.allSettled(all.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

/** Local first, Redis optional: the connections when a URL is configured, none otherwise. */
export function redisConnectionsFor(url: string | undefined): RedisConnections | undefined {
  return url ? new RedisConnections(url) : undefined;
}
