/** Injection token of the sessions store (PostgreSQL in the app, a fake in unit tests). */
export const SESSIONS_STORE = Symbol('SESSIONS_STORE');
