/**
 * The clock every service injects (epoch milliseconds), so services and rules can be tested at any
 * time with a fixed or advancing fake. The one Clock of the platform.
 */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
