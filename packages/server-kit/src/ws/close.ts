import { CLOSE_CODES } from '@squirret/contracts';
import type { WebSocket } from 'ws';

/** RFC 6455 §5.5: a control frame's payload is at most 125 bytes, two of them the close code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Cuts a close reason to 123 UTF-8 bytes on a character boundary. A JavaScript `slice` counts
 * UTF-16 units, not bytes (40 Hangul characters are 120 units but 120 bytes + more), and `ws`
 * throws RangeError for a longer reason: every close in every gateway goes through here.
 */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let bytes = 0;
  let out = '';
  for (const ch of reason) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > MAX_CLOSE_REASON_BYTES) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** Close codes `ws` accepts from a server: 1000, 1001-1003, 1007-1014 and 3000-4999. */
export function isSendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    (code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/**
 * Closes a socket with a code from the table and a reason cut to fit; never throws. A code `ws`
 * would refuse becomes 1011; a socket whose close still fails is terminated.
 */
export function closeSocket(ws: WebSocket, code: number, reason = ''): void {
  try {
    ws.close(isSendableCloseCode(code) ? code : CLOSE_CODES.INTERNAL_ERROR, closeReason(reason));
  } catch {
    ws.terminate();
  }
}

/** Where a contained fault is reported (a logger's `error`, a metric). */
export type SocketFaultReporter = (err: unknown, where: string) => void;

/**
 * Runs one connection's handler so that an exception in it closes that connection (1011) and is
 * reported, never the process: synchronous throws and rejected promises alike.
 */
export function containSocketFault(ws: WebSocket, where: string, report: SocketFaultReporter, fn: () => unknown): void {
  const fail = (err: unknown) => {
    try {
      report(err, where);
    } catch {
      /* a failing reporter must not undo the containment */
    }
    closeSocket(ws, CLOSE_CODES.INTERNAL_ERROR, 'internal error');
  };
  try {
    const r = fn();
    if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, fail);
  } catch (err) {
    fail(err);
  }
}

/** Wraps a timer's callback so that its exception is reported instead of ending the process. */
export function guardedTimer(where: string, report: SocketFaultReporter, fn: () => unknown): () => void {
  return () => {
    try {
      const r = fn();
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, (err) => report(err, where));
    } catch (err) {
      report(err, where);
    }
  };
}
