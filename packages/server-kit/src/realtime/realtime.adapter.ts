import type { INestApplicationContext } from '@nestjs/common';
import { AbstractWsAdapter, WebSocketGateway, type MessageMappingProperties } from '@nestjs/websockets';
import { EMPTY, type Observable } from 'rxjs';
import { filter, mergeMap } from 'rxjs/operators';
import { MetricsService } from '../metrics/metrics';
import { WsUpgradeRouter } from '../ws/upgrade-router';
import { CLOSE_CODES } from '@squirret/contracts';
import { RealtimeServer, type RealtimeSocket } from './realtime-server';
import { gatewayStats } from './realtime.metrics';

/** The gateway options the realtime adapter reads: a metrics name and the path pattern the router matches. */
export interface RealtimeGatewayMetadata {
  readonly path: string;
  readonly realtime: { readonly name: string; readonly pattern: RegExp };
}

/**
 * Marks a class as a realtime gateway (a NestJS `@WebSocketGateway` on the HTTP server's port):
 * `name` labels its metrics and logs, `pattern` is the upgrade path (named groups become
 * `match.params`). The gateway gives its settings in `afterInit(server)` (see RealtimeGatewayHooks).
 */
export function RealtimeGateway(name: string, pattern: RegExp): ClassDecorator {
  return WebSocketGateway<RealtimeGatewayMetadata>({ path: pattern.source, realtime: { name, pattern } });
}

/** The NestJS gateway hooks as the realtime layer calls them. */
export interface RealtimeGatewayHooks<C> {
  /** Called once with the gateway's server: give it its options with `server.configure(...)`. */
  afterInit(server: RealtimeServer<C>): void;
  /** Called for each accepted (authenticated) socket: attach the protocol with `socket.onMessage`. */
  handleConnection(socket: RealtimeSocket<C>, ...rest: unknown[]): void;
  /** Called once when an accepted socket closed. */
  handleDisconnect?(socket: RealtimeSocket<C>): void;
}

/**
 * The NestJS WebSocket adapter of every app (set by createHttpApp): each gateway gets a
 * RealtimeServer routed by WsUpgradeRouter on the app's own HTTP server (so the all-in-one
 * process serves every gateway on one port), and Nest's shutdown calls `close(server)` after every
 * `beforeApplicationShutdown` hook and before the HTTP server closes: that is the drain step.
 */
export class RealtimeAdapter extends AbstractWsAdapter<RealtimeServer, RealtimeSocket> {
  private readonly servers: RealtimeServer[] = [];

  constructor(private readonly app: INestApplicationContext) {
    super();
  }

  override create(port: number, options?: Partial<RealtimeGatewayMetadata>): RealtimeServer {
    const realtime = options?.realtime;
    if (port !== 0 || !realtime) throw new Error('realtime gateways are declared with @RealtimeGateway(name, pattern) and share the HTTP port');
    const metrics = this.app.get(MetricsService, { strict: false });
    const router = this.app.get(WsUpgradeRouter, { strict: false });
    const server = new RealtimeServer(realtime.name, gatewayStats(metrics.registry, realtime.name));
    router.register(realtime.name, realtime.pattern, (req, socket, head, match) => server.upgrade(req, socket, head, match));
    this.servers.push(server);
    return server;
  }

  override bindClientConnect(server: RealtimeServer, callback: (socket: RealtimeSocket, ...args: unknown[]) => void): void {
    server.onConnection(callback);
  }

  override bindClientDisconnect(client: RealtimeSocket, callback: () => void): void {
    client.onClose(() => callback());
  }

  /**
   * `@SubscribeMessage(event)` handlers, for gateways that speak JSON `{ "event", "data" }` (Nest's
   * ws convention); a handler's result is sent back as JSON. The platform's gateways speak their
   * own protocols (STOMP, binary frames) with `socket.onMessage` and have none.
   */
  bindMessageHandlers(client: RealtimeSocket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length === 0) return;
    client.onMessage((data, isBinary) => {
      if (isBinary) return;
      let msg: { event?: unknown; data?: unknown };
      try {
        msg = JSON.parse(data.toString('utf8')) as typeof msg;
      } catch {
        client.close(CLOSE_CODES.UNSUPPORTED_DATA, 'message is not JSON');
        return;
      }
      const handler = handlers.find((h) => h.message === msg.event);
      if (!handler) return;
      transform(handler.callback(msg.data, msg.event))
        .pipe(
          filter((r) => r !== undefined),
          mergeMap((r) => (client.isOpen ? [r] : EMPTY)),
        )
        .subscribe((r) => client.send(JSON.stringify(r)));
    });
  }

  /** The drain step of one gateway (Nest calls it for each server at shutdown). */
  override close(server: RealtimeServer): Promise<void> {
    return server.drain();
  }
}
