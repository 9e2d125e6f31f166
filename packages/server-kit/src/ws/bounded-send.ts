import { CLOSE_CODES } from '@squirret/contracts';
import type { WebSocket } from 'ws';
import { closeSocket } from './close';

/** Options of a text frame sent from a Buffer (a STOMP frame is serialised to bytes but is text). */
const TEXT = { binary: false } as const;

let slowConsumerCloses = 0;

/** Sockets this process closed as slow consumers (4008) so far (`ws_slow_consumer_closes_total`). */
export function slowConsumerCloseCount(): number {
  return slowConsumerCloses;
}

/**
 * Sends to a socket unless its unsent backlog would go over `maxBufferedBytes`: a slow consumer is
 * cut off with SLOW_CONSUMER (4008) instead of growing the server's memory. Returns the bytes
 * queued, -1 when the socket is not open, -2 when it was cut off. `text` sends a Buffer as a text
 * frame (strings are always text).
 */
export function sendBounded(ws: WebSocket, data: string | Buffer, maxBufferedBytes: number, text = false): number {
  if (ws.readyState !== 1 /* OPEN */) return -1;
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (ws.bufferedAmount + bytes > maxBufferedBytes) {
    slowConsumerCloses++;
    closeSocket(ws, CLOSE_CODES.SLOW_CONSUMER, 'slow consumer: send buffer overflow');
    // A client that does not read will not answer the close handshake either.
    setTimeout(() => ws.terminate(), 5_000).unref();
    return -2;
  }
  if (text && typeof data !== 'string') ws.send(data, TEXT);
  else ws.send(data);
  return bytes;
}

/** sendBounded as a yes/no: false when the message was not sent. */
export function boundedSend(ws: WebSocket, data: string | Buffer, maxBufferedBytes: number): boolean {
  return sendBounded(ws, data, maxBufferedBytes) >= 0;
}
