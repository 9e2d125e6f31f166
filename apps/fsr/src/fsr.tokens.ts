/** Injection tokens of the fsr service's named I/O. */
export const FSR_CONFIG = Symbol('FSR_CONFIG');
export const FSR_BUS = Symbol('FSR_BUS');
export const FSR_CLOCK = Symbol('FSR_CLOCK');
export const FSR_DATA_SOURCE = Symbol('FSR_DATA_SOURCE');
export const FSR_LIVE_STORE = Symbol('FSR_LIVE_STORE');
export const FSR_SAMPLE_WRITER = Symbol('FSR_SAMPLE_WRITER');
export const FSR_SAMPLE_JOURNAL = Symbol('FSR_SAMPLE_JOURNAL');
export const FSR_RATE_LIMITER = Symbol('FSR_RATE_LIMITER');
export const FSR_DEVICE_TOKENS = Symbol('FSR_DEVICE_TOKENS');
export const FSR_TOKEN_GENERATIONS = Symbol('FSR_TOKEN_GENERATIONS');

/** The clock (the platform's one Clock, epoch ms), injected so services and rules can be tested at any time. */
export { systemClock, type Clock } from '@squirret/server-kit';
