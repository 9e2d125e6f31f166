import { AppError, CLOSE_CODES, type ChatSocketError, type StoredMessage } from '@squirret/contracts';
import type { RealtimeSocket } from '@squirret/server-kit';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { corkForThisTurn } from './socket-cork';
import type { RoomNotice, RoomSubscriber, WireFormat } from './room-fanout';

/** What a room kind does with a socket's parsed messages and its end. */
export interface ChatSocketHandler {
  /** Handles one parsed JSON message; an AppError thrown here is answered as an error message. */
  handle(socket: ChatSocket, message: unknown): Promise<void>;
  /** Renders a presence notice in the seed's wire shape (undefined: this room kind shows none). */
  renderNotice(socket: ChatSocket, notice: RoomNotice): object | undefined;
  /** Called once a delivered message was sent (the couple chat closes sockets on a session's end). */
  afterDeliver?(socket: ChatSocket, message: StoredMessage): void;
  closed(socket: ChatSocket): void;
}

/** Limits of one chat socket (the send buffer is bounded by the realtime layer). */
export interface ChatSocketOptions {
  /** Messages waiting to be handled before new ones are refused. */
  readonly maxQueued: number;
  /** Bad messages in a row before the socket is closed (4009). */
  readonly maxConsecutiveErrors: number;
}

/**
 * One client of a room over a realtime socket (the layer contains a fault in its handling to
 * this socket, 1011, and finds dead peers with pings): parses each text frame as JSON and hands it to the room
 * kind's handler one at a time (so a client's messages are stored, acked and delivered in the
 * order it sent them). Bad input gets an error message, never a crash; only a run of bad
 * messages, a slow consumer or a dead peer closes the socket.
 */
export class ChatSocket implements RoomSubscriber {
  cursor = 0;
  private chain: Promise<void>;
  private queued = 0;
  private errors = 0;
  private closedFlag = false;
  private handlerClosed = false;

  constructor(
    readonly socket: RealtimeSocket<unknown>,
    readonly identity: SpringIdentity,
    readonly roomKey: string,
    readonly format: WireFormat,
    private readonly handler: ChatSocketHandler,
    private readonly options: ChatSocketOptions,
    /** Resolves when the socket may process messages (it has joined its room). */
    ready: Promise<void>,
  ) {
    this.chain = ready;
    socket.onMessage((data, isBinary) => this.onFrame(data, isBinary));
    socket.onClose(() => this.onClose());
  }

  get open(): boolean {
    return !this.closedFlag && this.socket.isOpen;
  }

  send(message: object): boolean {
    if (this.socket.isOpen) corkForThisTurn(this.socket.ws);
    return this.socket.send(JSON.stringify(message));
  }

  sendError(code: string, message: string, clientId?: string | null, extra: Partial<ChatSocketError> = {}): void {
    const body: ChatSocketError = { type: 'error', code, message, ...(clientId !== undefined ? { clientId } : {}), ...extra };
    this.send(body);
  }

  close(code: number, reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    // the layer cuts off a peer that never answers the close handshake
    this.socket.close(code, reason);
    this.onClose();
  }

  deliver(message: StoredMessage, wire: string): void {
    if (!this.open) return;
    corkForThisTurn(this.socket.ws);
    this.socket.send(wire);
    this.handler.afterDeliver?.(this, message);
  }

  notice(notice: RoomNotice): void {
    const body = this.handler.renderNotice(this, notice);
    if (body && this.open) this.send(body);
  }

  abort(reason: string): void {
    this.close(CLOSE_CODES.TRY_AGAIN_LATER, reason);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closedFlag) return;
    if (isBinary) {
      this.fail('UNSUPPORTED_MEDIA_TYPE', 'binary frames are not accepted; send JSON text');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      this.fail('MALFORMED_JSON', 'message is not valid JSON');
      return;
    }
    if (this.queued >= this.options.maxQueued) {
      // Refused by id, so the client knows to resend it; not counted as a bad message (a fast
      // client, or a store that is slow for a moment, is not a broken one).
      this.sendError('RATE_LIMITED', 'too many messages waiting to be handled; slow down', clientIdOf(parsed), { retry_after: 1 });
      return;
    }
    this.queued++;
    this.chain = this.chain
      .then(() => (this.open ? this.handler.handle(this, parsed) : undefined))
      .then(
        () => {
          this.errors = 0;
        },
        (err: unknown) => this.onHandlerError(err, parsed),
      )
      .finally(() => this.queued--);
  }

  private onHandlerError(err: unknown, parsed: unknown): void {
    const clientId = clientIdOf(parsed);
    if (err instanceof AppError) {
      const retry = err.headers['Retry-After'];
      // A refused message costs nothing, so it does not count towards closing: only malformed ones do.
      if (err.code === 'VALIDATION_ERROR') this.errors++;
      this.sendError(err.code, err.message, clientId, retry ? { retry_after: Number(retry) } : {});
      if (this.errors >= this.options.maxConsecutiveErrors) this.close(CLOSE_CODES.TOO_MANY_ERRORS, 'too many invalid messages');
      return;
    }
    this.sendError('INTERNAL_ERROR', 'the message could not be handled', clientId);
  }

  private fail(code: string, message: string): void {
    this.errors++;
    this.sendError(code, message);
    if (this.errors >= this.options.maxConsecutiveErrors) this.close(CLOSE_CODES.TOO_MANY_ERRORS, 'too many invalid messages');
  }

  private onClose(): void {
    if (this.handlerClosed) return;
    this.handlerClosed = true;
    this.closedFlag = true;
    this.handler.closed(this);
  }
}

/** The clientId a parsed message carries, if any, so that every refusal names the message it refuses. */
function clientIdOf(parsed: unknown): string | undefined {
  return typeof parsed === 'object' && parsed !== null && typeof (parsed as { clientId?: unknown }).clientId === 'string' ? (parsed as { clientId: string }).clientId : undefined;
}
