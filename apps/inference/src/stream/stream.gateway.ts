import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InferenceTokenVerifier, JwtError } from '@squirret/auth';
import type { Bus } from '@squirret/bus';
import { CLOSE_CODES, DRAIN_CLOSE_CODE, type InferenceErrorMessage, type InferenceTokenClaims } from '@squirret/contracts';
import {
  HealthRegistry,
  MetricsService,
  RealtimeGateway,
  type Admission,
  type RealtimeGatewayHooks,
  type RealtimeServer,
  type RealtimeSocket,
} from '@squirret/server-kit';
import type { FrameAnalysis } from '@squirret/squat';
import type { Counter } from 'prom-client';
import { NodeAnnouncer } from '../allocation/node-announcer';
import { InferenceMetrics } from '../inference.metrics';
import type { InferenceConfig } from '../config/inference.config';
import { INF_BUS, INF_CONFIG } from '../inference.tokens';
import { parseBinaryMessage, parseTextMessage } from './frame-parser';
import { SessionRegistry } from './session-registry';
import type { StreamSession } from './stream-session';

const SESSION_PATH = /^\/ws\/(?<sessionId>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/** What the token check before the upgrade produced. */
interface StreamAdmission {
  readonly sessionId: string;
  readonly claims: InferenceTokenClaims;
}

/** The live socket of one stream, with what it needs to report its own usage. */
interface LiveStream {
  readonly ws: RealtimeSocket<StreamAdmission>;
  readonly session: StreamSession;
  /** When this stream last reported `session.usage` (its duration is the stream's own). */
  reportedAt: number;
  usageTimer: NodeJS.Timeout | undefined;
  expiry: NodeJS.Timeout | undefined;
  consecutiveErrors: number;
  lastStatusAt: number;
  closed: boolean;
}

/**
 * `/ws/{sessionId}?token=`: the data plane's frame socket (seed 004 §8.3) on the realtime layer.
 * The token is verified before the upgrade (HS256, aud inference-ws, sub = the path's sessionId,
 * exp, nbf); a refusal upgrades and closes with 1008. Frames (JSON base64 or binary) go through
 * the session's newest-frame-wins slot to the pose pool and the squat analyzer; answers are
 * `analysis` (and `rep`) messages.
 */
@RealtimeGateway('inference', SESSION_PATH)
export class StreamGateway implements RealtimeGatewayHooks<StreamAdmission>, BeforeApplicationShutdown {
  private readonly logger = new Logger('stream');
  private readonly tokens: InferenceTokenVerifier;
  private readonly live = new Map<string, LiveStream>();
  private draining = false;
  private lastUsageAt = 0;
  private readonly frames: Counter<'encoding'>;
  private readonly refusals: Counter<'reason'>;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly announcer: NodeAnnouncer,
    @Inject(INF_BUS) private readonly bus: Bus,
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
    metrics: MetricsService,
    private readonly health: HealthRegistry,
    private readonly stageMetrics: InferenceMetrics,
  ) {
    this.tokens = new InferenceTokenVerifier(config.INFERENCE_TOKEN_SECRET, config.TOKEN_CLOCK_SKEW_SEC);
    this.frames = metrics.counter({ name: 'inference_frames_total', help: 'Frames received', labelNames: ['encoding'] });
    this.refusals = metrics.counter({ name: 'inference_refusals_total', help: 'Refused connections and messages', labelNames: ['reason'] });
  }

  afterInit(server: RealtimeServer<StreamAdmission>): void {
    server.configure({
      maxPayload: this.config.INFERENCE_WS_MAX_MESSAGE_BYTES,
      maxBufferedBytes: this.config.WS_MAX_BUFFERED_BYTES,
      // a half-open client (no FIN) is closed with 4010 and frees its capacity slot (0: no pings)
      pingMs: this.config.INFERENCE_WS_PING_MS,
      // the drain's wait for clients to leave (their final usage reports follow their close)
      drainGraceMs: this.config.INFERENCE_DRAIN_TIMEOUT_MS,
      authenticate: (_req, { params, query }) => this.admit((params.sessionId ?? '').toLowerCase(), query.get('token')),
    });
  }

  /** Live streams on this node (the load it announces). */
  get load(): number {
    return this.live.size;
  }

  private admit(sessionId: string, token: string | null): Admission<StreamAdmission> {
    const claims = this.verify(token, sessionId);
    if (typeof claims !== 'string') return { accept: { sessionId, claims } };
    this.refusals.inc({ reason: 'auth' });
    this.logger.warn({ sessionId, reason: claims }, 'stream refused');
    return { close: CLOSE_CODES.POLICY_VIOLATION, reason: `auth failed: ${claims}` };
  }

  private verify(token: string | null, sessionId: string): InferenceTokenClaims | string {
    if (!token) return 'missing token';
    try {
      return this.tokens.verify(token, sessionId);
    } catch (err) {
      return err instanceof JwtError ? err.reason.toLowerCase().replace(/_/g, ' ') : 'invalid token';
    }
  }

  handleConnection(ws: RealtimeSocket<StreamAdmission>): void {
    const { sessionId, claims } = ws.context;
    if (this.draining) {
      this.refusals.inc({ reason: 'draining' });
      ws.close(DRAIN_CLOSE_CODE, 'node is restarting; reconnect');
      return;
    }
    const previous = this.live.get(sessionId);
    if (!previous && this.live.size >= this.config.INFERENCE_CAPACITY) {
      this.refusals.inc({ reason: 'capacity' });
      ws.close(CLOSE_CODES.TRY_AGAIN_LATER, 'node is at capacity');
      return;
    }
    if (previous) previous.ws.close(CLOSE_CODES.SESSION_REPLACED, 'replaced by a newer connection');
    const session = this.registry.getOrCreate(sessionId);
    const stream: LiveStream = {
      ws,
      session,
      reportedAt: Date.now(),
      usageTimer: undefined,
      expiry: undefined,
      consecutiveErrors: 0,
      lastStatusAt: 0,
      closed: false,
    };
    this.live.set(sessionId, stream);
    this.announcer.load = this.live.size;
    this.armExpiry(stream, claims.exp);
    // Messages that arrive while the checkpoint loads wait behind it, in order.
    let ready = false;
    const early: [Buffer, boolean][] = [];
    // a fault in a frame's handling closes this stream (1011), never the process
    ws.onMessage((data, isBinary) => (ready ? this.onMessage(stream, data, isBinary) : early.push([data, isBinary])));
    // the final usage report; the layer's drain waits for it
    ws.onClose(() => this.onClose(stream));
    void this.registry.open(sessionId).then(({ restored }) => {
      if (stream.closed) return;
      // Usage goes on from the session's watermark (restored with the checkpoint): what the node
      // before this one received but did not report is reported with this stream's next delta.
      stream.reportedAt = Date.now();
      session.onAnalysed = (ms) => this.stageMetrics.analysis.observe(ms / 1000);
      session.attach({
        send: (m) => {
          this.stageMetrics.answered(m);
          ws.send(JSON.stringify(m));
        },
        analysed: (a) => this.publishStatus(stream, a),
      });
      stream.usageTimer = setInterval(() => void this.reportUsage(stream, false), this.config.INFERENCE_USAGE_REPORT_MS);
      stream.usageTimer.unref();
      this.logger.log({ sessionId, restored, reps: session.reps, resumed: session.counters.framesAnalysed > 0 }, 'stream opened');
      ready = true;
      for (const [data, isBinary] of early.splice(0)) ws.contain('frame', () => this.onMessage(stream, data, isBinary));
    });
  }

  private armExpiry(stream: LiveStream, expSec: number): void {
    if (stream.expiry) clearTimeout(stream.expiry);
    const ms = Math.max(0, expSec * 1000 - Date.now() + this.config.TOKEN_CLOCK_SKEW_SEC * 1000);
    stream.expiry = setTimeout(() => stream.ws.close(CLOSE_CODES.TOKEN_EXPIRED, 'token expired; reconnect with a refreshed token'), Math.min(ms, 2 ** 31 - 1));
    stream.expiry.unref();
  }

  private onMessage(stream: LiveStream, buf: Buffer, isBinary: boolean): void {
    const parsed = isBinary ? parseBinaryMessage(buf, this.config.INFERENCE_MAX_IMAGE_BYTES) : parseTextMessage(buf.toString('utf8'), this.config.INFERENCE_MAX_IMAGE_BYTES);
    if (parsed.kind === 'error') {
      this.refusals.inc({ reason: parsed.code });
      const msg: InferenceErrorMessage = { type: 'error', code: parsed.code, message: parsed.message, ...(parsed.frameNumber !== undefined ? { frameNumber: parsed.frameNumber } : {}) };
      stream.ws.send(JSON.stringify(msg));
      if (++stream.consecutiveErrors >= this.config.INFERENCE_MAX_CONSECUTIVE_ERRORS) stream.ws.close(CLOSE_CODES.TOO_MANY_ERRORS, 'too many bad messages');
      return;
    }
    stream.consecutiveErrors = 0;
    if (parsed.kind === 'auth') {
      const claims = this.verify(parsed.token, stream.session.sessionId);
      if (typeof claims === 'string') {
        stream.ws.send(JSON.stringify({ type: 'error', code: 'INVALID_TOKEN', message: `token refused: ${claims}` }));
        return;
      }
      this.armExpiry(stream, claims.exp);
      stream.ws.send(JSON.stringify({ type: 'auth', status: 'ok', exp: claims.exp }));
      return;
    }
    // A draining node has checkpointed (or is about to): a frame analysed now would be lost.
    if (this.draining) return;
    this.frames.inc({ encoding: parsed.encoding });
    stream.session.offer(parsed);
  }

  private publishStatus(stream: LiveStream, a: FrameAnalysis): void {
    const now = Date.now();
    if (!a.repCompleted && now - stream.lastStatusAt < this.config.INFERENCE_AI_STATUS_THROTTLE_MS) return;
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
    if (delta.framesDropped > 0) this.stageMetrics.dropped.inc({ reason: 'replaced' }, delta.framesDropped);
    const now = Date.now();
    const at = Math.max(now, this.lastUsageAt + 1);
    this.lastUsageAt = at;
    const usage = {
      sessionId: stream.session.sessionId,
      nodeId: this.config.INFERENCE_NODE_ID,
      ...delta,
      durationMs: Math.max(0, now - stream.reportedAt),
      at,
    };
    stream.reportedAt = now;
    if (final) this.logger.log(usage, 'stream closed');
    await this.bus.publish('session.usage', usage).catch((err: unknown) => this.logger.warn({ sessionId: usage.sessionId, err: String(err) }, 'session.usage not published'));
  }

  /**
   * SIGTERM, the node's part: readiness fails at once and the control plane is told this node
   * drains; no new streams or frames; in-flight frames finish; every session's usage is reported
   * and every session is checkpointed. Then (Nest calls it after this hook) the realtime layer's
   * drain tells every client to reconnect (1012: refresh, then the wsUrl it answers) and waits
   * until they left and their final usage is out, or DRAIN_TIMEOUT_MS ran out.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    this.health.startDraining();
    this.announcer.draining = true;
    await this.announcer.beat();
    const streams = [...this.live.values()];
    const budget = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
    await Promise.race([Promise.all(streams.map((s) => s.session.idle())), budget(this.config.INFERENCE_DRAIN_TIMEOUT_MS)]);
    // Usage is reported (its watermark checkpointed) before clients are told to move, so the node
    // they move to never restores a watermark older than what this one reported.
    await Promise.race([Promise.all([...streams.map((s) => this.reportUsage(s, false)), this.registry.checkpointChanged()]), budget(this.config.INFERENCE_DRAIN_TIMEOUT_MS)]);
  }
}
