import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InferenceTokenVerifier, JwtError } from '@squirret/auth';
import type { Bus } from '@squirret/bus';
import { CLOSE_CODES, type InferenceErrorMessage, type InferenceTokenClaims } from '@squirret/contracts';
import { HealthRegistry, MetricsService, WsUpgradeRouter, boundedSend, closeSocket, containSocketFault } from '@squirret/server-kit';
import type { FrameAnalysis } from '@squirret/squat';
import type { Counter } from 'prom-client';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { NodeAnnouncer } from '../allocation/node-announcer';
import type { InferenceConfig } from '../config/inference.config';
import { INF_BUS, INF_CONFIG } from '../inference.tokens';
import { parseBinaryMessage, parseTextMessage } from './frame-parser';
import { SessionRegistry } from './session-registry';
import type { StreamSession } from './stream-session';

const SESSION_PATH = /^\/ws\/(?<sessionId>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** The live socket of one stream, with what it needs to report its own usage. */
interface LiveStream {
  readonly ws: WebSocket;
  readonly session: StreamSession;
  /** When this stream last reported `session.usage` (its duration is the stream's own). */
  reportedAt: number;
  usageTimer: NodeJS.Timeout | undefined;
  expiry: NodeJS.Timeout | undefined;
  consecutiveErrors: number;
  lastStatusAt: number;
  closed: boolean;
  readonly gone: Promise<void>;
}

/**
 * `/ws/{sessionId}?token=`: the data plane's frame socket (seed 004 §8.3). The token is verified
 * first (HS256, aud inference-ws, sub = the path's sessionId, exp, nbf); a refusal closes with
 * 1008. Frames (JSON base64 or binary) go through the session's newest-frame-wins slot to the pose
 * pool and the squat analyzer; answers are `analysis` (and `rep`) messages.
 */
@Injectable()
export class StreamGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('stream');
  private readonly wss: WebSocketServer;
  private readonly tokens: InferenceTokenVerifier;
  private readonly live = new Map<string, LiveStream>();
  private draining = false;
  private lastUsageAt = 0;
  private readonly frames: Counter<'encoding'>;
  private readonly refusals: Counter<'reason'>;

  constructor(
    private readonly router: WsUpgradeRouter,
    private readonly registry: SessionRegistry,
    private readonly announcer: NodeAnnouncer,
    @Inject(INF_BUS) private readonly bus: Bus,
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
    metrics: MetricsService,
    private readonly health: HealthRegistry,
  ) {
    this.tokens = new InferenceTokenVerifier(config.INFERENCE_TOKEN_SECRET, config.TOKEN_CLOCK_SKEW_SEC);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.WS_MAX_MESSAGE_BYTES, perMessageDeflate: false });
    this.frames = metrics.counter({ name: 'inference_frames_total', help: 'Frames received', labelNames: ['encoding'] });
    this.refusals = metrics.counter({ name: 'inference_refusals_total', help: 'Refused connections and messages', labelNames: ['reason'] });
  }

  onModuleInit(): void {
    this.router.register('inference', SESSION_PATH, (req, socket, head, { params, query }) =>
      this.upgrade(req, socket, head, params.sessionId ?? '', query.get('token')),
    );
  }

  /** Live streams on this node (the load it announces). */
  get load(): number {
    return this.live.size;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, sessionId: string, token: string | null): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, sessionId.toLowerCase(), token));
  }

  private verify(token: string | null, sessionId: string): InferenceTokenClaims | string {
    if (!token) return 'missing token';
    try {
      return this.tokens.verify(token, sessionId);
    } catch (err) {
      return err instanceof JwtError ? err.reason.toLowerCase().replace(/_/g, ' ') : 'invalid token';
    }
  }

  private open(ws: WebSocket, sessionId: string, token: string | null): void {
    const claims = this.verify(token, sessionId);
    if (typeof claims === 'string') {
      this.refusals.inc({ reason: 'auth' });
      this.logger.warn({ sessionId, reason: claims }, 'stream refused');
      closeSocket(ws, CLOSE_CODES.POLICY_VIOLATION, `auth failed: ${claims}`);
      return;
    }
    if (this.draining) {
      closeSocket(ws, CLOSE_CODES.SERVICE_RESTART, 'node is restarting; reconnect');
      return;
    }
    const previous = this.live.get(sessionId);
    if (!previous && this.live.size >= this.config.CAPACITY) {
      this.refusals.inc({ reason: 'capacity' });
      closeSocket(ws, CLOSE_CODES.TRY_AGAIN_LATER, 'node is at capacity');
      return;
    }
    if (previous) closeSocket(previous.ws, CLOSE_CODES.SESSION_REPLACED, 'replaced by a newer connection');
    const session = this.registry.getOrCreate(sessionId);
    let markGone: () => void = () => undefined;
    const gone = new Promise<void>((r) => (markGone = r));
    const stream: LiveStream = {
      ws,
      session,
      reportedAt: Date.now(),
      usageTimer: undefined,
      expiry: undefined,
      consecutiveErrors: 0,
      lastStatusAt: 0,
      closed: false,
      gone,
    };
    this.live.set(sessionId, stream);
    this.announcer.load = this.live.size;
    this.armExpiry(stream, claims.exp);
    // Messages that arrive while the checkpoint loads wait behind it, in order.
    let ready = false;
    const early: [RawData, boolean][] = [];
    const handle = (data: RawData, isBinary: boolean) =>
      containSocketFault(ws, 'frame', (err, where) => this.logger.error({ sessionId, where, err: err instanceof Error ? err.message : String(err) }, 'stream fault: closed with 1011'), () =>
        this.onMessage(stream, data, isBinary),
      );
    ws.on('message', (data, isBinary) => (ready ? handle(data, isBinary) : early.push([data, isBinary])));
    // gone: closed and its final usage report out (what a drain waits for)
    ws.on('close', () => void this.onClose(stream).then(markGone));
    // ws itself closes the socket after an error (e.g. 1009 for a message over maxPayload).
    ws.on('error', (err) => this.logger.warn({ sessionId, err: err.message }, 'stream socket error'));
    void this.registry.open(sessionId).then(({ restored }) => {
      if (stream.closed) return;
      // Usage goes on from the session's watermark (restored with the checkpoint): what the node
      // before this one received but did not report is reported with this stream's next delta.
      stream.reportedAt = Date.now();
      session.attach({
        send: (m) => {
          boundedSend(ws, JSON.stringify(m), this.config.WS_MAX_BUFFERED_BYTES);
        },
        analysed: (a) => this.publishStatus(stream, a),
      });
      stream.usageTimer = setInterval(() => void this.reportUsage(stream, false), this.config.USAGE_REPORT_MS);
      stream.usageTimer.unref();
      this.logger.log({ sessionId, restored, reps: session.reps, resumed: session.counters.framesAnalysed > 0 }, 'stream opened');
      ready = true;
      for (const [data, isBinary] of early.splice(0)) handle(data, isBinary);
    });
  }

  private armExpiry(stream: LiveStream, expSec: number): void {
    if (stream.expiry) clearTimeout(stream.expiry);
    const ms = Math.max(0, expSec * 1000 - Date.now() + this.config.TOKEN_CLOCK_SKEW_SEC * 1000);
    stream.expiry = setTimeout(() => closeSocket(stream.ws, CLOSE_CODES.TOKEN_EXPIRED, 'token expired; reconnect with a refreshed token'), Math.min(ms, 2 ** 31 - 1));
    stream.expiry.unref();
  }

  private onMessage(stream: LiveStream, data: RawData, isBinary: boolean): void {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const parsed = isBinary ? parseBinaryMessage(buf, this.config.MAX_IMAGE_BYTES) : parseTextMessage(buf.toString('utf8'), this.config.MAX_IMAGE_BYTES);
    if (parsed.kind === 'error') {
      this.refusals.inc({ reason: parsed.code });
      const msg: InferenceErrorMessage = { type: 'error', code: parsed.code, message: parsed.message, ...(parsed.frameNumber !== undefined ? { frameNumber: parsed.frameNumber } : {}) };
      boundedSend(stream.ws, JSON.stringify(msg), this.config.WS_MAX_BUFFERED_BYTES);
      if (++stream.consecutiveErrors >= this.config.MAX_CONSECUTIVE_ERRORS) closeSocket(stream.ws, CLOSE_CODES.TOO_MANY_ERRORS, 'too many bad messages');
      return;
    }
    stream.consecutiveErrors = 0;
    if (parsed.kind === 'auth') {
      const claims = this.verify(parsed.token, stream.session.sessionId);
      if (typeof claims === 'string') {
        boundedSend(stream.ws, JSON.stringify({ type: 'error', code: 'INVALID_TOKEN', message: `token refused: ${claims}` }), this.config.WS_MAX_BUFFERED_BYTES);
        return;
      }
      this.armExpiry(stream, claims.exp);
      boundedSend(stream.ws, JSON.stringify({ type: 'auth', status: 'ok', exp: claims.exp }), this.config.WS_MAX_BUFFERED_BYTES);
      return;
    }
    // A draining node has checkpointed (or is about to): a frame analysed now would be lost.
    if (this.draining) return;
    this.frames.inc({ encoding: parsed.encoding });
    stream.session.offer(parsed);
  }

  private publishStatus(stream: LiveStream, a: FrameAnalysis): void {
    const now = Date.now();
    if (!a.repCompleted && now - stream.lastStatusAt < this.config.AI_STATUS_THROTTLE_MS) return;
    stream.lastStatusAt = now;
    void this.bus
      .publish('ai.status', {
        sessionId: stream.session.sessionId,
        lumbar: a.lumbar,
        knee: a.knee,
        ankle: a.ankle,
        ...(a.score !== null ? { score: Math.max(0, Math.min(100, a.score)) } : {}),
        stage: a.stage,
        reps: a.reps,
        source: 'inference',
        at: now,
      })
      .catch((err: unknown) => this.logger.warn({ sessionId: stream.session.sessionId, err: String(err) }, 'ai.status not published'));
  }

  private onClose(stream: LiveStream): Promise<void> {
    stream.closed = true;
    if (stream.expiry) clearTimeout(stream.expiry);
    if (stream.usageTimer) clearInterval(stream.usageTimer);
    const { sessionId } = stream.session;
    if (this.live.get(sessionId) === stream) {
      this.live.delete(sessionId);
      stream.session.detach();
      void this.registry.checkpointChanged([stream.session]);
    }
    this.announcer.load = this.live.size;
    return this.reportUsage(stream, true);
  }

  /**
   * `session.usage` with what the session received since its last report (on any node; see
   * SessionRegistry.takeUsage for why a frame counts once): every USAGE_REPORT_MS while it streams,
   * once when it closes. Deltas with distinct `at`, so the ledger adds them up and a redelivered
   * event (same job id) counts once. Never throws.
   */
  private async reportUsage(stream: LiveStream, final: boolean): Promise<void> {
    const delta = await this.registry.takeUsage(stream.session, final);
    // once taken, a delta is published: its frames are checkpointed as reported
    if (!delta) return;
    const now = Date.now();
    const at = Math.max(now, this.lastUsageAt + 1);
    this.lastUsageAt = at;
    const usage = {
      sessionId: stream.session.sessionId,
      nodeId: this.config.NODE_ID,
      ...delta,
      durationMs: Math.max(0, now - stream.reportedAt),
      at,
    };
    stream.reportedAt = now;
    if (final) this.logger.log(usage, 'stream closed');
    await this.bus.publish('session.usage', usage).catch((err: unknown) => this.logger.warn({ sessionId: usage.sessionId, err: String(err) }, 'session.usage not published'));
  }

  /**
   * SIGTERM: readiness fails at once and the control plane is told this node drains; no new
   * streams or frames; in-flight frames finish; every session's usage is reported and every
   * session is checkpointed; every client is told to reconnect (1012: refresh, then the wsUrl it
   * answers); the node waits until they left (their final usage out) or DRAIN_TIMEOUT_MS ran out.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    this.health.startDraining();
    this.announcer.draining = true;
    await this.announcer.beat();
    const streams = [...this.live.values()];
    const budget = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
    await Promise.race([Promise.all(streams.map((s) => s.session.idle())), budget(this.config.DRAIN_TIMEOUT_MS)]);
    // Usage is reported (its watermark checkpointed) before clients are told to move, so the node
    // they move to never restores a watermark older than what this one reported.
    await Promise.race([Promise.all([...streams.map((s) => this.reportUsage(s, false)), this.registry.checkpointChanged()]), budget(this.config.DRAIN_TIMEOUT_MS)]);
    for (const s of streams) closeSocket(s.ws, CLOSE_CODES.SERVICE_RESTART, 'node is restarting; reconnect');
    await Promise.race([Promise.all(streams.map((s) => s.gone)), budget(this.config.DRAIN_TIMEOUT_MS)]);
    for (const s of streams) if (!s.closed) s.ws.terminate();
    // a stream cut off gets a short moment for its final report
    await Promise.race([Promise.all(streams.map((s) => s.gone)), budget(1_000)]);
  }
}
