import { CLOSE_CODES } from '@squirret/contracts';
import type { RealtimeSocket } from '@squirret/server-kit';
import {
  HEARTBEAT,
  StompSession,
  prepareMessageText,
  type PreparedMessageText,
  type StompAction,
  type StompCloseReason,
  type StompMessageAction,
  type StompSubscribeAction,
} from '@squirret/stomp';

/** Who is on the other end, from the verified token. */
export interface ConnectionIdentity {
  readonly sessionId: string;
  readonly role: 'guest' | 'user';
  readonly userId: string | undefined;
  readonly deviceId: string;
}

/** Transport settings of one STOMP connection. */
export interface ConnectionSettings {
  readonly heartbeat: { canSend: number; wantReceive: number };
  readonly connectTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly serverName: string;
}

/** What the application decides about a connection's frames; an error string refuses with ERROR + close. */
export interface ConnectionHandler {
  onConnected(c: StompConnection): void;
  onSubscribe(c: StompConnection, a: StompSubscribeAction): string | undefined;
  onUnsubscribe(c: StompConnection, subscriptionId: string): void;
  onSend(c: StompConnection, a: StompMessageAction): string | undefined;
  onClosed(c: StompConnection): void;
}

/** One place maps the codec's close reasons to WebSocket close codes. */
const CLOSE_FOR: Readonly<Record<StompCloseReason, number>> = {
  disconnect: CLOSE_CODES.NORMAL,
  'protocol-error': CLOSE_CODES.PROTOCOL_ERROR,
  'too-large': CLOSE_CODES.MESSAGE_TOO_BIG,
  'application-error': CLOSE_CODES.POLICY_VIOLATION,
};

/** The content type of every JSON push. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/**
 * Drives one pure StompSession over one realtime socket: feeds it bytes, performs its actions,
 * runs the heart-beat and CONNECT timers, and pushes server messages (the layer bounds the send
 * buffer, and a fault in a handler closes this connection only, with 1011).
 */
export class StompConnection {
  readonly session: StompSession;
  private sendTimer: NodeJS.Timeout | undefined;
  private readTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly socket: RealtimeSocket<ConnectionIdentity>,
    readonly identity: ConnectionIdentity,
    settings: ConnectionSettings,
    private readonly handler: ConnectionHandler,
  ) {
    this.session = new StompSession({
      serverName: settings.serverName,
      heartbeat: settings.heartbeat,
      limits: { maxFrameBytes: settings.maxFrameBytes },
      sessionId: identity.sessionId.slice(0, 8),
    });
    this.connectTimer = setTimeout(() => this.shut(CLOSE_CODES.POLICY_VIOLATION, 'no CONNECT frame in time'), settings.connectTimeoutMs);
    socket.onMessage((data) => this.onData(data));
    socket.onClose(() => this.onSocketClosed());
  }

  /**
   * Pushes a JSON message to every subscription of this connection on `destination`. `headers`
   * go on the MESSAGE frame (e.g. `timestamp`: when the server produced the push, in ms).
   */
  push(destination: string, message: unknown, headers: Record<string, string> = {}): number {
    if (this.closed || !this.session.isConnected) return 0;
    return this.pushJson(destination, JSON.stringify(message), { 'content-type': JSON_CONTENT_TYPE, ...headers });
  }

  /**
   * push() with the body already serialised and the frame's headers complete (content-type
   * included): a tick serialises each distinct push once and sends it to every connection.
   */
  pushJson(destination: string, body: string, headers: Readonly<Record<string, string>>): number {
    return this.pushPrepared(prepareMessageText(destination, body, headers));
  }

  /** pushJson() of a push prepared once for every connection (a tick's DATA): see prepareMessageText. */
  pushPrepared(push: PreparedMessageText): number {
    if (this.closed) return 0;
    return this.session.sendPrepared(push, this.sendText);
  }

  private readonly sendText = (frame: string): boolean => this.socket.send(frame);

  /** Pushes to one subscription only (e.g. a PONG to the connection that pinged). */
  pushTo(subscriptionId: string, message: unknown): boolean {
    const dest = this.session.subscription(subscriptionId)?.destination;
    if (!dest) return false;
    const frame = this.session.message(subscriptionId, dest, JSON.stringify(message), { 'content-type': 'application/json;charset=UTF-8' });
    return frame ? this.write(frame) : false;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Ends the connection from the server side (shutdown, session finished). */
  end(code: number, reason: string): void {
    this.shut(code, reason);
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    this.armReadDeadline();
    this.perform(this.session.receive(data));
  }

  private perform(actions: readonly StompAction[]): void {
    for (const a of actions) {
      if (this.closed) return;
      switch (a.type) {
        case 'send':
          this.write(a.data);
          break;
        case 'connected':
          if (this.connectTimer) clearTimeout(this.connectTimer);
          this.connectTimer = undefined;
          this.armHeartbeats(a.heartbeat.sendEveryMs, a.heartbeat.expectEveryMs);
          this.handler.onConnected(this);
          break;
        case 'subscribe': {
          const refusal = this.handler.onSubscribe(this, a);
          if (refusal) return this.perform(this.session.error(refusal));
          break;
        }
        case 'unsubscribe':
          this.handler.onUnsubscribe(this, a.id);
          break;
        case 'message': {
          const refusal = this.handler.onSend(this, a);
          if (refusal) return this.perform(this.session.error(refusal));
          break;
        }
        case 'heartbeat':
          break;
        case 'close':
          this.shut(CLOSE_FOR[a.reason], a.message ?? a.reason);
          return;
      }
    }
  }

  /** Every STOMP frame is one text message, whether it was serialised to a string or to bytes. */
  private write(data: Buffer | string): boolean {
    return typeof data === 'string' ? this.socket.send(data) : this.socket.sendText(data);
  }

  private armHeartbeats(sendEveryMs: number, expectEveryMs: number): void {
    if (sendEveryMs > 0) {
      this.sendTimer = setInterval(() => this.write(HEARTBEAT), sendEveryMs);
      this.sendTimer.unref();
    }
    this.expectEveryMs = expectEveryMs;
    this.armReadDeadline();
  }

  private expectEveryMs = 0;

  private armReadDeadline(): void {
    if (this.expectEveryMs <= 0) return;
    if (this.readTimer) clearTimeout(this.readTimer);
    // Like stompjs, allow twice the interval before calling the peer dead.
    this.readTimer = setTimeout(() => this.shut(CLOSE_CODES.HEARTBEAT_TIMEOUT, 'heart-beat timeout'), this.expectEveryMs * 2);
    this.readTimer.unref();
  }

  /** Closes the socket once (the layer cuts the reason, never throws, and drops a peer that does not answer within 2 s). */
  private shut(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason, 2_000);
    this.onSocketClosed();
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.sendTimer, this.readTimer, this.connectTimer]) if (t) clearTimeout(t);
    this.session.close();
    this.handler.onClosed(this);
  }
}
