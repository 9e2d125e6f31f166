import { BUS_EVENTS, type BusPayload, type BusTopic } from '@squirret/contracts';
import { consoleBusLogger, type Bus, type BusHandler, type BusLogger, type Unsubscribe } from './bus';

type AnyHandler = (payload: unknown) => void | Promise<void>;

/**
 * In-process bus for the all-in-one start and unit tests. Delivery is asynchronous (a microtask
 * later), like Redis, so code never comes to depend on synchronous delivery.
 */
export class InMemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly handlers = new Map<BusTopic, Set<AnyHandler>>();
  private closed = false;

  constructor(private readonly logger: BusLogger = consoleBusLogger) {}

  async publish<T extends BusTopic>(topic: T, payload: BusPayload<T>): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const parsed = BUS_EVENTS[topic].safeParse(payload);
    if (!parsed.success) throw new Error(`invalid ${topic} event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const set = this.handlers.get(topic);
    if (!set || set.size === 0) return;
    // Each handler gets its own copy: no subscriber can mutate what another sees.
    const json = JSON.stringify(parsed.data);
    await Promise.resolve();
    for (const handler of [...set]) {
      try {
        await handler(JSON.parse(json));
      } catch (err) {
        this.logger.warn({ topic, err: String(err) }, 'bus handler failed');
      }
    }
  }

  async subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe> {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    const h = handler as AnyHandler;
    set.add(h);
    return async () => {
      set.delete(h);
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}
