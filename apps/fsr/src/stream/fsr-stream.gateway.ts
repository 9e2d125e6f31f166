import { Inject, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import { CLOSE_CODES, FsrDeviceQuerySchema, type FsrSampleEvent } from '@squirret/contracts';
import { formatZodError, RealtimeGateway, type Admission, type RealtimeGatewayHooks, type RealtimeServer, type RealtimeSocket } from '@squirret/server-kit';
import type { FsrConfig } from '../config/fsr.config';
import { FsrMetrics } from '../fsr.metrics';
import { toStreamSample, toStreamSnapshot } from '../fsr.mapper';
import { FSR_BUS, FSR_CONFIG, FSR_LIVE_STORE } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';

/** The stream's path (seed 5.3). */
export const FSR_STREAM_PATH = /^\/ws\/fsr-data$/;

/** Key of the subscribers that asked for no device filter. */
const ALL = '*';

/** What a stream socket asked for: one device (`?deviceId=`) or every device. */
interface StreamFilter {
  readonly deviceId: string | undefined;
}

interface Subscriber {
  readonly socket: RealtimeSocket<StreamFilter>;
  /** Samples that arrived before the snapshot went out; sent right after it, so the snapshot is always first. */
  pending: string[] | undefined;
}

/**
 * `/ws/fsr-data` on the realtime layer: plain WebSocket JSON. On connect, the latest snapshot of
 * the device (`?deviceId=`, default device without one; a bad one is refused 400 before the
 * upgrade); then every new sample (of that device, or of every device without a filter) as it
 * comes off the bus, so a sample ingested on any instance reaches subscribers on all. Each
 * message is serialised once per sample. The layer bounds each subscriber's send buffer (one that
 * does not read is closed with 4008, the others are unaffected), pings (4010 for a dead peer) and
 * drains at shutdown.
 */
@RealtimeGateway('fsr-stream', FSR_STREAM_PATH)
export class FsrStreamGateway implements RealtimeGatewayHooks<StreamFilter>, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('fsr-stream');
  private readonly byDevice = new Map<string, Set<Subscriber>>();
  private off: Unsubscribe | undefined;

  constructor(
    private readonly metrics: FsrMetrics,
    @Inject(FSR_BUS) private readonly bus: Bus,
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {}

  afterInit(server: RealtimeServer<StreamFilter>): void {
    server.configure({
      maxPayload: this.config.FSR_WS_MAX_PAYLOAD_BYTES,
      maxBufferedBytes: this.config.FSR_WS_MAX_BUFFERED_BYTES,
      pingMs: this.config.FSR_WS_PING_MS,
      authenticate: (_req, { query }) => this.admit(query),
    });
  }

  async onModuleInit(): Promise<void> {
    this.off = await this.bus.subscribe('fsr.sample', (e) => this.fanOut(e));
  }

  /** No more samples to fan out; the realtime layer's drain closes the sockets (1012). */
  async onModuleDestroy(): Promise<void> {
    await this.off?.();
  }

  private admit(query: URLSearchParams): Admission<StreamFilter> {
    const parsed = FsrDeviceQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) return { refuse: 'VALIDATION_ERROR', message: formatZodError(parsed.error), path: '/ws/fsr-data' };
    return { accept: { deviceId: parsed.data.deviceId } };
  }

  handleConnection(socket: RealtimeSocket<StreamFilter>): void {
    const filter = socket.context.deviceId;
    const key = filter ?? ALL;
    const sub: Subscriber = { socket, pending: [] };
    let set = this.byDevice.get(key);
    if (!set) this.byDevice.set(key, (set = new Set()));
    set.add(sub);
    this.metrics.subscribers.inc();
    socket.onClose(() => {
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
        socket.close(CLOSE_CODES.INTERNAL_ERROR, 'snapshot unavailable');
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
    if (!sub.socket.isOpen) return;
    if (sub.socket.send(message)) {
      this.metrics.streamMessages.inc();
      return;
    }
    this.slow();
  }

  private cutOff(sub: Subscriber): void {
    sub.pending = [];
    if (!sub.socket.isOpen) return;
    sub.socket.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer: send buffer overflow');
    this.slow();
  }

  private slow(): void {
    this.metrics.slowConsumers.inc();
    this.logger.warn({ code: CLOSE_CODES.SLOW_CONSUMER }, 'slow stream subscriber closed');
  }
}
