import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InMemoryBus } from '@squirret/bus';
import type { InferenceNodeEvent } from '@squirret/contracts';
import { fixedClock } from '../../test/factories/sessions.factory';
import { NodeRegistry } from './node-registry';

const beat = (over: Partial<InferenceNodeEvent> = {}): InferenceNodeEvent => ({
  nodeId: 'a',
  wsBaseUrl: 'ws://a:8000',
  capacity: 2,
  load: 0,
  ready: true,
  draining: false,
  ttlMs: 6000,
  at: 0,
  ...over,
});

describe('NodeRegistry', () => {
  it('picks the least loaded node relative to its capacity', () => {
    const reg = new NodeRegistry(new InMemoryBus(), fixedClock());
    reg.observe(beat({ nodeId: 'a', capacity: 10, load: 5 }));
    reg.observe(beat({ nodeId: 'b', capacity: 4, load: 1 }));
    assert.equal(reg.allocate()?.nodeId, 'b');
  });

  it('counts its own allocations until the next heartbeat, and stops at capacity', () => {
    const reg = new NodeRegistry(new InMemoryBus(), fixedClock());
    reg.observe(beat({ nodeId: 'a', capacity: 2 }));
    assert.equal(reg.allocate()?.nodeId, 'a');
    assert.equal(reg.allocate()?.nodeId, 'a');
    assert.equal(reg.allocate(), undefined);
    reg.observe(beat({ nodeId: 'a', capacity: 2, load: 1 }));
    assert.equal(reg.allocate()?.nodeId, 'a');
  });

  it('forgets nodes after their TTL and skips draining or unready ones', () => {
    const clock = fixedClock();
    const reg = new NodeRegistry(new InMemoryBus(), clock);
    reg.observe(beat({ nodeId: 'a' }));
    reg.observe(beat({ nodeId: 'd', draining: true }));
    reg.observe(beat({ nodeId: 'u', ready: false }));
    assert.deepEqual(reg.liveNodes().map((n) => n.nodeId), ['a']);
    clock.advance(6000);
    assert.equal(reg.allocate(), undefined);
  });

  it('stops allocating to a node the moment it says it drains, and forgets a silent one after its TTL', () => {
    const clock = fixedClock();
    const reg = new NodeRegistry(new InMemoryBus(), clock);
    reg.observe(beat({ nodeId: 'a', ttlMs: 1500 }));
    reg.observe(beat({ nodeId: 'b', ttlMs: 1500, load: 1 }));
    assert.ok(reg.isServing('a'));
    reg.observe(beat({ nodeId: 'a', ttlMs: 1500, draining: true }));
    assert.ok(!reg.isServing('a'));
    assert.equal(reg.allocate()?.nodeId, 'b');
    clock.advance(1500);
    assert.ok(!reg.isServing('b'));
    assert.equal(reg.allocate(), undefined);
  });

  it('learns nodes from the bus', async () => {
    const bus = new InMemoryBus();
    const reg = new NodeRegistry(bus, fixedClock());
    await reg.onModuleInit();
    await bus.publish('inference.node', beat({ nodeId: 'z' }));
    assert.equal(reg.allocate()?.nodeId, 'z');
    await reg.onModuleDestroy();
  });
});
