import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import proxyAddr from '@fastify/proxy-addr';
import { AppError } from '@squirret/contracts';
import sjson from 'secure-json-parse';
import { mapError, pathOf } from '../errors/error-body';
import type { MetricsService } from '../metrics/metrics';

/**
 * Fast routes: a few high-rate JSON POST routes (device ingest) answered straight from the Node
 * HTTP server, before Fastify's and Nest's per-request pipelines (hooks, middleware, interceptors),
 * which cost several times the route's own work. Measured on the FSR ingest: 0.23 of a raw
 * node:http server through the full pipeline, about 0.7 on this path (bench/fsr).
 *
 * The route keeps the contract of the normal pipeline, and a parity test holds it to that: JSON
 * only (415 otherwise), the body limit (413), strict JSON with prototype poisoning refused (400
 * MALFORMED_JSON), an empty body handed over as `undefined`, every error in the contract's body via
 * the same `mapError` as the global filter, unexpected errors logged without internals in the
 * answer, and request metrics under the route's path. Requests are not logged one line each (as
 * with `unloggedPostRoutes`). While the server is closing, requests go to Fastify, which answers
 * 503.
 *
 * The handler is usually a Nest controller method, called with the headers and the parsed body, so
 * the route stays documented in OpenAPI and works through Nest too when the fast path is off.
 */
export interface FastRequest {
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; `undefined` when the body was empty. */
  readonly body: unknown;
  /**
   * The client's address as Fastify's `request.ip` gives it: the socket's peer, or with
   * `trustProxy` the first address of `X-Forwarded-For` (the same `@fastify/proxy-addr`).
   */
  readonly ip: string;
}

export interface FastRoute {
  readonly method: 'POST';
  /** The exact path (a query string is allowed and ignored). */
  readonly path: string;
  /** The status of a successful answer. */
  readonly status: number;
  readonly handle: (req: FastRequest) => Promise<unknown>;
}

export interface FastRoutesOptions {
  readonly bodyLimitBytes: number;
  /** As the app's Fastify option: trust `X-Forwarded-For` for the client address. */
  readonly trustProxy?: boolean;
}

const TRUST_ALL = (): boolean => true;

const JSON_TYPE = 'application/json; charset=utf-8';
const logger = new Logger('errors');

/** The routes of one HTTP server; `dispatch` answers a request when it is one of them. */
export class FastRoutes {
  private readonly routes = new Map<string, FastRoute>();
  private metrics: MetricsService | undefined;
  private closing = false;

  constructor(private readonly options: FastRoutesOptions) {}

  add(route: FastRoute): void {
    if (this.routes.has(route.path)) throw new Error(`fast route ${route.path} registered twice`);
    this.routes.set(route.path, route);
  }

  get size(): number {
    return this.routes.size;
  }

  /** Request metrics go to the app's histogram once the app exists. */
  attachMetrics(metrics: MetricsService): void {
    this.metrics = metrics;
  }

  /** From now on every request goes through the normal pipeline (which refuses while closing). */
  close(): void {
    this.closing = true;
  }

  /** Answers `req` and returns true when it is a fast route; false leaves it to the caller. */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.closing || req.method !== 'POST' || this.routes.size === 0) return false;
    const route = this.routes.get(pathOf(req.url));
    if (!route) return false;
    this.serve(route, req, res);
    return true;
  }

  private serve(route: FastRoute, req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const refuse = (err: unknown, closeConnection = false): void => {
      const mapped = mapError(err, route.path);
      if (mapped.unexpected) {
        logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'unhandled error');
      }
      this.answer(route, res, mapped.status, mapped.body, started, mapped.headers, closeConnection);
    };

    const mediaType = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (mediaType === undefined ? hasBody : !isJson(mediaType)) {
      refuse(new AppError('UNSUPPORTED_MEDIA_TYPE', 'content type must be application/json'));
      req.resume();
      return;
    }
    const limit = this.options.bodyLimitBytes;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      refuse(new AppError('PAYLOAD_TOO_LARGE', 'request body is too large'), true);
      req.resume();
      return;
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > limit) {
        refused = true;
        chunks.length = 0;
        refuse(new AppError('PAYLOAD_TOO_LARGE', 'request body is too large'), true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      refused = true;
    });
    req.on('end', () => {
      if (refused) return;
      let body: unknown;
      try {
        body = parseJson(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8'));
      } catch {
        refuse(new AppError('MALFORMED_JSON', 'request body is not valid JSON'));
        return;
      }
      let pending: Promise<unknown>;
      try {
        pending = route.handle({ headers: req.headers, body, ip: this.clientIp(req) });
      } catch (err) {
        refuse(err); // a handler that throws before returning its promise
        return;
      }
      pending.then(
        (result) => this.answer(route, res, route.status, result, started),
        (err: unknown) => refuse(err),
      );
    });
  }

  private clientIp(req: IncomingMessage): string {
    return (this.options.trustProxy ? proxyAddr(req, TRUST_ALL) : req.socket.remoteAddress) ?? '';
  }

  private answer(
    route: FastRoute,
    res: ServerResponse,
    status: number,
    body: unknown,
    started: number,
    headers: Readonly<Record<string, string>> = {},
    closeConnection = false,
  ): void {
    if (res.headersSent || res.destroyed) return;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(payload),
      ...(closeConnection ? { connection: 'close' } : {}),
    });
    res.end(payload);
    this.metrics?.httpDuration.observe({ method: route.method, route: route.path, status: String(status) }, (performance.now() - started) / 1000);
  }
}

/** `application/json`, with or without parameters, in any letter case. */
function isJson(mediaType: string): boolean {
  const semi = mediaType.indexOf(';');
  return (semi === -1 ? mediaType : mediaType.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

/** Strict JSON as Fastify's default parser reads it: `__proto__` and `constructor.prototype` refused. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}
