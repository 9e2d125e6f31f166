/** Injection tokens of the control plane's named I/O. */
export const CP_DATA_SOURCE = Symbol('CP_DATA_SOURCE');
export const CP_BUS = Symbol('CP_BUS');
export const CP_JOBS = Symbol('CP_JOBS');
export const CP_CONFIG = Symbol('CP_CONFIG');
export const CP_CLOCK = Symbol('CP_CLOCK');
export const CP_SESSION_RATE_LIMITER = Symbol('CP_SESSION_RATE_LIMITER');
export const CP_TOKENS = Symbol('CP_TOKENS');

/** The clock (the platform's one Clock, epoch ms), injected so services can be tested at any time. */
export { systemClock, type Clock } from '@squirret/server-kit';
