import { TokenService } from '@squirret/auth';
import type { LiveNode, NodeAllocator } from '../../src/allocation/node-registry';
import type { Clock } from '../../src/control-plane.tokens';
import type { SessionEntity } from '../../src/sessions/session.entity';
import type { NewSession, SessionsStore, UpdateOutcome } from '../../src/sessions/sessions.repository';

/** Builders for control-plane unit tests: plain fakes of the named I/O, no mocks of databases. */
export const TEST_SECRETS = {
  sessionSecret: 'unit-session-secret-unit-session-secret-xx',
  inferenceSecret: 'unit-inference-secret-unit-inference-secret',
};

export function fixedClock(iso = '2026-11-25T10:00:00Z'): Clock & { advance(ms: number): void } {
  let t = new Date(iso).getTime();
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function tokenService(clock: Clock, inferenceTtlSec = 900): TokenService {
  return new TokenService(
    { ...TEST_SECRETS, sessionTtlSec: 3600, inferenceTtlSec, clockToleranceSec: 5 },
    () => Math.floor(clock.now() / 1000),
  );
}

/** An in-memory SessionsStore with the same conditional semantics as the PostgreSQL one. */
export class FakeSessionsStore implements SessionsStore {
  readonly rows = new Map<string, SessionEntity>();

  async insert(s: NewSession): Promise<void> {
    this.rows.set(s.id, { ...s, status: 'active', email: null, upgradedAt: null, finishedAt: null });
  }

  async find(id: string): Promise<SessionEntity | null> {
    const r = this.rows.get(id);
    return r ? { ...r } : null;
  }

  async upgrade(id: string, userId: string, email: string, at: Date): Promise<UpdateOutcome> {
    const r = this.rows.get(id);
    if (!r) return 'not-found';
    if (r.userId !== null && r.userId !== userId) return 'conflict';
    Object.assign(r, { userId, email, upgradedAt: r.upgradedAt ?? at });
    return 'updated';
  }

  async finish(id: string, at: Date, then: () => Promise<void>): Promise<UpdateOutcome> {
    const r = this.rows.get(id);
    if (!r) return 'not-found';
    if (r.status === 'finished') return 'conflict';
    await then();
    Object.assign(r, { status: 'finished', finishedAt: at });
    return 'updated';
  }

  async move(id: string, nodeId: string, wsUrl: string): Promise<UpdateOutcome> {
    const r = this.rows.get(id);
    if (!r) return 'not-found';
    if (r.status === 'finished') return 'conflict';
    Object.assign(r, { nodeId, wsUrl });
    return 'updated';
  }
}

/** An allocator that hands out the first of the given nodes (or none); the list may change. */
export function fakeAllocator(nodes: LiveNode[]): NodeAllocator {
  return { allocate: () => nodes[0], liveNodes: () => nodes, isServing: (id) => nodes.some((n) => n.nodeId === id) };
}

export const liveNode = (over: Partial<LiveNode> = {}): LiveNode => ({
  nodeId: 'node-a',
  wsBaseUrl: 'ws://10.0.0.5:8000',
  capacity: 4,
  load: 0,
  ...over,
});
