/**
 * Errors that mean a dependency (PostgreSQL, Redis) is away rather than that the request is bad or
 * the code is wrong: the edge answers them 503 DEPENDENCY_UNAVAILABLE with Retry-After, which a
 * client retries, instead of a 500.
 */

/** Seconds a client is asked to wait before retrying during a dependency outage. */
export const DEPENDENCY_RETRY_AFTER_SEC = 1;

/** Socket-level codes of a refused, reset or unreachable connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * PostgreSQL SQLSTATEs of a server going away or not taking connections: class 08 (connection
 * exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up
 * or shutting down), 53300 too_many_connections.
 */
const PG_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages of node-postgres, pg-pool and ioredis that carry no code. */
const MESSAGES = [
  /connection terminated/i, // pg: "Connection terminated unexpectedly" / "… due to connection timeout"
  /timeout exceeded when trying to connect/i, // pg-pool: connectionTimeoutMillis
  /client has encountered a connection error and is not queryable/i, // pg
  /connection is closed/i, // ioredis
  /stream isn't writeable/i, // ioredis with enableOfflineQueue: false
  /reached the max retries per request limit/i, // ioredis MaxRetriesPerRequestError
  /^command timed out$/i, // ioredis commandTimeout
];

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** Whether `err` (or what it wraps: TypeORM's `driverError`, a `cause`, an AggregateError's errors) is a dependency outage. */
export function isDependencyUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as ErrorLike;
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) || PG_STATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (e.driverError !== undefined && isDependencyUnavailable(e.driverError, depth + 1)) return true;
  if (e.cause !== undefined && isDependencyUnavailable(e.cause, depth + 1)) return true;
  if (Array.isArray(e.errors)) return e.errors.some((x) => isDependencyUnavailable(x, depth + 1));
  return false;
}
