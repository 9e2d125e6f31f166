import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { CLOSE_CODES, DRAIN_CLOSE_CODE, ERROR_TABLE, type ErrorCode } from '@squirret/contracts';
import { WebSocketServer, type WebSocket } from 'ws';
import { pathOf } from '../errors/error-body';
import { sendBounded } from '../ws/bounded-send';
import { closeSocket, containSocketFault, guardedTimer } from '../ws/close';
import { rejectUpgrade, type UpgradeMatch } from '../ws/upgrade-router';
import type { GatewayStats } from './realtime.metrics';

/**
 * What the authentication hook decides about an upgrade request, before the handshake:
 * - `accept`: the connection's context (the verified identity, the parsed query);
 * - `refuse`: answered with an HTTP status and the seed's error body, never upgraded;
 * - `close`: upgraded, then closed at once with a code from the close table (so a browser, which
 *   cannot read a refused handshake, can see why).
 */
export type Admission<C> =
  | { readonly accept: C }
  | { readonly refuse: ErrorCode; readonly message: string; readonly path?: string }
  | { readonly close: number; readonly reason: string };

/** Per-gateway settings of the realtime layer; a gateway gives them in `afterInit`. */
export interface RealtimeOptions<C> {
  /** Largest message accepted; a bigger one closes the socket with 1009. */
  readonly maxPayload: number;
  /** Unsent bytes a socket may hold before it is cut off as a slow consumer (4008). */
  readonly maxBufferedBytes: number;
  /** Liveness ping interval (ms): a socket that did not answer the previous ping is closed (4010). 0: none (the protocol has its own heart-beats). */
  readonly pingMs: number;
  /** The authentication hook, run on the upgrade request before the handshake. */
  readonly authenticate: (req: IncomingMessage, match: UpgradeMatch) => Admission<C>;
  /** Picks the subprotocol to echo (false: none). Without it, none is echoed. */
  readonly handleProtocols?: (protocols: Set<string>, req: IncomingMessage) => string | false;
  /** How long the drain waits for clients to answer its close before cutting them off (default 2 s). */
  readonly drainGraceMs?: number;
}

/** The handler of a socket's messages: the raw frame (text or binary) as it came off the wire. */
export type RealtimeMessageHandler = (data: Buffer, isBinary: boolean) => unknown;
/** Runs when a socket closed; a returned promise is waited for by the drain (e.g. a final usage report). */
export type RealtimeCloseHandler = (code: number) => unknown;

/** A socket closed for not answering pings is cut off this long after its close frame. */
const PING_TIMEOUT_GRACE_MS = 1_000;
/** A socket closed by the server is cut off this long after its close frame if the peer does not answer. */
const CLOSE_GRACE_MS = 5_000;
/** After the drain closed the sockets, how long it waits for their close handlers (final reports). */
const SETTLE_MS = 1_000;

/**
 * One accepted connection of a realtime gateway: the raw `ws` socket (frames as they are), the
 * context its authentication produced, a bounded and counted send, a contained message handler.
 */
export class RealtimeSocket<C = unknown> {
  /** Answered the last liveness ping. */
  alive = true;
  private handler: RealtimeMessageHandler | undefined;
  private closeHandlers: RealtimeCloseHandler[] = [];
  private closing = false;

  constructor(
    readonly ws: WebSocket,
    readonly context: C,
    private readonly server: RealtimeServer<C>,
  ) {}

