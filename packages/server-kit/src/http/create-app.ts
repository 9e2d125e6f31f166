import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, type ErrorCode } from '@squirret/contracts';
import { type INestApplication, type Type, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { MetricsService } from '../metrics/metrics';
import { RealtimeAdapter } from '../realtime/realtime.adapter';
import { ZodValidationPipe } from '../validation/zod';
import { FastRoutes, type FastRoute } from './fast-routes';

/** The server timeouts Fastify resolves from its options (its defaults: keep-alive 72 s, no request or connection timeout). */
interface ServerTimeouts {
  readonly keepAliveTimeout: number;
  readonly requestTimeout: number;
  readonly connectionTimeout: number;
  readonly maxRequestsPerSocket: number;
}

/** HTTP settings every app shares. */
export interface HttpOptions {
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  /**
   * High-rate JSON POST routes served before Fastify's and Nest's pipelines (see fast-routes.ts),
   * given the created app so handlers can come from its container.
   */
  readonly fastRoutes?: (app: NestFastifyApplication) => readonly FastRoute[];
  /**
   * Time a client has to send a whole request (headers and body) and its headers alone. Without
   * them a client dribbling a body one byte at a time holds a socket for ever (500 such sockets
   * were still open after 130 s). Defaults: 30 s and 10 s.
   */
  readonly requestTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
}

/** Seconds a client is told to wait before retrying while this process shuts down. */
const SHUTDOWN_RETRY_AFTER_SEC = '2';

/**
 * Builds a NestJS application on Fastify with what every service needs: the error body (docs/contracts/ios-api.md §0) for
 * every failure (including Fastify's own: bad JSON, 413, 415, unknown route), JSON only (an empty
 * body is allowed, as the contract's cURL steps send `Content-Type: application/json` with none),
 * structured logs, request metrics and shutdown hooks.
 */
export async function createHttpApp(root: Type<unknown> | DynamicModule, options: HttpOptions): Promise<NestFastifyApplication> {
  const fast = new FastRoutes({ bodyLimitBytes: options.bodyLimitBytes, trustProxy: options.trustProxy });
  const adapter = new FastifyAdapter({
    // The Node server answers fast routes itself and hands everything else to Fastify.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void, fastifyOptions: Record<string, unknown>) => {
      const opts = fastifyOptions as unknown as ServerTimeouts;
      const requestTimeout = options.requestTimeoutMs ?? 30_000;
      const server = createServer(
        {
          requestTimeout,
          headersTimeout: Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout),
          // How often Node checks those deadlines (its default, 30 s, would let a slow client overstay).
          connectionsCheckingInterval: 1_000,
        },
        (req, res) => {
          if (!fast.dispatch(req, res)) handler(req, res);
        },
      );
      server.on('clientError', answerClientError);
      // The timeouts Fastify sets on a server it creates itself.
      server.keepAliveTimeout = opts.keepAliveTimeout;
      server.setTimeout(opts.connectionTimeout);
      if (opts.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    },
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    logger: false,
    // While closing, requests are answered by our hook below in the contract's body, not Fastify's.
    return503OnClosing: false,
    // Request ids are generated here; a client-supplied one is ignored.
    genReqId: () => randomUUID(),
  });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  installJsonOnly(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(new ZodValidationPipe());
  // Every WebSocket gateway goes through the realtime layer (routing, auth, limits, metrics, drain).
  app.useWebSocketAdapter(new RealtimeAdapter(app));

  const metrics = app.get(MetricsService, { strict: false });
  for (const route of options.fastRoutes?.(app) ?? []) fast.add(route);
  fast.attachMetrics(metrics);
  let closing = false;
  fastify.addHook('preClose', (done: () => void) => {
    closing = true;
    fast.close();
    done();
  });
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!closing) return done();
    void reply
      .status(503)
      .headers({ 'retry-after': SHUTDOWN_RETRY_AFTER_SEC, connection: 'close' })
      .type('application/json; charset=utf-8')
      .send(errorBody('SHUTTING_DOWN', 'server is shutting down; retry', req.url.split('?')[0] ?? '/'));
  });
  // A callback hook (not async): no promise and no extra tick per request.
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  // Fastify's own errors (body parsing, limits) reach AllExceptionsFilter through Nest's error
  // handler, which Nest installs at init; mapError recognises them.
  return app;
}

/** What Node's HTTP parser reports before any handler runs, in the error table's terms. */
const CLIENT_ERRORS: Readonly<Record<string, ErrorCode>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
};

/**
 * Node's own answers to a request it could not read (a timeout, oversized headers, bytes that are
 * not HTTP) in the error body (docs/contracts/ios-api.md §0); then the socket is closed.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const code = CLIENT_ERRORS[err.code ?? ''] ?? 'VALIDATION_ERROR';
  const body = JSON.stringify(errorBody(code, code === 'VALIDATION_ERROR' ? 'malformed HTTP request' : code === 'REQUEST_TIMEOUT' ? 'request not received in time' : 'request headers are too large', '/'));
  const status = code === 'REQUEST_TIMEOUT' ? '408 Request Timeout' : code === 'HEADERS_TOO_LARGE' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function installJsonOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  const strictJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    strictJson(req, text, done);
  });
}

/** Listens on the given host and port and returns the bound port (0 picks a free one). */
export async function listen(app: INestApplication, host: string, port: number): Promise<number> {
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address ? address.port : port;
}
