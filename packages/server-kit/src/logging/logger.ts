import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { redactUrl, sessionIdFromUrl } from './redact';

/** Settings of the structured JSON logger. */
export interface LoggingOptions {
  readonly level: string;
  readonly service: string;
  /** Where log lines go (a file descriptor or stream); stdout by default. */
  readonly destination?: NodeJS.WritableStream;
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);
/**
 * High-rate device ingest: a success is counted by metrics instead of a log line per sample (at
 * 2,000 samples/s the line costs more than the request); failures are still logged.
 */
const QUIET_ON_SUCCESS = new Set(['/api/fsr_data', '/api/fsr_data/batch']);

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
    // The request-logging middleware is skipped on the high-rate device ingest routes altogether
    // (it costs more than the request there); they are counted by outcome in Prometheus, and
    // unexpected errors are still logged by the error filter.
    exclude: [...QUIET_ON_SUCCESS].map((path) => ({ method: RequestMethod.POST, path: path.slice(1) })),
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
      customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) => {
        if (err || res.statusCode >= 500) return 'error';
        if (res.statusCode >= 400) return 'warn';
        return QUIET_ON_SUCCESS.has((req.url ?? '').split('?')[0] ?? '') ? 'silent' : 'info';
      },
      customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${redactUrl(req.url)} ${res.statusCode}`,
      customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${redactUrl(req.url)} ${res.statusCode}`,
    },
  });
}
