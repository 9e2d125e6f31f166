import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SquatAnalyzer } from '@squirret/squat';
import { MemoryCheckpointStore } from './checkpoint-store';
import { isSaneCheckpoint, type SessionCheckpoint } from './session-checkpoint';

const checkpoint = (over: Partial<SessionCheckpoint> = {}): SessionCheckpoint => ({
  version: 1,
  sessionId: 's-1',
  nodeId: 'node-a',
  savedAt: 1000,
  analyzer: new SquatAnalyzer().snapshot(),
  counters: { framesIn: 3, framesAnalysed: 2, framesDropped: 1 },
  lastTimeMs: 1_700_000_000_000,
  useClientTime: true,
  ...over,
});

describe('MemoryCheckpointStore', () => {
  it('keeps a checkpoint until its TTL, as a copy', async () => {
    let now = 0;
    const store = new MemoryCheckpointStore(() => now);
    await store.save(checkpoint(), 1000);
    assert.deepEqual(await store.load('s-1'), checkpoint());
    assert.equal(await store.load('s-2'), undefined);
    now = 1000;
    assert.equal(await store.load('s-1'), undefined);
  });
});

describe('isSaneCheckpoint', () => {
  it('accepts what a session writes and refuses what JSON made of a non-finite value', () => {
    assert.ok(isSaneCheckpoint(JSON.parse(JSON.stringify(checkpoint())), 's-1'));
    assert.ok(!isSaneCheckpoint(checkpoint(), 's-2'), 'another session');
    assert.ok(!isSaneCheckpoint(JSON.parse(JSON.stringify(checkpoint({ savedAt: Number.POSITIVE_INFINITY }))), 's-1'));
    const bad = JSON.parse(JSON.stringify(checkpoint())) as { analyzer: { lastMs: unknown } };
    bad.analyzer.lastMs = 'x';
    assert.ok(!isSaneCheckpoint(bad, 's-1'));
    assert.ok(!isSaneCheckpoint({ ...checkpoint(), counters: { framesIn: -1, framesAnalysed: 0, framesDropped: 0 } }, 's-1'));
    assert.ok(!isSaneCheckpoint(null, 's-1'));
  });

  it('takes the usage watermark when it is counts no higher than the counters, and an older checkpoint without one', () => {
    assert.ok(isSaneCheckpoint(checkpoint({ reported: { framesIn: 2, framesAnalysed: 2, framesDropped: 0 } }), 's-1'));
    assert.ok(isSaneCheckpoint(checkpoint(), 's-1'), 'written by a node before the watermark');
    assert.ok(!isSaneCheckpoint(checkpoint({ reported: { framesIn: 4, framesAnalysed: 2, framesDropped: 0 } }), 's-1'), 'more reported than received');
    assert.ok(!isSaneCheckpoint(JSON.parse(JSON.stringify(checkpoint({ reported: { framesIn: Number.NaN, framesAnalysed: 0, framesDropped: 0 } }))), 's-1'));
    assert.ok(!isSaneCheckpoint({ ...checkpoint(), reported: null }, 's-1'));
  });
});
