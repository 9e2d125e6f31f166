import { StompCommand, header, type StompFrame, type StompHeader, type StompHeaderInput } from './frame';
import type { StompLimits } from './limits';
import {
  heartbeatHeader,
  negotiateHeartbeat,
  negotiateVersion,
  SUPPORTED_VERSIONS,
  type HeartbeatSettings,
  type NegotiatedHeartbeat,
  type StompVersion,
} from './negotiate';
import { isSizeError } from './parse-error';
import { StompParser } from './parser';
import { serializeFrame } from './serializer';
import { connectedFrame, errorFrame, messageFrame, receiptFrame, RESERVED_MESSAGE_HEADERS } from './server-frames';
import { StompCloseReason, type StompAckMode, type StompAction } from './session-actions';

/** Settings of one STOMP session (one WebSocket connection). */
export interface StompSessionOptions {
  /** `server` header of CONNECTED, e.g. `squirret/0.1.0`. */
  readonly serverName: string;
  /** What this server can send and wants to receive, in ms (0 = none). */
  readonly heartbeat: HeartbeatSettings;
  /** Parser limits; missing ones take `DEFAULT_STOMP_LIMITS`. */
  readonly limits?: Partial<StompLimits>;
  /** `session` header of CONNECTED; also prefixes message-ids so they are unique across sessions. */
  readonly sessionId?: string;
  /** Live subscriptions one connection may hold (default 256), so SUBSCRIBE cannot grow memory unbounded. */
  readonly maxSubscriptions?: number;
}

/** Lifecycle of a session: awaiting-connect -> connected -> closed (closed is final). */
export type StompSessionState = 'awaiting-connect' | 'connected' | 'closed';

/** One live subscription of a session. */
export interface StompSubscription {
  readonly id: string;
  readonly destination: string;
  readonly ack: StompAckMode;
}

/** A subscription as the session keeps it. */
interface LiveSubscription extends StompSubscription {
  /** `MESSAGE`, `subscription` and `message-id` up to its number; undefined when a header needs escaping. */
  readonly head: string | undefined;
}

/**
 * A push's parts that are the same for every receiver: its destination and, when no header needs
 * escaping, everything after the per-receiver headers (content-type, content-length, the other
 * headers, the body and the NUL), written once.
 */
export interface PreparedMessageText {
  readonly destination: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tail: string | undefined;
}

/** Prepares a MESSAGE with a string body for StompSession.preparedText / sendPrepared. */
export function prepareMessageText(destination: string, body: string, headers: Readonly<Record<string, string>> = {}): PreparedMessageText {
  if (NEEDS_ESCAPE.test(destination) || !plainHeaders(headers)) return { destination, body, headers, tail: undefined };
  let tail = `content-type:${headers['content-type'] ?? 'text/plain;charset=UTF-8'}\ncontent-length:${Buffer.byteLength(body)}\n`;
  for (const name of Object.keys(headers)) if (name !== 'content-type' && !RESERVED_MESSAGE_HEADERS.has(name)) tail += `${name}:${headers[name]}\n`;
  return { destination, body, headers, tail: `${tail}\n${body}\0` };
}

/** Options of an application-initiated ERROR. */
export interface StompErrorOptions {
  readonly body?: string;
  readonly receiptId?: string;
}

const ACK_MODES: ReadonlySet<string> = new Set<StompAckMode>(['auto', 'client', 'client-individual']);
const TRANSACTIONS_UNSUPPORTED = 'transactions are not supported';
const DEFAULT_MAX_SUBSCRIPTIONS = 256;

/**
 * The STOMP 1.2 server side of one connection, as a pure state machine: bytes in, actions out.
 * No sockets, no clock, no timers; the gateway performs the actions and runs the heart-beat timers.
 * Every ERROR is followed by a close action, as STOMP requires.
 */
export class StompSession {
  private current: StompSessionState = 'awaiting-connect';
  private readonly parser: StompParser;
  private readonly subs = new Map<string, LiveSubscription>();
  private agreedVersion: StompVersion | undefined;
  private agreedHeartbeat: NegotiatedHeartbeat | undefined;
  private messageSeq = 0;

  constructor(private readonly options: StompSessionOptions) {
    // Both go into CONNECTED, whose headers are never escaped: refuse line breaks up front.
    for (const value of [options.serverName, options.sessionId ?? '']) {
      if (/[\r\n]/.test(value)) throw new RangeError('serverName and sessionId must not contain CR or LF');
    }
    this.parser = new StompParser(options.limits);
  }

  get state(): StompSessionState {
    return this.current;
  }

  get isConnected(): boolean {
    return this.current === 'connected';
  }

