import { CLOSE_CODES } from '@squirret/contracts';
import type { WebSocket } from 'ws';
import { closeSocket } from './close';

let slowConsumerCloses = 0;

/** Sockets this process closed as slow consumers (4008) so far (`ws_slow_consumer_closes_total`). */
export function slowConsumerCloseCount(): number {
  return slowConsumerCloses;
}

/**
 * Sends to a socket unless its unsent backlog is over `maxBufferedBytes`: a slow consumer is cut
 * off with SLOW_CONSUMER (4008) instead of growing the server's memory. Returns false when the
 * message was not sent.
 */
export function boundedSend(ws: WebSocket, data: string | Buffer, maxBufferedBytes: number): boolean {
  if (ws.readyState !== ws.OPEN) return false;
  if (ws.bufferedAmount + (typeof data === 'string' ? Buffer.byteLength(data) : data.length) > maxBufferedBytes) {
    slowConsumerCloses++;
    closeSocket(ws, CLOSE_CODES.SLOW_CONSUMER, 'slow consumer: send buffer overflow');
    // A client that does not read will not answer the close handshake either.
    setTimeout(() => ws.terminate(), 5_000).unref();
    return false;
  }
  ws.send(data);
  return true;
}
