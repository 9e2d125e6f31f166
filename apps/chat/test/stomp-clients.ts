import { WebSocket } from 'ws';
import { stompClientLib } from '@squirret/stomp/dist/testing/client-frames';

/** A parsed server frame as a simple client sees it. */
export interface SeenFrame {
  readonly command: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Parses exactly one frame per WebSocket message, LF only, like StompClientLib; "\n" is a heart-beat. */
export function parseOneFrame(data: string): SeenFrame | 'heartbeat' {
  if (data === '\n') return 'heartbeat';
  const nul = data.lastIndexOf('\0');
  const text = nul >= 0 ? data.slice(0, nul) : data;
  const split = text.indexOf('\n\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 2) : '';
  const [command, ...lines] = head.split('\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0 && !(line.slice(0, i) in headers)) headers[line.slice(0, i)] = line.slice(i + 1);
  }
  return { command: command ?? '', headers, body };
}

/**
 * A client that sends byte for byte what StompClientLib (iOS) sends: no subprotocol, CONNECT with
 * only accept-version, SUBSCRIBE with id = destination, SEND with a JSON content type and byte
 * content-length; it reads one frame per message and answers a server heart-beat with "\n".
 */
export class RawStompClientLib {
  readonly frames: SeenFrame[] = [];
  heartbeats = 0;
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = parseOneFrame(data.toString());
      if (f === 'heartbeat') {
        this.heartbeats++;
        ws.send(stompClientLib.pong());
      } else this.frames.push(f);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(url: string): Promise<RawStompClientLib> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new RawStompClientLib(ws);
      ws.once('open', () => {
        // StompClientLib fails when the server picks a subprotocol it did not ask for.
        if (ws.protocol !== '') reject(new Error(`server sent subprotocol ${ws.protocol}`));
        else resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(raw: string | Buffer): void {
    this.ws.send(raw);
  }

  /** Waits for a frame matching `pred` (looking at frames already received too). */
  async next(pred: (f: SeenFrame) => boolean, timeoutMs = 5_000, what = 'frame'): Promise<SeenFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits until the server closes the socket and returns the close code. */
  async closed(timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket was not closed');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closeCode;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The JSON body of a MESSAGE frame. */
export const json = <T = Record<string, unknown>>(f: SeenFrame): T => JSON.parse(f.body) as T;
