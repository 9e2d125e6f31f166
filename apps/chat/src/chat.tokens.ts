/** Injection tokens of the chat service's named I/O. */
export const CHAT_BUS = Symbol('CHAT_BUS');
export const CHAT_CONFIG = Symbol('CHAT_CONFIG');
export const CHAT_DATA_SOURCE = Symbol('CHAT_DATA_SOURCE');
export const CHAT_TOKENS = Symbol('CHAT_TOKENS');
export const CHAT_CLOCK = Symbol('CHAT_CLOCK');
/** The per-user message rate limiter (Redis-backed when the process has Redis). */
export const CHAT_MESSAGE_LIMITER = Symbol('CHAT_MESSAGE_LIMITER');

/** The clock (the platform's one Clock, epoch ms), injected so pushes can be tested at any time. */
export { systemClock, type Clock } from '@squirret/server-kit';
/** The couple chat's AI participant (a ChatAssistant; the rule-based mediator by default). */
export const CHAT_ASSISTANT = Symbol('CHAT_ASSISTANT');
