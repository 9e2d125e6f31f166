import { BUS_EVENTS, type BusPayload, type BusTopic } from '@squirret/contracts';
import type Redis from 'ioredis';
import { consoleBusLogger, type Bus, type BusHandler, type BusLogger, type Unsubscribe } from './bus';
import { RedisConnections } from './redis-connections';

type AnyHandler = (payload: unknown) => void | Promise<void>;

/**
 * Publishes waiting for Redis at most (at boot, before the first connection, or in the moment a
 * connection drops). Past it, and at once while a connection that was up is down, a publish is
 * dropped and counted: bus events are best effort, and an unbounded offline queue would grow for
 * the whole outage and then be replayed in one burst.
 */
export const MAX_PENDING_PUBLISHES = 1_000;
const dropped = new Map<string, number>();

/** Bus events dropped by this process because Redis was away, per topic (the metric reads it). */
export function droppedBusPublishes(): ReadonlyMap<string, number> {
  return dropped;
}

/**
 * Options of the Redis bus. `prefix` namespaces channels (one deployment, or one test run). Give it
 * the process's `connections` (it then leaves closing them to their owner), or a `url` and it makes
 * and closes its own.
 */
export type RedisBusOptions = ({ readonly connections: RedisConnections; readonly url?: undefined } | { readonly url: string; readonly connections?: undefined }) & {
  readonly prefix?: string;
  readonly logger?: BusLogger;
}

/**
 * Redis pub/sub bus. One connection publishes, one subscribes (Redis requires a dedicated
 * connection in subscriber mode). Events are validated against the contracts on receipt: a bad
 * event from another process is dropped and logged, never handed to a handler.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly logger: BusLogger;
  private readonly handlers = new Map<string, Set<AnyHandler>>();
  /** The connections the bus publishes and subscribes on (shared with the process's other Redis users). */
  readonly connections: RedisConnections;
  private readonly ownsConnections: boolean;
  private pendingPublishes = 0;
  private pubWasReady = false;
  private dropLogged = false;

  constructor(options: RedisBusOptions) {
    this.ownsConnections = options.connections === undefined;
    this.connections = options.connections ?? new RedisConnections(options.url);
    this.prefix = options.prefix ?? 'squirret:';
    this.logger = options.logger ?? consoleBusLogger;
    // Publishing shares the process's command connection; subscribing needs one of its own.
    this.pub = this.connections.commands;
    this.sub = this.connections.subscriber('squirret-bus-sub');
    this.pubWasReady = this.pub.status === 'ready';
    this.pub.on('error', (err) => this.logger.warn({ err: err.message }, 'redis bus publisher error'));
    this.sub.on('error', (err) => this.logger.warn({ err: err.message }, 'redis bus subscriber error'));
    this.pub.on('ready', () => {
      this.pubWasReady = true;
      this.dropLogged = false;
    });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.dispatch(channel.toString(), message));
  }

  private channel(topic: BusTopic): string {
    return `${this.prefix}${topic}`;
  }

  async publish<T extends BusTopic>(topic: T, payload: BusPayload<T>): Promise<void> {
    const parsed = BUS_EVENTS[topic].safeParse(payload);
    if (!parsed.success) throw new Error(`invalid ${topic} event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    // Down after having been up (an outage, not the boot), or too much already waiting: drop.
    if ((this.pubWasReady && this.pub.status !== 'ready') || this.pendingPublishes >= MAX_PENDING_PUBLISHES) {
      this.drop(topic, 'redis unavailable');
      return;
    }
    this.pendingPublishes++;
    try {
      await this.pub.publish(this.channel(topic), JSON.stringify(parsed.data));
    } catch (err) {
      this.drop(topic, err instanceof Error ? err.message : String(err));
    } finally {
      this.pendingPublishes--;
    }
  }

  private drop(topic: BusTopic, why: string): void {
    dropped.set(topic, (dropped.get(topic) ?? 0) + 1);
    if (this.dropLogged) return;
    // One line per outage (the counter has the figures), not one per event.
    this.dropLogged = true;
    this.logger.warn({ topic, err: why }, 'redis away: dropping bus events until it is back');
  }

  async subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe> {
    const channel = this.channel(topic);
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      await this.sub.subscribe(channel);
    }
    const h = handler as AnyHandler;
    set.add(h);
    return async () => {
      set.delete(h);
      if (set.size === 0 && this.handlers.get(channel) === set) {
        this.handlers.delete(channel);
        await this.sub.unsubscribe(channel);
      }
    };
  }

  private dispatch(channel: string, message: Buffer): void {
    const set = this.handlers.get(channel);
    if (!set) return;
    const topic = channel.slice(this.prefix.length) as BusTopic;
    const schema = BUS_EVENTS[topic];
    if (!schema) return;
    let data: unknown;
    try {
      data = JSON.parse(message.toString('utf8'));
    } catch {
      this.logger.warn({ topic }, 'dropped a bus event that is not JSON');
      return;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      this.logger.warn({ topic, issue: parsed.error.issues[0]?.message }, 'dropped an invalid bus event');
      return;
    }
    for (const handler of [...set]) {
      Promise.resolve()
        .then(() => handler(structuredClone(parsed.data)))
        .catch((err: unknown) => this.logger.warn({ topic, err: String(err) }, 'bus handler failed'));
    }
  }

  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    this.handlers.clear();
    if (this.ownsConnections) await this.connections.close();
    else await this.sub.quit().catch(() => this.sub.disconnect());
  }
}
