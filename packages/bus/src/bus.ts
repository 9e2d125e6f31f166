import type { BusPayload, BusTopic } from '@squirret/contracts';

/** Handler of one topic's events. Errors it throws are logged by the bus and never reach the publisher. */
export type BusHandler<T extends BusTopic> = (payload: BusPayload<T>) => void | Promise<void>;

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>;

/** The one typed publish/subscribe interface every service uses; Redis and in-memory behind it. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish<T extends BusTopic>(topic: T, payload: BusPayload<T>): Promise<void>;
  subscribe<T extends BusTopic>(topic: T, handler: BusHandler<T>): Promise<Unsubscribe>;
  /** Round trip to the backing store; throws when it is unreachable (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where a bus reports handler failures and dropped (invalid) events. */
export interface BusLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const consoleBusLogger: BusLogger = {
  warn: (obj, msg) => console.warn(JSON.stringify({ level: 'warn', msg, ...obj })),
};
