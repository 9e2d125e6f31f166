import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TokenService } from '@squirret/auth';
import type {
  CreateInferenceSessionResponse,
  FinishSessionRequest,
  RefreshInferenceSessionResponse,
  FinishSessionResponse,
  SessionTokenResponse,
  UpgradeRequest,
} from '@squirret/contracts';
import { NODE_ALLOCATOR, type NodeAllocator } from '../allocation/node-allocator';
import { CP_CLOCK, CP_TOKENS, type Clock } from '../control-plane.tokens';
import { UsageService } from '../usage/usage.service';
import { SessionErrors } from './sessions.errors';
import { SESSIONS_STORE } from './sessions.store';
import type { SessionsStore } from './sessions.repository';

const wsUrlOf = (base: string, id: string): string => `${base.replace(/\/+$/, '')}/ws/${id}`;

/** Session lifecycle: guest issue, upgrade, inference allocation, token refresh, finish. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('sessions');

  constructor(
    @Inject(SESSIONS_STORE) private readonly store: SessionsStore,
    @Inject(CP_TOKENS) private readonly tokens: TokenService,
    @Inject(NODE_ALLOCATOR) private readonly allocator: NodeAllocator,
    @Inject(CP_CLOCK) private readonly clock: Clock,
    private readonly usage: UsageService,
  ) {}

  async issueGuest(): Promise<SessionTokenResponse> {
    const id = randomUUID();
    await this.store.insert({ id, kind: 'app', userId: null, nodeId: null, wsUrl: null, createdAt: new Date(this.clock.now()) });
    this.logger.log({ sessionId: id }, 'guest session issued');
    return { sessionId: id, wsToken: this.tokens.issueSessionToken(id, 'guest') };
  }

  async upgrade(req: UpgradeRequest): Promise<SessionTokenResponse> {
    const outcome = await this.store.upgrade(req.sessionId, req.userId, req.email, new Date(this.clock.now()));
    if (outcome === 'not-found') throw SessionErrors.notFound(req.sessionId);
    if (outcome === 'conflict') throw SessionErrors.upgradedToAnother(req.sessionId);
    this.logger.log({ sessionId: req.sessionId }, 'session upgraded');
    return { sessionId: req.sessionId, wsToken: this.tokens.issueSessionToken(req.sessionId, 'user', req.userId) };
  }

  async createInference(userId: string): Promise<CreateInferenceSessionResponse> {
    const node = this.allocator.allocate();
    if (!node) throw SessionErrors.noCapacity();
    const id = randomUUID();
    const wsUrl = wsUrlOf(node.wsBaseUrl, id);
    await this.store.insert({ id, kind: 'inference', userId, nodeId: node.nodeId, wsUrl, createdAt: new Date(this.clock.now()) });
    this.logger.log({ sessionId: id, nodeId: node.nodeId }, 'inference session created');
    return { sessionId: id, wsUrl, wsToken: this.tokens.issueInferenceToken(id, userId) };
  }

  /**
   * A new token, and where to connect: the session's node while it serves, else (dead: no
   * heartbeat within its TTL; or draining) a newly allocated one; that node restores the
   * session's checkpoint, so reps and counters continue.
   */
  async refresh(id: string): Promise<RefreshInferenceSessionResponse> {
    const s = await this.store.find(id);
    if (!s) throw SessionErrors.notFound(id);
    if (s.kind !== 'inference') throw SessionErrors.notInference(id);
    if (s.status === 'finished') throw SessionErrors.finished(id);
    let wsUrl = s.wsUrl;
    if (!s.nodeId || !wsUrl || !this.allocator.isServing(s.nodeId)) {
      const node = this.allocator.allocate();
      if (!node) throw SessionErrors.noCapacity();
      wsUrl = wsUrlOf(node.wsBaseUrl, id);
      const outcome = await this.store.move(id, node.nodeId, wsUrl);
      if (outcome === 'not-found') throw SessionErrors.notFound(id);
      if (outcome === 'conflict') throw SessionErrors.finished(id);
      this.logger.log({ sessionId: id, from: s.nodeId, to: node.nodeId }, 'inference session moved');
    }
    return { sessionId: id, wsToken: this.tokens.issueInferenceToken(id, s.userId ?? undefined), wsUrl };
  }

  /** Idempotent: the first call finishes the session and queues its usage; later calls change nothing. */
  async finish(id: string, figures: FinishSessionRequest): Promise<FinishSessionResponse> {
    const s = await this.store.find(id);
    if (!s) throw SessionErrors.notFound(id);
    if (s.kind !== 'inference') throw SessionErrors.notInference(id);
    const at = new Date(this.clock.now());
    const outcome = await this.store.finish(id, at, () =>
      this.usage.recordClientFigures({ sessionId: id, ...figures, at: at.toISOString() }),
    );
    if (outcome === 'not-found') throw SessionErrors.notFound(id);
    if (outcome === 'updated') this.logger.log({ sessionId: id }, 'session finished');
    return { status: 'completed', sessionId: id };
  }
}
