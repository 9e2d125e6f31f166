import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import { CLOSE_CODES, FsrDeviceQuerySchema, type FsrSampleEvent } from '@squirret/contracts';
import { boundedSend, formatZodError, rejectUpgrade, WsUpgradeRouter, closeSocket } from '@squirret/server-kit';
import { WebSocket, WebSocketServer } from 'ws';
import type { FsrConfig } from '../config/fsr.config';
import { FsrMetrics } from '../fsr.metrics';
import { toStreamSample, toStreamSnapshot } from '../fsr.mapper';
import { FSR_BUS, FSR_CONFIG, FSR_LIVE_STORE } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';

/** The stream's path (seed 5.3). */
export const FSR_STREAM_PATH = /^\/ws\/fsr-data$/;

/** Key of the subscribers that asked for no device filter. */
const ALL = '*';

interface Subscriber {
  readonly ws: WebSocket;
  /** Samples that arrived before the snapshot went out; sent right after it, so the snapshot is always first. */
  pending: string[] | undefined;
  /** Answered the last ping (dead peers are found by the liveness sweep). */
  alive: boolean;
}

/**
 * `/ws/fsr-data`: plain WebSocket JSON. On connect, the latest snapshot of the device (`?deviceId=`,
 * default device without one); then every new sample (of that device, or of every device without a
 * filter) as it comes off the bus, so a sample ingested on any instance reaches subscribers on all.
 * Each message is serialised once per sample. Each subscriber has a bounded send buffer: one that
 * does not read is closed with 4008 (SLOW_CONSUMER) and the others are unaffected.
 */
@Injectable()
export class FsrStreamGateway implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('fsr-stream');
  private readonly wss: WebSocketServer;
  private readonly byDevice = new Map<string, Set<Subscriber>>();
  private off: Unsubscribe | undefined;
  private liveness: NodeJS.Timeout | undefined;

  constructor(
    private readonly router: WsUpgradeRouter,
    private readonly metrics: FsrMetrics,
    @Inject(FSR_BUS) private readonly bus: Bus,
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.FSR_WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  }

  async onModuleInit(): Promise<void> {
    this.router.register('fsr-stream', FSR_STREAM_PATH, (req, socket, head, { query }) => this.upgrade(req, socket, head, query));
    this.off = await this.bus.subscribe('fsr.sample', (e) => this.fanOut(e));
    this.liveness = setInterval(() => this.sweep(), this.config.FSR_WS_PING_MS);
    this.liveness.unref();
  }

  /** Pings every subscriber; one that did not answer the previous ping is a dead peer and is closed. */
  private sweep(): void {
    for (const set of this.byDevice.values()) {
      for (const sub of set) {
        if (!sub.alive) {
          closeSocket(sub.ws, CLOSE_CODES.HEARTBEAT_TIMEOUT, 'no pong');
          setTimeout(() => sub.ws.terminate(), 1_000).unref();
          continue;
        }
        sub.alive = false;
        sub.ws.ping();
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.liveness) clearInterval(this.liveness);
    await this.off?.();
    for (const set of this.byDevice.values()) for (const s of set) closeSocket(s.ws, CLOSE_CODES.GOING_AWAY, 'server shutting down');
    this.byDevice.clear();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams): void {
    const parsed = FsrDeviceQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) {
      rejectUpgrade(socket, 'VALIDATION_ERROR', formatZodError(parsed.error), '/ws/fsr-data');
      return;
    }
    const filter = parsed.data.deviceId;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, filter));
  }

  private attach(ws: WebSocket, filter: string | undefined): void {
    const key = filter ?? ALL;
    const sub: Subscriber = { ws, pending: [], alive: true };
    ws.on('pong', () => {
      sub.alive = true;
    });
    let set = this.byDevice.get(key);
    if (!set) this.byDevice.set(key, (set = new Set()));
    set.add(sub);
    this.metrics.subscribers.inc();
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.metrics.subscribers.dec();
      set.delete(sub);
      if (set.size === 0 && this.byDevice.get(key) === set) this.byDevice.delete(key);
    });
    // The stream only talks; whatever a client sends is ignored (maxPayload bounds it).
    const deviceId = filter ?? this.config.FSR_DEFAULT_DEVICE_ID;
    this.store
      .latest(deviceId)
      .then((feet) => {
        const queued = sub.pending ?? [];
        sub.pending = undefined;
        this.send(sub, JSON.stringify(toStreamSnapshot(deviceId, feet)));
        for (const m of queued) this.send(sub, m);
      })
      .catch((err: unknown) => {
        this.logger.warn({ err: String(err) }, 'snapshot failed');
        closeSocket(ws, CLOSE_CODES.INTERNAL_ERROR, 'snapshot unavailable');
      });
  }

  private fanOut(e: FsrSampleEvent): void {
    const targets = [this.byDevice.get(e.deviceId), this.byDevice.get(ALL)];
    if (!targets[0] && !targets[1]) return;
    const message = JSON.stringify(toStreamSample(e));
    for (const set of targets) {
      if (!set) continue;
      for (const sub of set) {
        if (sub.pending) {
          // Waiting for its snapshot: held, within the same bound as the socket's buffer.
          if (sub.pending.length * message.length < this.config.FSR_WS_MAX_BUFFERED_BYTES) sub.pending.push(message);
          else this.cutOff(sub);
          continue;
        }
        this.send(sub, message);
      }
    }
  }

  private send(sub: Subscriber, message: string): void {
    if (sub.ws.readyState !== WebSocket.OPEN) return;
    if (boundedSend(sub.ws, message, this.config.FSR_WS_MAX_BUFFERED_BYTES)) {
      this.metrics.streamMessages.inc();
      return;
    }
    this.slow();
  }

  private cutOff(sub: Subscriber): void {
    sub.pending = [];
    if (sub.ws.readyState !== WebSocket.OPEN) return;
    closeSocket(sub.ws, CLOSE_CODES.SLOW_CONSUMER, 'slow consumer: send buffer overflow');
    this.slow();
  }

  private slow(): void {
    this.metrics.slowConsumers.inc();
    this.logger.warn({ code: CLOSE_CODES.SLOW_CONSUMER }, 'slow stream subscriber closed');
  }
}
