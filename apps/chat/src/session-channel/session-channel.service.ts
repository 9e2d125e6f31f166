import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import { AppToServerMessageSchema, SESSION_CHANNEL } from '@squirret/contracts';
import { MetricsService, formatZodError, guardedTimer } from '@squirret/server-kit';
import { prepareMessageText, type PreparedMessageText, type StompMessageAction, type StompSubscribeAction } from '@squirret/stomp';
import type { Counter, Gauge } from 'prom-client';
import { Gauge as PromGauge } from 'prom-client';
import { CHAT_BUS, CHAT_CLOCK, CHAT_CONFIG, type Clock } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { ClientEventsRepository } from './client-events.repository';
import { buildDataPush, buildVoicePush } from './pushes';
import { SessionState, type AiSnapshot } from './session-state';
import { JSON_CONTENT_TYPE, type ConnectionHandler, type StompConnection } from './stomp-connection';

/**
 * The app's session channel: Spring-style user destinations (a connection only ever receives its
 * own session's queue), PING/PONG and CLIENT_EVENT from the app, and the DATA (every second) and
 * voice (every ten) pushes built from what the bus says about the session.
 */
@Injectable()
export class SessionChannelService implements ConnectionHandler, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('session-channel');
  private readonly bySession = new Map<string, Set<StompConnection>>();
  private readonly connections = new Set<StompConnection>();
  readonly state: SessionState;
  private ticker: NodeJS.Timeout | undefined;
  private tick = 0;
  private offs: Unsubscribe[] = [];
  private readonly pushes: Counter<'type'>;
  private readonly open: Gauge;

  constructor(
    @Inject(CHAT_BUS) private readonly bus: Bus,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(CHAT_CLOCK) private readonly clock: Clock,
    private readonly events: ClientEventsRepository,
    metrics: MetricsService,
  ) {
    // Nothing older than a voice window or the freshness bound is ever pushed; a minute is ample.
    // 10,000 devices / sessions per map is far beyond one instance's connections.
    this.state = new SessionState({ maxEntries: 10_000, maxAgeMs: Math.max(60_000, 2 * config.CHAT_DATA_PUSH_MS * config.CHAT_VOICE_EVERY_TICKS, 2 * config.CHAT_FSR_FRESH_MS) }, () => clock.now());
    this.pushes = metrics.counter({ name: 'stomp_pushes_total', help: 'Messages pushed to session queues', labelNames: ['type'] });
    const existing = metrics.registry.getSingleMetric('stomp_connections');
    this.open = (existing as Gauge | undefined) ?? new PromGauge({ name: 'stomp_connections', help: 'Open STOMP connections', registers: [metrics.registry] });
  }

  async onModuleInit(): Promise<void> {
    this.offs = await Promise.all([
      this.bus.subscribe('ai.status', (e) => this.state.onAiStatus(e)),
      this.bus.subscribe('fsr.balance', (e) => this.state.onFsrBalance(e)),
      this.bus.subscribe('fsr.feedback', (e) => this.state.onFsrFeedback(e)),
      this.bus.subscribe('session.push', (e) => {
        this.deliver(e.sessionId, e.message);
      }),
    ]);
    // A fault in one tick is logged; the ticker (and the process) go on.
    const onTick = guardedTimer('session-channel tick', (err) => this.logger.error({ err: String(err) }, 'push tick failed'), () => this.onTick());
    this.ticker = setInterval(onTick, this.config.CHAT_DATA_PUSH_MS);
    this.ticker.unref();
  }

  /**
   * Shutdown: the pushes stop; the realtime layer's drain then tells each STOMP client to
   * reconnect (1012), so a SIGTERM with live sessions exits at once.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await Promise.all(this.offs.map((off) => off()));
  }

  /** Connections of a session held by this instance (tests and admin). */
  connectionsOf(sessionId: string): number {
    return this.bySession.get(sessionId)?.size ?? 0;
  }

  /** Puts a message on a session's user queue on this instance. */
  deliver(sessionId: string, message: unknown): number {
    let sent = 0;
    for (const c of this.bySession.get(sessionId) ?? []) sent += c.push(SESSION_CHANNEL.userQueue, message);
    return sent;
  }

  onConnected(c: StompConnection): void {
    this.connections.add(c);
    this.open.set(this.connections.size);
    this.logger.log({ sessionId: c.identity.sessionId, role: c.identity.role, version: c.session.version }, 'STOMP session connected');
  }

  onSubscribe(c: StompConnection, a: StompSubscribeAction): string | undefined {
    if (a.destination !== SESSION_CHANNEL.userQueue) {
      return `unknown destination ${a.destination.slice(0, 100)}; subscribe to ${SESSION_CHANNEL.userQueue}`;
    }
    let set = this.bySession.get(c.identity.sessionId);
    if (!set) this.bySession.set(c.identity.sessionId, (set = new Set()));
    set.add(c);
    return undefined;
  }

  onUnsubscribe(c: StompConnection): void {
    const stillSubscribed = [...c.session.subscriptions().values()].includes(SESSION_CHANNEL.userQueue);
    if (!stillSubscribed) this.untrack(c);
  }

  onSend(c: StompConnection, a: StompMessageAction): string | undefined {
    if (a.destination !== SESSION_CHANNEL.appDestination) {
      return `unknown destination ${a.destination.slice(0, 100)}; send to ${SESSION_CHANNEL.appDestination}`;
    }
    let json: unknown;
    try {
      json = JSON.parse(a.body.toString('utf8'));
    } catch {
      return 'body is not valid JSON';
    }
    const parsed = AppToServerMessageSchema.safeParse(json);
    if (!parsed.success) return `invalid message: ${formatZodError(parsed.error)}`;
    const msg = parsed.data;
    const { sessionId } = c.identity;
    if (msg.type === 'PING') {
      const pong = { type: 'PONG', payload: { ts: msg.payload?.ts ?? null, serverTs: this.clock.now() / 1000 } };
      // The answer goes to the asking connection's own queue subscription(s).
      if (c.push(SESSION_CHANNEL.userQueue, pong) > 0) this.pushes.inc({ type: 'PONG' });
      return undefined;
    }
    const { name, ts } = msg.payload;
    this.events
      .record(sessionId, name, ts)
      .then(() => this.bus.publish('client.event', { sessionId, name, ...(ts !== undefined ? { ts } : {}), at: this.clock.now() }))
      .catch((err: unknown) => this.logger.warn({ sessionId, err: String(err) }, 'client event not recorded'));
    return undefined;
  }

  onClosed(c: StompConnection): void {
    this.connections.delete(c);
    this.open.set(this.connections.size);
    this.untrack(c);
  }

  private untrack(c: StompConnection): void {
    const set = this.bySession.get(c.identity.sessionId);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) this.bySession.delete(c.identity.sessionId);
  }

  /** One tick: DATA to every subscribed connection; voice on every CHAT_VOICE_EVERY_TICKS-th tick. */
  private onTick(): void {
    this.tick++;
    const now = this.clock.now();
    const voiceTick = this.tick % this.config.CHAT_VOICE_EVERY_TICKS === 0;
    const windowMs = this.config.CHAT_DATA_PUSH_MS * this.config.CHAT_VOICE_EVERY_TICKS;
    // When this tick started: clients (and bench/stomp) measure push lag against it.
    const headers = { timestamp: String(now) };
    if (voiceTick) this.state.sweep();
    const frameHeaders = { 'content-type': JSON_CONTENT_TYPE, ...headers };
    // A DATA push depends only on the AI snapshot and the device's feet: each distinct one is
    // serialised once per tick (most sessions share the global snapshot and the default device).
    const bodies = new Map<AiSnapshot | undefined, Map<string, PreparedMessageText>>();
    // counted per tick, not per push (a labelled inc per push is a label lookup each)
    let data = 0;
    let voices = 0;
    for (const [sessionId, conns] of this.bySession) {
      const ai = this.state.ai(sessionId);
      let byDevice = bodies.get(ai);
      if (!byDevice) bodies.set(ai, (byDevice = new Map()));
      for (const c of conns) {
        const { deviceId } = c.identity;
        let push = byDevice.get(deviceId);
        if (push === undefined) {
          const body = JSON.stringify(buildDataPush(now, ai, this.state.balanceOf(deviceId), this.config.CHAT_FSR_FRESH_MS));
          byDevice.set(deviceId, (push = prepareMessageText(SESSION_CHANNEL.userQueue, body, frameHeaders)));
        }
        if (c.pushPrepared(push) > 0) data++;
        if (!voiceTick) continue;
        const voice = buildVoicePush(now, windowMs, ai, this.state.feedbackOf(c.identity.deviceId));
        if (voice && c.push(SESSION_CHANNEL.userQueue, voice, headers) > 0) voices++;
      }
    }
    if (data) this.pushes.inc({ type: 'DATA' }, data);
    if (voices) this.pushes.inc({ type: 'voice' }, voices);
  }
}