  /** The negotiated version, once connected. */
  get version(): StompVersion | undefined {
    return this.agreedVersion;
  }

  /** The negotiated heart-beat intervals, once connected; the gateway arms its timers from these. */
  get heartbeat(): NegotiatedHeartbeat | undefined {
    return this.agreedHeartbeat;
  }

  /** Live subscriptions, id -> destination. After a close it still lists those held at the close. */
  subscriptions(): Map<string, string> {
    return new Map([...this.subs].map(([id, s]) => [id, s.destination]));
  }

  /** The subscription called `id`, if any. */
  subscription(id: string): StompSubscription | undefined {
    return this.subs.get(id);
  }

  /**
   * Feeds one WebSocket message (or any slice of the byte stream) and returns what to do, in order.
   * Bare EOLs in the data yield at most one `heartbeat` action, last, if the session is connected.
   */
  receive(data: Buffer | string): StompAction[] {
    if (this.current === 'closed') return [];
    const result = this.parser.push(data);
    const actions: StompAction[] = [];
    for (const frame of result.frames) {
      actions.push(...this.handle(frame));
      // isClosed(), not `current === 'closed'`: TypeScript keeps the narrowing from the top of the method.
      if (this.isClosed()) return actions;
    }
    if (result.error) {
      const reason = isSizeError(result.error.code) ? StompCloseReason.TOO_LARGE : StompCloseReason.PROTOCOL_ERROR;
      const body = `${result.error.code} ${result.error.message}`;
      actions.push(...this.fail(result.error.message, { reason, body }));
    } else if (result.heartbeats > 0 && this.current === 'connected') {
      actions.push({ type: 'heartbeat' });
    }
    return actions;
  }

  /**
   * Builds a MESSAGE for subscription `subscriptionId` as one serialized frame, or undefined when
   * the session is not connected or has no such subscription (it may have just unsubscribed).
   * Content type: `headers['content-type']`, else text/plain;charset=UTF-8 for a string body and
   * application/octet-stream for a Buffer.
   */
  message(
    subscriptionId: string,
    destination: string,
    body: Buffer | string,
    headers?: StompHeaderInput,
  ): Buffer | undefined {
    const sub = this.subs.get(subscriptionId);
    if (this.current !== 'connected' || sub === undefined) return undefined;
    this.messageSeq++;
    const prefix = this.options.sessionId === undefined ? '' : `${this.options.sessionId}-`;
    const messageId = `${prefix}${this.messageSeq}`;
    const ack = sub.ack === 'auto' ? undefined : messageId;
    const frame = messageFrame({ subscription: subscriptionId, messageId, destination, body, ack, headers });
    return this.serialize(frame);
  }

  /**
   * message() for a string body as one string (what a text WebSocket message carries), written
   * directly instead of through a frame object, two Buffers and a concat: the DATA push goes to
   * every connection every second. The text is exactly message()'s bytes (a property test,
   * session-message-text.fuzz-spec.ts, holds them equal); STOMP 1.0 and any header that needs
   * escaping take message()'s path.
   */
  messageText(subscriptionId: string, destination: string, body: string, headers: Readonly<Record<string, string>> = {}): string | undefined {
    return this.preparedText(subscriptionId, prepareMessageText(destination, body, headers));
  }

  /**
   * messageText() of a push prepared once for all its receivers (prepareMessageText): only the
   * subscription, message-id and ack headers are written per receiver, from a head kept with the
   * subscription.
   */
  preparedText(subscriptionId: string, push: PreparedMessageText): string | undefined {
    const sub = this.subs.get(subscriptionId);
    if (this.current !== 'connected' || sub === undefined) return undefined;
    if (sub.head === undefined || push.tail === undefined) {
      return this.message(subscriptionId, push.destination, push.body, push.headers)?.toString('utf8');
    }
    const seq = ++this.messageSeq;
    const ack = sub.ack === 'auto' ? '' : `ack:${this.messageIdPrefix()}${seq}\n`;
    return `${sub.head}${seq}\ndestination:${push.destination}\n${ack}${push.tail}`;
  }

  /**
   * preparedText() for every subscription to the push's destination, each handed to `send`;
   * returns how many `send` took (no array per push).
   */
  sendPrepared(push: PreparedMessageText, send: (text: string) => boolean): number {
    if (this.current !== 'connected') return 0;
    let sent = 0;
    for (const [id, s] of this.subs) {
      if (s.destination !== push.destination) continue;
      const text = this.preparedText(id, push);
      if (text !== undefined && send(text)) sent++;
    }
    return sent;
  }

  private messageIdPrefix(): string {
    return this.options.sessionId === undefined ? '' : `${this.options.sessionId}-`;
  }