  /** Open and not being closed by the server. */
  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === 1;
  }

  /** Sets the socket's message handler; an exception or rejection in it closes this socket only (1011). */
  onMessage(handler: RealtimeMessageHandler): void {
    this.handler = handler;
  }

  /** Adds a handler run once when the socket closed (whoever closed it). */
  onClose(handler: RealtimeCloseHandler): void {
    this.closeHandlers.push(handler);
  }

  /** Nest's adapter contract (`BaseWsInstance`): only 'close' is an event of a realtime socket. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the shape Nest declares
  on(event: string, callback: Function): void {
    if (event === 'close') this.onClose(callback as RealtimeCloseHandler);
  }

  /** Sends a message (a string as text, a Buffer as binary) within the send bound; false when not sent. */
  send(data: string | Buffer): boolean {
    return this.server.send(this, data, false);
  }

  /** Sends bytes as one text frame (a serialised STOMP frame) within the send bound. */
  sendText(data: Buffer): boolean {
    return this.server.send(this, data, true);
  }

  /** Closes with a code from the table (reason cut to fit); a peer that does not answer is cut off after `graceMs`. */
  close(code: number, reason: string, graceMs = CLOSE_GRACE_MS): void {
    if (this.closing) return;
    this.closing = true;
    closeSocket(this.ws, code, reason);
    const ws = this.ws;
    setTimeout(() => ws.terminate(), graceMs).unref();
  }

  /** Runs `fn` for this socket as its message handler runs: a throw or rejection closes this socket only (1011). */
  contain(where: string, fn: () => unknown): void {
    containSocketFault(this.ws, where, this.server.report, fn);
  }

  /** @internal */
  receive(data: Buffer, isBinary: boolean): void {
    const handler = this.handler;
    if (!handler) return;
    containSocketFault(this.ws, 'message', this.server.report, () => handler(data, isBinary));
  }

  /** @internal runs the close handlers; returns what the drain waits for. */
  ended(code: number): Promise<unknown>[] {
    this.closing = true;
    const pending: Promise<unknown>[] = [];
    for (const h of this.closeHandlers.splice(0)) {
      try {
        const r = h(code);
        if (r && typeof (r as Promise<unknown>).then === 'function') pending.push((r as Promise<unknown>).then(undefined, (err) => this.server.report(err, 'close')));
      } catch (err) {
        this.server.report(err, 'close');
      }
    }
    return pending;
  }
}

/**
 * The server side of one gateway in the realtime layer: upgrades routed to it are authenticated
 * before the handshake, then accepted into a `ws` server with the layer's options (maxPayload,
 * no per-message deflate, subprotocol choice); every socket gets bounded send, liveness pings,
 * contained handlers and metrics; `drain()` is the one shutdown step (close 1012, wait, cut off).
 */
