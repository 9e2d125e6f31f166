import { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const corked = new Set<Socket>();
let scheduled = false;

function uncorkAll(): void {
  scheduled = false;
  const sockets = [...corked];
  corked.clear();
  for (const s of sockets) if (!s.destroyed) s.uncork();
}

/**
 * Holds a WebSocket's writes until the current turn of the event loop is over (setImmediate): a
 * stored batch acks and delivers several frames to the same socket in one turn, and corking sends
 * them in one write system call instead of one each. Order and content are unchanged; only the
 * moment the kernel gets them moves to the end of the turn. A socket `ws` does not expose as a
 * `net.Socket` is left as it is.
 */
export function corkForThisTurn(ws: WebSocket): void {
  const raw: unknown = Reflect.get(ws, '_socket');
  if (!(raw instanceof Socket) || corked.has(raw) || raw.destroyed) return;
  raw.cork();
  corked.add(raw);
  if (!scheduled) {
    scheduled = true;
    setImmediate(uncorkAll);
  }
}
