import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type INestApplication, type Type, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { MetricsService } from '../metrics/metrics';
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
}

/**
 * Builds a NestJS application on Fastify with what every service needs: the seed's error body for
 * every failure (including Fastify's own: bad JSON, 413, 415, unknown route), JSON only (an empty
 * body is allowed, as the seed's cURL steps send `Content-Type: application/json` with none),
 * structured logs, request metrics and shutdown hooks.
 */
export async function createHttpApp(root: Type<unknown> | DynamicModule, options: HttpOptions): Promise<NestFastifyApplication> {
  const fast = new FastRoutes({ bodyLimitBytes: options.bodyLimitBytes });
  const adapter = new FastifyAdapter({
    // The Node server answers fast routes itself and hands everything else to Fastify.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void, fastifyOptions: Record<string, unknown>) => {
      const opts = fastifyOptions as unknown as ServerTimeouts;
      const server = createServer((req, res) => {
        if (!fast.dispatch(req, res)) handler(req, res);
      });
      // The timeouts Fastify sets on a server it creates itself.
      server.keepAliveTimeout = opts.keepAliveTimeout;
      server.requestTimeout = opts.requestTimeout;
      server.setTimeout(opts.connectionTimeout);
      if (opts.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    },
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    logger: false,
    // Request ids are generated here; a client-supplied one is ignored.
    genReqId: () => randomUUID(),
  });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  installJsonOnly(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(new ZodValidationPipe());

  const metrics = app.get(MetricsService, { strict: false });
  for (const route of options.fastRoutes?.(app) ?? []) fast.add(route);
  fast.attachMetrics(metrics);
  fastify.addHook('preClose', (done: () => void) => {
    fast.close();
    done();
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