export class RealtimeServer<C = unknown> {
  private readonly logger: Logger;
  private wss: WebSocketServer | undefined;
  private options: RealtimeOptions<C> | undefined;
  private readonly sockets = new Set<RealtimeSocket<C>>();
  private readonly listeners: ((socket: RealtimeSocket<C>, req: IncomingMessage) => void)[] = [];
  private readonly settling = new Set<Promise<unknown>>();
  private pinger: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  /** Reports a contained fault (the socket is already being closed with 1011). */
  readonly report = (err: unknown, where: string): void => {
    this.stats.faults++;
    this.logger.error({ where, err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'socket fault: closed with 1011');
  };

  constructor(
    readonly name: string,
    private readonly stats: GatewayStats,
  ) {
    this.logger = new Logger(`realtime:${name}`);
  }

  /** Gives the gateway's settings (from its validated config); called once, from the gateway's `afterInit`. */
  configure(options: RealtimeOptions<C>): void {
    if (this.options) throw new Error(`realtime gateway ${this.name} is configured twice`);
    this.options = options;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload,
      perMessageDeflate: false,
      // ws echoes nothing unless a handler picks a protocol; StompClientLib fails if one is sent unasked.
      ...(options.handleProtocols ? { handleProtocols: options.handleProtocols } : {}),
    });
    if (options.pingMs > 0) {
      this.pinger = setInterval(guardedTimer(`${this.name} ping`, this.report, () => this.sweep()), options.pingMs);
      this.pinger.unref();
    }
  }

  /** Registers the gateway's connection handler (the adapter binds Nest's `handleConnection` here). */
  onConnection(listener: (socket: RealtimeSocket<C>, req: IncomingMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Nest's adapter contract (`BaseWsInstance`): 'connection' is the one event of a realtime server. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the shape Nest declares
  on(event: string, listener: Function): void {
    if (event === 'connection') this.onConnection(listener as (socket: RealtimeSocket<C>, req: IncomingMessage) => void);
  }

  /** Nest's adapter contract: closing a realtime server is its drain. */
  close(): Promise<void> {
    return this.drain();
  }

  /** Sockets accepted and not yet closed. */
  get size(): number {
    return this.sockets.size;
  }

  /** Whether the drain has begun (new connections are closed with the drain code). */
  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  /** The upgrade handler the router calls for this gateway's path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, match: UpgradeMatch): void {
    const { options, wss } = this;
    if (!options || !wss) {
      this.stats.refused(ERROR_TABLE.SHUTTING_DOWN);
      rejectUpgrade(socket, 'SHUTTING_DOWN', 'endpoint not ready', pathOf(req.url ?? '/'));
      return;
    }
    const admission: Admission<C> = this.draining ? { close: DRAIN_CLOSE_CODE, reason: 'server restarting; reconnect' } : options.authenticate(req, match);
    if ('refuse' in admission) {
      this.stats.refused(ERROR_TABLE[admission.refuse]);
      rejectUpgrade(socket, admission.refuse, admission.message, admission.path ?? pathOf(req.url ?? '/'));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      this.stats.open++;
      this.stats.opened++;
      // ws closes the socket itself after an error (1009 for a message over maxPayload, 1002…).
      ws.on('error', (err) => this.logger.debug?.({ err: err.message }, 'socket error'));
      if ('close' in admission) {
        ws.on('close', (code) => this.stats.closed(code));
        closeSocket(ws, admission.close, admission.reason);
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        return;
      }
      this.accept(ws, admission.accept, req);
    });
  }

  /** @internal the bounded, counted send of a socket. */
  send(s: RealtimeSocket<C>, data: string | Buffer, text: boolean): boolean {
    const bytes = sendBounded(s.ws, data, this.options!.maxBufferedBytes, text);
    if (bytes < 0) return false;
    this.stats.messagesOut++;
    this.stats.bytesOut += bytes;
    return true;
  }

  /**
   * Takes an upgraded socket into the layer with its context and hands it to the gateway. The
   * upgrade path calls it; unit tests call it with a stand-in socket.
   */
  accept(ws: WebSocket, context: C, req: IncomingMessage): void {
    const s = new RealtimeSocket<C>(ws, context, this);
    this.sockets.add(s);
    const stats = this.stats;
    ws.on('message', (data, isBinary) => {
      // binaryType 'nodebuffer' (the default): always one Buffer, fragments already joined
      const buf = data as Buffer;
      stats.messagesIn++;
      stats.bytesIn += buf.length;
      s.receive(buf, isBinary);
    });
    ws.on('close', (code) => {
      this.sockets.delete(s);
      stats.closed(code);
      for (const p of s.ended(code)) {
        this.settling.add(p);
        void p.finally(() => this.settling.delete(p));
      }
    });
    if (this.options!.pingMs > 0) ws.on('pong', () => (s.alive = true));
    for (const l of this.listeners) containSocketFault(ws, 'connection', this.report, () => l(s, req));
  }

  /** Pings every socket; one that did not answer the previous ping is a dead peer: 4010. */
  private sweep(): void {
    for (const s of this.sockets) {
      if (!s.isOpen) continue;
      if (!s.alive) {
        s.close(CLOSE_CODES.HEARTBEAT_TIMEOUT, 'no pong', PING_TIMEOUT_GRACE_MS);
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  /**
   * The one drain step (shutdown): new upgrades are closed with the drain code; every socket,
   * accepted or being refused, is closed with DRAIN_CLOSE_CODE (1012); the server waits for them
   * to go (drainGraceMs), cuts off the rest, gives their close handlers a moment to finish
   * (final reports), and closes.
   */
  drain(): Promise<void> {
    this.draining ??= this.runDrain();
    return this.draining;
  }

  private async runDrain(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    const wss = this.wss;
    if (!wss) return;
    const open = [...wss.clients];
    if (open.length) this.logger.log({ sockets: open.length, code: DRAIN_CLOSE_CODE }, 'draining');
    for (const ws of open) closeSocket(ws, DRAIN_CLOSE_CODE, 'server restarting; reconnect');
    const deadline = Date.now() + (this.options?.drainGraceMs ?? 2_000);
    while (open.some((ws) => ws.readyState !== ws.CLOSED) && Date.now() < deadline) await sleep(20);
    for (const ws of open) if (ws.readyState !== ws.CLOSED) ws.terminate();
    // terminate() emits 'close' on the next tick; then the close handlers' promises are known
    await sleep(0);
    if (this.settling.size) await Promise.race([Promise.all([...this.settling]), sleep(SETTLE_MS)]);
    await new Promise<void>((r) => wss.close(() => r()));
  }
}

// Not unref'd: the drain itself keeps the process alive until it is done.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
