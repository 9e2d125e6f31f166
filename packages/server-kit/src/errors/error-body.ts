import { AppError, ERROR_TABLE, errorBody, type ErrorBody, type ErrorCode } from '@squirret/contracts';
import { DEPENDENCY_RETRY_AFTER_SEC, isDependencyUnavailable } from './dependency-errors';

/** What an edge needs to answer an error: the status, the contract's body, extra headers, and whether to log it as a fault. */
export interface MappedError {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  readonly unexpected: boolean;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Fastify's own error codes (raised before our handlers run) mapped onto the error table. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_ERROR',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
};

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'NOT_READY',
};

const FRIENDLY: Partial<Record<ErrorCode, string>> = {
  MALFORMED_JSON: 'request body is not valid JSON',
  UNSUPPORTED_MEDIA_TYPE: 'content type must be application/json',
  PAYLOAD_TOO_LARGE: 'request body is too large',
  ROUTE_NOT_FOUND: 'no such route',
  METHOD_NOT_ALLOWED: 'method not allowed',
};

/**
 * Maps anything thrown at an edge to the error body (docs/contracts/ios-api.md §0). Domain AppErrors keep their code and
 * message; framework errors get a code from the table; everything else is a 500 whose message
 * never carries internals.
 */
export function mapError(err: unknown, path: string): MappedError {
  if (err instanceof AppError) {
    return { status: err.status, body: errorBody(err.code, err.message, path), headers: err.headers, unexpected: false };
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as FastifyLikeError & { getStatus?: () => number };
  const fastifyCode = e.code !== undefined ? FASTIFY_CODES[e.code] : undefined;
  if (fastifyCode) {
    return known(fastifyCode, FRIENDLY[fastifyCode] ?? 'bad request', path);
  }
  if (e.code === 'FST_ERR_VALIDATION' || (e as { validation?: unknown }).validation) {
    return known('VALIDATION_ERROR', e.message ?? 'invalid request', path);
  }
  // SyntaxError from JSON.parse in the body parser.
  if (err instanceof SyntaxError && (e.statusCode === 400 || /JSON/i.test(e.message ?? ''))) {
    return known('MALFORMED_JSON', FRIENDLY.MALFORMED_JSON ?? 'bad JSON', path);
  }
  const status = typeof e.getStatus === 'function' ? e.getStatus() : e.statusCode;
  // Nest rewraps Fastify's parser errors as HttpException(message, status), losing the code.
  if (status === 400 && /not valid JSON|in JSON at position|Unexpected token|Unexpected end of JSON/i.test(e.message ?? '')) {
    return known('MALFORMED_JSON', FRIENDLY.MALFORMED_JSON ?? 'bad JSON', path);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'VALIDATION_ERROR';
    return known(code, FRIENDLY[code] ?? e.message ?? 'bad request', path);
  }
  if (isDependencyUnavailable(err)) {
    return {
      status: ERROR_TABLE.DEPENDENCY_UNAVAILABLE,
      body: errorBody('DEPENDENCY_UNAVAILABLE', 'a dependency of this service is unavailable; retry shortly', path),
      headers: { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SEC) },
      unexpected: false,
    };
  }
  return { status: 500, body: errorBody('INTERNAL_ERROR', 'internal server error', path), headers: {}, unexpected: true };
}

function known(code: ErrorCode, message: string, path: string): MappedError {
  return { status: ERROR_TABLE[code], body: errorBody(code, message, path), headers: {}, unexpected: false };
}

/** The request path without its query string (query strings may carry tokens). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
