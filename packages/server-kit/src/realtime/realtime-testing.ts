import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { RealtimeServer, type RealtimeSocket } from './realtime-server';
import { GatewayStats } from './realtime.metrics';

/**
 * Unit tests of a protocol over the realtime layer without a network: takes a `ws` stand-in (an
 * EventEmitter with `send`, `close`, `terminate`, `readyState`, `bufferedAmount`) into a layer
 * server of its own and returns the socket a gateway's handleConnection would get.
 */
export function realtimeSocketFor<C>(ws: unknown, context: C, maxBufferedBytes = 1 << 20): RealtimeSocket<C> {
  const server = new RealtimeServer<C>('test', new GatewayStats('test'));
  server.configure({ maxPayload: 1 << 20, maxBufferedBytes, pingMs: 0, authenticate: () => ({ refuse: 'UNAUTHORIZED', message: 'stand-in only' }) });
  let socket: RealtimeSocket<C> | undefined;
  server.onConnection((s) => (socket = s));
  server.accept(ws as WebSocket, context, {} as IncomingMessage);
  return socket!;
}
