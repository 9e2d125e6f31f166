import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { redactUrl, sessionIdFromUrl } from './redact';

/** Settings of the structured JSON logger. */
export interface LoggingOptions {
  readonly level: string;
  readonly service: string;
  /**
   * POST routes the request logger skips altogether (high-rate device ingest, where a line per
   * request costs more than the request; the app counts them in its metrics instead).
   */
  readonly unloggedPostRoutes?: readonly string[];
  /** Where log lines go (a file descriptor or stream); stdout by default. */
  readonly destination?: NodeJS.WritableStream;
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** pino options shared by the HTTP logger and anything else that logs. Headers are never logged. */
export function pinoOptions(options: LoggingOptions) {
  return {
    level: options.level,
    base: { service: options.service },
    messageKey: 'msg',
    redact: {
      paths: ['req.headers', 'headers.authorization', 'headers["x-internal-api-key"]', 'token', 'wsToken', '*.token', '*.wsToken'],
      censor: '[REDACTED]',
    },
  };
}

/** The nestjs-pino module: one JSON line per request, with sessionId, tokens stripped from URLs. */
export function loggerModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    // Unexpected errors on unlogged routes are still logged by the error filter.
    ...(options.unloggedPostRoutes?.length
      ? { exclude: options.unloggedPostRoutes.map((path) => ({ method: RequestMethod.POST, path: path.replace(/^\//, '') })) }
      : {}),
    pinoHttp: {
      ...pinoOptions(options),
      ...(options.destination ? { stream: options.destination } : {}),
      serializers: {
        req: (req: IncomingMessage & { id?: unknown; raw?: IncomingMessage }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      customProps: (req: IncomingMessage) => {
        const sessionId = sessionIdFromUrl(req.url);
        return sessionId ? { sessionId } : {};
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0] ?? '') },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => {
        if (err || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        return 'info';
      },
      customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${redactUrl(req.url)} ${res.statusCode}`,
      customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${redactUrl(req.url)} ${res.statusCode}`,
    },
  });
}
