import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { errorBody, ERROR_TABLE, type ErrorCode } from '@squirret/contracts';
import { pathOf } from '../errors/error-body';
import { redactUrl } from '../logging/redact';

/** What the router matched: `params` are the pattern's named groups, `query` the parsed query. */
export interface UpgradeMatch {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
}

/** Handles one matched upgrade request. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, match: UpgradeMatch) => void;

interface Route {
  readonly name: string;
  readonly pattern: RegExp;
  readonly handler: UpgradeHandler;
}

/**
 * One place where WebSocket upgrades of the HTTP server are routed by path, so several gateways
 * (`/ws`, `/ws/fsr-data`, `/ws/{sessionId}`, chat rooms…) share one port in the all-in-one process.
 * An upgrade to no known path is answered 404 in the error body (docs/contracts/ios-api.md §0).
 */
@Injectable()
export class WsUpgradeRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ws-router');
  private readonly routes: Route[] = [];
  private server: Server | undefined;
  private readonly listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.route(req, socket, head);

  constructor(private readonly http: HttpAdapterHost) {}

  /** Registers a gateway. Exact patterns are tried before looser ones in registration order. */
  register(name: string, pattern: RegExp, handler: UpgradeHandler): void {
    this.routes.push({ name, pattern, handler });
  }

  onApplicationBootstrap(): void {
    this.server = this.http.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.listener);
  }

  onApplicationShutdown(): void {
    this.server?.off('upgrade', this.listener);
  }

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const path = pathOf(url);
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
      try {
        r.handler(req, socket, head, { params: { ...(m.groups ?? {}) }, query });
      } catch (err) {
        this.logger.error({ route: r.name, url: redactUrl(url), err: String(err) }, 'upgrade handler failed');
        rejectUpgrade(socket, 'INTERNAL_ERROR', 'internal server error', path);
      }
      return;
    }
    rejectUpgrade(socket, 'ROUTE_NOT_FOUND', 'no WebSocket endpoint at this path', path);
  }
}

/** Refuses an upgrade with an HTTP status and the error body (docs/contracts/ios-api.md §0), then closes the socket. */
export function rejectUpgrade(socket: Duplex, code: ErrorCode, message: string, path: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const status = ERROR_TABLE[code];
  const body = JSON.stringify(errorBody(code, message, path));
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${errorBody(code, '', '').error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`,
  );
}