  /** An application-initiated ERROR (e.g. a rejected SEND): ERROR frame, then close. */
  error(message: string, options: StompErrorOptions = {}): StompAction[] {
    if (this.current === 'closed') return [];
    return this.fail(message, { ...options, reason: StompCloseReason.APPLICATION_ERROR });
  }

  /** Marks the session closed without sending anything (the socket is already gone). */
  close(): void {
    this.current = 'closed';
  }

  private isClosed(): boolean {
    return this.current === 'closed';
  }

  private handle(frame: StompFrame): StompAction[] {
    const receipt = header(frame, 'receipt');
    if (this.current === 'awaiting-connect') {
      if (frame.command === StompCommand.CONNECT || frame.command === StompCommand.STOMP) return this.onConnect(frame);
      return this.fail(`expected CONNECT or STOMP, got ${describe(frame.command)}`, { receiptId: receipt });
    }
    const actions = this.dispatch(frame, receipt);
    if (!this.isClosed() && receipt !== undefined) actions.push(this.sendFrame(receiptFrame(receipt)));
    return actions;
  }

  private dispatch(frame: StompFrame, receipt: string | undefined): StompAction[] {
    switch (frame.command) {
      case StompCommand.SEND:
        return this.onSend(frame, receipt);
      case StompCommand.SUBSCRIBE:
        return this.onSubscribe(frame, receipt);
      case StompCommand.UNSUBSCRIBE:
        return this.onUnsubscribe(frame, receipt);
      case StompCommand.ACK:
      case StompCommand.NACK:
        return this.onAck(frame, receipt);
      case StompCommand.BEGIN:
      case StompCommand.COMMIT:
      case StompCommand.ABORT:
        return this.fail(TRANSACTIONS_UNSUPPORTED, { receiptId: receipt });
      case StompCommand.DISCONNECT:
        return this.onDisconnect(receipt);
      case StompCommand.CONNECT:
      case StompCommand.STOMP:
        return this.fail('already connected', { receiptId: receipt });
      default:
        return this.fail(`unknown command ${describe(frame.command)}`, { receiptId: receipt });
    }
  }

  // CONNECT's `receipt` is not answered: STOMP allows `receipt` on every client frame but CONNECT.
  private onConnect(frame: StompFrame): StompAction[] {
    const version = negotiateVersion(header(frame, 'accept-version'));
    if (!version.ok) {
      const extraHeaders: StompHeader[] = [['version', SUPPORTED_VERSIONS.join(',')]];
      return this.fail('unsupported protocol version', { body: version.error, extraHeaders });
    }
    const heartbeat = negotiateHeartbeat(header(frame, 'heart-beat'), this.options.heartbeat);
    if (!heartbeat.ok) return this.fail('invalid heart-beat header', { body: heartbeat.error });
    this.current = 'connected';
    this.agreedVersion = version.value;
    this.agreedHeartbeat = heartbeat.value;
    this.parser.unescapeHeaders = version.value !== '1.0';
    const connected = connectedFrame({
      version: version.value,
      heartbeat: heartbeatHeader(heartbeat.value),
      server: this.options.serverName,
      session: this.options.sessionId,
    });
    return [
      this.sendFrame(connected),
      {
        type: 'connected',
        version: version.value,
        heartbeat: heartbeat.value,
        login: header(frame, 'login'),
        passcode: header(frame, 'passcode'),
        host: header(frame, 'host'),
        headers: frame.headers,
      },
    ];
  }

  private onSend(frame: StompFrame, receipt: string | undefined): StompAction[] {
    const destination = nonEmpty(header(frame, 'destination'));
    if (destination === undefined) return this.fail('SEND needs a destination header', { receiptId: receipt });
    if (header(frame, 'transaction') !== undefined) return this.fail(TRANSACTIONS_UNSUPPORTED, { receiptId: receipt });
    const contentType = header(frame, 'content-type');
    return [{ type: 'message', destination, headers: frame.headers, body: frame.body, contentType }];
  }

