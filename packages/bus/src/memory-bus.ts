import { BUS_EVENTS, type BusPayload, type BusTopic } from '@squirret/contracts';
import { consoleBusLogger, type Bus, type BusHandler, type BusLogger, type Unsubscribe } from './bus';

type AnyHandler = (payload: unknown) => void | Promise<void>;

/** Freezes a plain JSON-like value and everything in it (objects and arrays), in place. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) deepFreeze(item);
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * Freezes zod's output `parsed` in place and returns true, unless it still holds an object or array
 * of `original` (the publisher's) at the same place: zod builds new objects and arrays, except where
 * a schema passes a value through as it is (`z.unknown()` and the like). Then it returns false
 * without ever having frozen one of the publisher's objects (children are checked before a node is
 * frozen), and the caller copies instead. One walk, no allocation.
 */
function freezeIfOwn(parsed: unknown, original: unknown): boolean {
  if (typeof parsed !== 'object' || parsed === null) return true;
  if (parsed === original) return false;
  const from = typeof original === 'object' && original !== null ? (original as Record<string, unknown>) : undefined;
  if (Array.isArray(parsed)) {
    for (let i = 0; i < parsed.length; i++) {
      const v: unknown = parsed[i];
      if (typeof v === 'object' && v !== null && !freezeIfOwn(v, from?.[i])) return false;
    }
  } else {
    const o = parsed as Record<string, unknown>;
    for (const key in o) {
      const v = o[key];
      if (typeof v === 'object' && v !== null && !freezeIfOwn(v, from?.[key])) return false;
    }
  }
  Object.freeze(parsed);
  return true;
}

/**
 * In-process bus for the all-in-one start and unit tests. Delivery is asynchronous (a microtask
 * later), like Redis, so code never comes to depend on synchronous delivery.
 *
 * Every subscriber receives the same validated payload, deeply frozen: no subscriber can change
 * what another sees (an attempt throws in strict mode), without a deep copy per handler. The
 * payload is zod's parsed copy, so the publisher's own objects are never frozen; where the schema
 * passed some of them through, one JSON copy is made first.
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
    const data = freezeIfOwn(parsed.data, payload) ? parsed.data : deepFreeze(JSON.parse(JSON.stringify(parsed.data)) as unknown);
    await Promise.resolve();
    for (const handler of [...set]) {
      try {
        await handler(data);
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
