import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { COCO17, type Keypoint } from '@squirret/contracts';
import { MemoryCheckpointStore } from '../checkpoint/checkpoint-store';
import type { SessionCheckpoint } from '../checkpoint/session-checkpoint';
import { loadInferenceConfig } from '../config/inference.config';
import { PoseEngine } from '../pose/pose-engine';
import { SessionRegistry } from './session-registry';
import type { StreamCounters, StreamSession } from './stream-session';

const standing: Keypoint[] = COCO17.map((name, i) => ({ name, x: 0.5, y: 0.1 + i * 0.05, score: 0.9 }));

/** The node's engine without the model: every image is a person standing. */
class StandingEngine extends PoseEngine {
  override async estimate(): Promise<{ keypoints: Keypoint[]; inferenceMs: number }> {
    return { keypoints: standing, inferenceMs: 1 };
  }
}

/** The all-in-one store, shared by the "nodes" of a test; `down` makes its writes fail (an outage). */
class FlakyStore extends MemoryCheckpointStore {
  down = false;
  override async save(c: SessionCheckpoint, ttlMs: number): Promise<void> {
    if (this.down) throw new Error('store unavailable');
    await super.save(c, ttlMs);
  }
}

const config = (nodeId: string) =>
  loadInferenceConfig({
    INFERENCE_TOKEN_SECRET: 'unit-inference-secret-unit-inference-secret',
    INFERENCE_NODE_ID: nodeId,
    INFERENCE_POSE_WORKERS: '0',
    // no interval checkpoints besides the first frame's: the test says when state is checkpointed
    INFERENCE_CHECKPOINT_INTERVAL_MS: String(10 * 60_000),
  });

const node = (nodeId: string, store: FlakyStore) => new SessionRegistry(config(nodeId), new StandingEngine(config(nodeId)), store);

const SESSION = '00000000-0000-4000-8000-000000000001';
let frameNo = 0;

async function stream(s: StreamSession, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    frameNo++;
    s.offer({ kind: 'frame', frameNumber: frameNo, clientTimeMs: 1_000 + frameNo * 100, image: Buffer.from([1]), encoding: 'binary' });
    await s.idle();
  }
}

/** What the ledger would hold: the deltas handed out, added up. */
const sum = (deltas: (StreamCounters | undefined)[]) =>
  deltas.reduce<StreamCounters>(
    (t, d) => (d ? { framesIn: t.framesIn + d.framesIn, framesAnalysed: t.framesAnalysed + d.framesAnalysed, framesDropped: t.framesDropped + d.framesDropped } : t),
    { framesIn: 0, framesAnalysed: 0, framesDropped: 0 },
  );

describe('usage carried over in the checkpoint (docs/robustness.md §7)', () => {
  it('a node killed between reports: its successor reports what it had not, up to its last checkpoint', async () => {
    const store = new FlakyStore();
    const a = node('node-a', store);
    const s = (await a.open(SESSION)).session;
    const ledger: (StreamCounters | undefined)[] = [];
    await stream(s, 5);
    ledger.push(await a.takeUsage(s, false)); // a periodic report: 5
    await stream(s, 3);
    await a.checkpoint(s); // a rep or the interval: 3 frames checkpointed, not reported
    await stream(s, 2); // neither checkpointed nor reported: a SIGKILL now loses these two
    const b = node('node-b', store);
    const { session: moved, restored } = await b.open(SESSION);
    assert.ok(restored);
    assert.deepEqual(moved.counters, { framesIn: 8, framesAnalysed: 8, framesDropped: 0 });
    await stream(moved, 4);
    ledger.push(await b.takeUsage(moved, true));
    assert.deepEqual(ledger[1], { framesIn: 7, framesAnalysed: 7, framesDropped: 0 }, "node-a's 3 unreported frames with node-b's 4");
    assert.equal(sum(ledger).framesIn, 5 + 3 + 2 + 4 - 2);
    a.onModuleDestroy();
    b.onModuleDestroy();
  });

  it('a report and a checkpoint never count the same frames: a node killed right after a report', async () => {
    const store = new FlakyStore();
    const a = node('node-a', store);
    const s = (await a.open(SESSION)).session;
    await stream(s, 3);
    await a.checkpoint(s); // checkpointed before the report: its watermark is 0
    await stream(s, 4);
    const ledger = [await a.takeUsage(s, false)];
    assert.equal(ledger[0]?.framesIn, 7);
    // killed here: the successor restores the checkpoint the report wrote, not the older one
    const b = node('node-b', store);
    const moved = (await b.open(SESSION)).session;
    await stream(moved, 2);
    ledger.push(await b.takeUsage(moved, false), await b.takeUsage(moved, true));
    assert.deepEqual(sum(ledger), { framesIn: 9, framesAnalysed: 9, framesDropped: 0 }, 'every frame exactly once');
    a.onModuleDestroy();
    b.onModuleDestroy();
  });

  it('a delta is handed out only once its watermark is checkpointed; a failed one waits for the next report', async () => {
    const store = new FlakyStore();
    const a = node('node-a', store);
    const s = (await a.open(SESSION)).session;
    await stream(s, 5);
    store.down = true;
    assert.equal(await a.takeUsage(s, false), undefined, 'not published while its watermark cannot be stored');
    assert.deepEqual(s.unreported, { framesIn: 5, framesAnalysed: 5, framesDropped: 0 });
    store.down = false;
    await stream(s, 1);
    assert.deepEqual(await a.takeUsage(s, false), { framesIn: 6, framesAnalysed: 6, framesDropped: 0 });
    assert.equal(await a.takeUsage(s, false), undefined, 'nothing new');
    assert.deepEqual(await a.takeUsage(s, true), { framesIn: 0, framesAnalysed: 0, framesDropped: 0 }, 'a final report goes out even when empty');
    a.onModuleDestroy();
  });

  it('reports taken at once run one after the other and never overlap', async () => {
    const store = new FlakyStore();
    const a = node('node-a', store);
    const s = (await a.open(SESSION)).session;
    await stream(s, 3);
    const first = a.takeUsage(s, false);
    const second = a.takeUsage(s, true);
    await stream(s, 2);
    const third = a.takeUsage(s, false);
    assert.equal(sum(await Promise.all([first, second, third])).framesIn, 5);
    a.onModuleDestroy();
  });
});
