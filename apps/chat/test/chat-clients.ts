import { Hs256Jwt, hmacKey, type BaseClaims } from '@squirret/auth';
import { WebSocket } from 'ws';

/** A chat message as the tests read it off the wire. */
export type Wire = Record<string, unknown> & { type?: string; id?: number; content?: string };

/** Signs tokens the way the Spring service does (HS256 with the shared secret), for tests. */
export class SpringTokens {
  private readonly jwt: Hs256Jwt;

  constructor(secret: string | Buffer, encoding: 'raw' | 'base64' = 'raw') {
    this.jwt = new Hs256Jwt(hmacKey(secret, encoding));
  }

  sign(sub: string, claims: Record<string, unknown> = {}, ttlSec = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const c: BaseClaims & Record<string, unknown> = { sub, iat: now, exp: now + ttlSec, ...claims };
    return this.jwt.sign(c);
  }
}

/** A chat WebSocket client that records everything it receives, for tests. */
export class ChatClient {
  readonly received: Wire[] = [];
  closeCode: number | undefined;
  closeReason = '';
  private waiters: (() => void)[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.received.push(JSON.parse(data.toString()) as Wire);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve(code);
      }),
    );
    ws.on('error', () => undefined);
  }

  /** Opens a socket; resolves once open (the server may still close it right after). */
  static open(url: string, headers: Record<string, string> = {}): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const c = new ChatClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first received message (from index `from`) matching `pred`, waiting for it up to `timeoutMs`. */
  async next(pred: (m: Wire) => boolean, what = 'a message', timeoutMs = 10_000, from = 0): Promise<Wire> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(pred);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before ${what}; got ${JSON.stringify(this.received).slice(-800)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received).slice(-800)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits until `count` messages match `pred`, and returns them in arrival order. */
  async collect(pred: (m: Wire) => boolean, count: number, what = 'messages', timeoutMs = 10_000): Promise<Wire[]> {
    await this.next(() => this.received.filter(pred).length >= count, `${count} ${what}`, timeoutMs);
    return this.received.filter(pred);
  }

  /** Resolves with the close code, failing after `timeoutMs`. */
  async closedWithin(timeoutMs = 10_000): Promise<number> {
    return Promise.race([this.closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`socket still open; got ${JSON.stringify(this.received).slice(-500)}`)), timeoutMs))]);
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Chat messages (not acks, errors or system lines) with a numeric id. */
export const isChat = (m: Wire): boolean => (m.type === 'message' || m.type === 'chat' || m.type === 'spread') && typeof m.id === 'number';
