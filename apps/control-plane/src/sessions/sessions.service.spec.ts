import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@squirret/contracts';
import { FakeSessionsStore, fakeAllocator, fixedClock, liveNode, tokenService } from '../../test/factories/sessions.factory';
import type { UsageService } from '../usage/usage.service';
import { SessionsService } from './sessions.service';

function setup(opts: { nodes?: ReturnType<typeof liveNode>[]; usageFails?: boolean } = {}) {
  const clock = fixedClock();
  const store = new FakeSessionsStore();
  const tokens = tokenService(clock);
  const recorded: unknown[] = [];
  const usage = {
    recordClientFigures: async (d: unknown) => {
      if (opts.usageFails) throw new Error('queue down');
      recorded.push(d);
    },
  } as unknown as UsageService;
  const service = new SessionsService(store, tokens, fakeAllocator(opts.nodes ?? [liveNode()]), clock, usage);
  return { service, store, tokens, recorded, clock };
}

const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;

describe('SessionsService', () => {
  it('issues a guest session with a guest token whose sub is the session id', async () => {
    const { service, store, tokens } = setup();
    const r = await service.issueGuest();
    assert.equal(store.rows.get(r.sessionId)?.kind, 'app');
    const claims = tokens.verifySessionToken(r.wsToken);
    assert.deepEqual([claims.sub, claims.role, claims.uid], [r.sessionId, 'guest', undefined]);
  });

  it('upgrades a guest to a user token for the same session, idempotently for the same user', async () => {
    const { service, tokens } = setup();
    const { sessionId } = await service.issueGuest();
    const a = await service.upgrade({ sessionId, userId: 'u-1', email: 'a@b.co' });
    const b = await service.upgrade({ sessionId, userId: 'u-1', email: 'a@b.co' });
    for (const r of [a, b]) {
      const c = tokens.verifySessionToken(r.wsToken);
      assert.deepEqual([r.sessionId, c.role, c.uid], [sessionId, 'user', 'u-1']);
    }
  });

  it('refuses an upgrade to another user (409) and of an unknown session (404)', async () => {
    const { service } = setup();
    const { sessionId } = await service.issueGuest();
    await service.upgrade({ sessionId, userId: 'u-1', email: 'a@b.co' });
    await assert.rejects(service.upgrade({ sessionId, userId: 'u-2', email: 'a@b.co' }), code('SESSION_ALREADY_UPGRADED'));
    await assert.rejects(
      service.upgrade({ sessionId: '00000000-0000-4000-8000-000000000000', userId: 'u-1', email: 'a@b.co' }),
      code('SESSION_NOT_FOUND'),
    );
  });

  it('creates an inference session on the allocated node with an inference token', async () => {
    const { service, tokens, store } = setup({ nodes: [liveNode({ wsBaseUrl: 'wss://inf-1.example/' })] });
    const r = await service.createInference('user123');
    assert.equal(r.wsUrl, `wss://inf-1.example/ws/${r.sessionId}`);
    const c = tokens.verifyInferenceToken(r.wsToken, r.sessionId);
    assert.equal(c.aud, 'inference-ws');
    assert.equal(c.exp - c.iat, 900);
    assert.equal(store.rows.get(r.sessionId)?.nodeId, 'node-a');
  });

  it('behind the gateway the wsUrl names the chosen node, and a move names the new one; /ws/<id> ends both', async () => {
    const nodes = [
      liveNode({ nodeId: 'node-a', wsBaseUrl: 'wss://gw.example.com/inference/node-a' }),
      liveNode({ nodeId: 'node-b', wsBaseUrl: 'wss://gw.example.com/inference/node-b' }),
    ];
    const { service } = setup({ nodes });
    const r = await service.createInference('user123');
    assert.equal(r.wsUrl, `wss://gw.example.com/inference/node-a/ws/${r.sessionId}`);
    nodes.shift();
    const moved = await service.refresh(r.sessionId);
    assert.equal(moved.wsUrl, `wss://gw.example.com/inference/node-b/ws/${r.sessionId}`);
  });

  it('answers NO_CAPACITY when no node is live', async () => {
    const { service, store } = setup({ nodes: [] });
    await assert.rejects(service.createInference('user123'), code('NO_CAPACITY'));
    assert.equal(store.rows.size, 0);
  });

  it('refreshes with a new token, refuses unknown (404), guest (404) and finished (409) sessions', async () => {
    const { service, tokens, clock } = setup();
    const { sessionId, wsToken } = await service.createInference('user123');
    clock.advance(60_000);
    const r = await service.refresh(sessionId);
    assert.notEqual(r.wsToken, wsToken);
    assert.equal(tokens.verifyInferenceToken(r.wsToken, sessionId).uid, 'user123');
    await assert.rejects(service.refresh('00000000-0000-4000-8000-000000000000'), code('SESSION_NOT_FOUND'));
    const guest = await service.issueGuest();
    await assert.rejects(service.refresh(guest.sessionId), code('SESSION_NOT_FOUND'));
    await service.finish(sessionId, { framesIn: 1, framesOut: 1, durationSeconds: 1 });
    await assert.rejects(service.refresh(sessionId), code('SESSION_FINISHED'));
  });

  it('refresh answers the same wsUrl while the node serves, and moves the session when its node is gone or draining', async () => {
    const nodes = [liveNode({ nodeId: 'node-a', wsBaseUrl: 'ws://a:1' }), liveNode({ nodeId: 'node-b', wsBaseUrl: 'ws://b:1' })];
    const { service, store, tokens } = setup({ nodes });
    const created = await service.createInference('user123');
    const same = await service.refresh(created.sessionId);
    assert.deepEqual([same.sessionId, same.wsUrl], [created.sessionId, created.wsUrl]);
    // node-a stopped heartbeating (or said it drains): the allocator no longer lists it
    nodes.shift();
    const moved = await service.refresh(created.sessionId);
    assert.equal(moved.wsUrl, `ws://b:1/ws/${created.sessionId}`);
    assert.equal(tokens.verifyInferenceToken(moved.wsToken, created.sessionId).sub, created.sessionId);
    assert.deepEqual([store.rows.get(created.sessionId)?.nodeId, store.rows.get(created.sessionId)?.wsUrl], ['node-b', moved.wsUrl]);
    nodes.shift();
    await assert.rejects(service.refresh(created.sessionId), code('NO_CAPACITY'));
  });

  it('finishes idempotently: the second call answers the same and records nothing new', async () => {
    const { service, recorded, store } = setup();
    const { sessionId } = await service.createInference('user123');
    const first = await service.finish(sessionId, { framesIn: 150, framesOut: 150, durationSeconds: 30 });
    const finishedAt = store.rows.get(sessionId)?.finishedAt;
    const second = await service.finish(sessionId, { framesIn: 9, framesOut: 9, durationSeconds: 9 });
    assert.deepEqual(first, { status: 'completed', sessionId });
    assert.deepEqual(second, first);
    assert.equal(recorded.length, 1);
    assert.deepEqual(recorded[0], { sessionId, framesIn: 150, framesOut: 150, durationSeconds: 30, at: '2026-11-25T10:00:00.000Z' });
    assert.equal(store.rows.get(sessionId)?.finishedAt, finishedAt);
  });

  it('leaves the session active when its usage cannot be queued, so a retry can finish it', async () => {
    const { service, store } = setup({ usageFails: true });
    const { sessionId } = await service.createInference('user123');
    await assert.rejects(service.finish(sessionId, { framesIn: 1, framesOut: 1, durationSeconds: 1 }), /queue down/);
    assert.equal(store.rows.get(sessionId)?.status, 'active');
  });
});
