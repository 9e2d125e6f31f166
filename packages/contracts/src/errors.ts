import { z } from 'zod';

/**
 * The one error table: every error code any service answers with, and the HTTP status it maps to.
 * Domain code throws codes; the edge (HTTP filter, WebSocket gateway) maps them through this table.
 */
export const ERROR_TABLE = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SESSION_ALREADY_UPGRADED: 409,
  SESSION_FINISHED: 409,
  DEVICE_TOKENS_DISABLED: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  NO_CAPACITY: 503,
  NOT_READY: 503,
  INGEST_OVERLOADED: 503,
  /** The process is shutting down: retry (another instance, or this one after its restart). */
  SHUTTING_DOWN: 503,
  /** A dependency (PostgreSQL, Redis) is unreachable; retry after `Retry-After` seconds. */
  DEPENDENCY_UNAVAILABLE: 503,
  // chat rooms (docs/chat-rooms.md)
  ROOM_NOT_FOUND: 404,
  NOT_A_MEMBER: 403,
  NOT_A_TRAINER: 403,
  TRAINER_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  MESSAGE_TOO_LONG: 400,
  NO_PENDING_QUESTION: 409,
  CHAT_SESSION_ENDED: 409,
  CHAT_STORE_FAILED: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Reason phrases for the `error` field, as Spring writes them. */
export const HTTP_REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The contract's common error body, used by every REST error of every service. */
export const ErrorBodySchema = z.object({
  timestamp: z.string(),
  status: z.number().int(),
  error: z.string(),
  code: z.string(),
  message: z.string(),
  path: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Builds the error body for a code (the status comes from the table). */
export function errorBody(code: ErrorCode, message: string, path: string, now: Date = new Date()): ErrorBody {
  const status = ERROR_TABLE[code];
  return {
    timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    status,
    error: HTTP_REASON[status] ?? 'Error',
    code,
    message,
    path,
  };
}

/** A domain error carrying a code from the table; never an HTTP exception. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers the edge should set (e.g. Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_TABLE[this.code];
  }
}