  private onSubscribe(frame: StompFrame, receipt: string | undefined): StompAction[] {
    const id = nonEmpty(header(frame, 'id'));
    const destination = nonEmpty(header(frame, 'destination'));
    const ack = header(frame, 'ack') ?? 'auto';
    if (id === undefined) return this.fail('SUBSCRIBE needs an id header', { receiptId: receipt });
    if (destination === undefined) return this.fail('SUBSCRIBE needs a destination header', { receiptId: receipt });
    if (!isAckMode(ack)) return this.fail(`unsupported ack mode ${describe(ack)}`, { receiptId: receipt });
    if (this.subs.has(id)) return this.fail(`subscription id ${describe(id)} is already in use`, { receiptId: receipt });
    const max = this.options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
    if (this.subs.size >= max) return this.fail(`more than ${max} subscriptions`, { receiptId: receipt });
    // A MESSAGE's first headers, up to the message-id's sequence number, when nothing in them needs
    // escaping (STOMP 1.0 never escapes: its messages go through message()).
    const prefix = this.messageIdPrefix();
    const plain = this.agreedVersion !== '1.0' && !NEEDS_ESCAPE.test(prefix) && !NEEDS_ESCAPE.test(id) && !NEEDS_ESCAPE.test(destination);
    this.subs.set(id, { id, destination, ack, head: plain ? `MESSAGE\nsubscription:${id}\nmessage-id:${prefix}` : undefined });
    return [{ type: 'subscribe', id, destination, ack }];
  }

  private onUnsubscribe(frame: StompFrame, receipt: string | undefined): StompAction[] {
    const id = nonEmpty(header(frame, 'id'));
    if (id === undefined) return this.fail('UNSUBSCRIBE needs an id header', { receiptId: receipt });
    const sub = this.subs.get(id);
    if (sub === undefined) return this.fail(`no subscription with id ${describe(id)}`, { receiptId: receipt });
    this.subs.delete(id);
    return [{ type: 'unsubscribe', id, destination: sub.destination }];
  }

  // Messages are never redelivered, so ACK/NACK only need to be well-formed. 1.2 names the message
  // by `id`; 1.0 and 1.1 by `message-id`.
  private onAck(frame: StompFrame, receipt: string | undefined): StompAction[] {
    const idHeader = this.agreedVersion === '1.2' ? 'id' : 'message-id';
    if (nonEmpty(header(frame, idHeader)) === undefined) {
      const named = idHeader === 'id' ? 'an id' : 'a message-id';
      return this.fail(`${frame.command} needs ${named} header`, { receiptId: receipt });
    }
    if (header(frame, 'transaction') !== undefined) return this.fail(TRANSACTIONS_UNSUPPORTED, { receiptId: receipt });
    return [];
  }

  private onDisconnect(receipt: string | undefined): StompAction[] {
    const actions: StompAction[] = [];
    if (receipt !== undefined) actions.push(this.sendFrame(receiptFrame(receipt)));
    this.current = 'closed';
    actions.push({ type: 'close', reason: StompCloseReason.DISCONNECT });
    return actions;
  }

  private fail(
    message: string,
    options: StompErrorOptions & { reason?: StompCloseReason; extraHeaders?: readonly StompHeader[] },
  ): StompAction[] {
    const frame = errorFrame({
      message,
      receiptId: options.receiptId,
      body: options.body,
      extraHeaders: options.extraHeaders,
    });
    this.current = 'closed';
    const reason = options.reason ?? StompCloseReason.PROTOCOL_ERROR;
    return [this.sendFrame(frame), { type: 'close', reason, message }];
  }

  private sendFrame(frame: StompFrame): StompAction {
    return { type: 'send', data: this.serialize(frame) };
  }

  private serialize(frame: StompFrame): Buffer {
    if (this.agreedVersion !== '1.0') return serializeFrame(frame);
    return serializeFrame(withoutLineBreaks(frame), { escapeHeaders: false });
  }
}

// STOMP 1.0 has no escaping, so a header cannot carry CR/LF (or a colon in its name): blank them
// rather than throw from a push path. Only application-supplied text can hit this.
/** A character STOMP 1.1/1.2 escapes in a header name or value. */
const NEEDS_ESCAPE = /[\\\r\n:]/;

function plainHeaders(headers: Readonly<Record<string, string>>): boolean {
  for (const name of Object.keys(headers)) if (NEEDS_ESCAPE.test(name) || NEEDS_ESCAPE.test(headers[name]!)) return false;
  return true;
}

function withoutLineBreaks(frame: StompFrame): StompFrame {
  const clean = (text: string) => text.replace(/[\r\n]/g, ' ');
  const headers = frame.headers.map(([n, v]) => [clean(n).replace(/:/g, '_'), clean(v)] as const);
  return { ...frame, headers };
}

function isAckMode(value: string): value is StompAckMode {
  return ACK_MODES.has(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

// Client-chosen text echoed in an ERROR `message` header is cut short: the header is a summary.
// The cut never splits a surrogate pair (a lone half would go out as U+FFFD).
function describe(text: string): string {
  if (text.length <= 64) return text;
  const end = /[\uD800-\uDBFF]/.test(text[63] ?? '') ? 63 : 64;
  return `${text.slice(0, end)}...`;
}
