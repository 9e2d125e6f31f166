import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PoseEstimator } from './estimator';
import { PosePool, type PosePoolEvent } from './pool';
import { CRASH_MAGIC } from './testing/crash-magic';
import { clipFrame, FIRST_PERSON_FRAME, FRONT_CLIPS, SIDE_CLIP } from './testing/clips';
import { pngClaimingSize } from './testing/image-builders';
import { assertWellFormedPose, maxPoseDifference, rejectsWith } from './testing/pose-assertions';

describe('PosePool (2 workers, real model)', () => {
  const pool = new PosePool({ workers: 2, maxQueue: 1 });
  let single: PoseEstimator;
  let frames: Buffer[];

  before(async () => {
    [single, frames] = await Promise.all([
      PoseEstimator.load().then(async (e) => (await e.warmup(), e)),
      Promise.all([
        clipFrame(FRONT_CLIPS[0], FIRST_PERSON_FRAME + 10),
        clipFrame(FRONT_CLIPS[1], FIRST_PERSON_FRAME + 30),
        clipFrame(FRONT_CLIPS[2], FIRST_PERSON_FRAME + 20),
        clipFrame(SIDE_CLIP, 40),
      ]),
      pool.start(),
    ]);
  });
  after(async () => {
    await pool.close();
    single.dispose();
  });

  it('starts warm workers and reports the backend and warm-up times', () => {
    assert.equal(pool.size, 2);
    assert.equal(pool.backend?.name, single.backend.name);
    assert.equal(pool.workers.length, 2);
    for (const w of pool.workers) {
      assert.equal(w.state, 'idle');
      assert.ok((w.warmupMs ?? 0) > 0 && (w.loadMs ?? 0) > 0);
      assert.equal(w.backend?.name, single.backend.name);
    }
    assert.deepEqual([pool.busy, pool.queueDepth, pool.capacity], [0, 0, 1]);
  });

  it('gives the same keypoints as a single estimator on the same frame', async () => {
    for (const frame of frames) {
      const [fromPool, alone] = await Promise.all([pool.estimate(frame), single.estimateImage(frame)]);
      assertWellFormedPose(fromPool.keypoints, 'pool');
      assert.ok(maxPoseDifference(fromPool.keypoints, alone.keypoints) < 1e-4);
      assert.ok(fromPool.inferenceMs > 0 && fromPool.decodeMs > 0 && fromPool.queueMs >= 0);
      assert.deepEqual(fromPool.frame, alone.frame, 'the decoded frame size comes back from the worker');
      assert.ok(fromPool.frame.width > 0 && fromPool.frame.height > fromPool.frame.width, 'the clips are portrait');
    }
  });

  it('uses both workers and leaves the caller its buffer', async () => {
    const frame = frames[0] as Buffer;
    const copy = Buffer.from(frame);
    const results = await Promise.all([pool.estimate(frame), pool.estimate(frame)]);
    assert.deepEqual(new Set(results.map((r) => r.workerId)).size, 2);
    assert.equal(frame.byteLength, copy.byteLength, 'the caller buffer was not detached');
    assert.ok(frame.equals(copy));
  });

  it('bounds the queue: with 2 busy workers and 1 waiting job, the next frame gets QUEUE_FULL', async () => {
    const frame = frames[1] as Buffer;
    const accepted = [pool.estimate(frame), pool.estimate(frame), pool.estimate(frame)];
    assert.deepEqual([pool.busy, pool.queueDepth], [2, 1]);
    await rejectsWith(pool.estimate(frame), 'QUEUE_FULL');
    const results = await Promise.all(accepted);
    assert.ok(results[2] !== undefined && results[2].queueMs > 0, 'the third frame waited in the queue');
    assert.deepEqual([pool.busy, pool.queueDepth], [0, 0]);
  });

  it('rejects a non-image with INVALID_IMAGE from the worker and keeps serving', async () => {
    await rejectsWith(pool.estimate(Buffer.from('hello, not a frame')), 'INVALID_IMAGE');
    assertWellFormedPose((await pool.estimate(frames[2] as Buffer)).keypoints, 'after INVALID_IMAGE');
  });

  it('rejects oversize images with IMAGE_TOO_LARGE (pixel bomb in the worker, bytes in the main thread)', async () => {
    await rejectsWith(pool.estimate(pngClaimingSize(20_000, 20_000)), 'IMAGE_TOO_LARGE');
    await rejectsWith(pool.estimate(Buffer.alloc(8 * 1024 * 1024 + 1)), 'IMAGE_TOO_LARGE');
  });

  it('refuses work before start()', async () => {
    await rejectsWith(new PosePool({ workers: 1 }).estimate(frames[0] as Buffer), 'POOL_NOT_STARTED');
  });
});

describe('PosePool closing', () => {
  it('lets running jobs finish, rejects waiting ones with POOL_CLOSED, then refuses work', async () => {
    const pool = new PosePool({ workers: 1, maxQueue: 2 });
    await pool.start();
    const frame = await clipFrame(FRONT_CLIPS[2], FIRST_PERSON_FRAME + 5);
    const running = pool.estimate(frame);
    const waiting = pool.estimate(frame);
    const closed = pool.close();
    await rejectsWith(waiting, 'POOL_CLOSED');
    assertWellFormedPose((await running).keypoints, 'running job');
    await closed;
    await rejectsWith(pool.estimate(frame), 'POOL_CLOSED');
    assert.deepEqual(
      pool.workers.map((w) => w.state),
      ['stopped'],
    );
  });
});

describe('PosePool start failure', () => {
  it('rejects start() with MODEL_LOAD_FAILED when a worker cannot start, and closes the pool', async () => {
    const pool = new PosePool({ workers: 2, workerScript: join(__dirname, 'testing', 'no-such-worker.js') });
    const error = await rejectsWith(pool.start(), 'MODEL_LOAD_FAILED');
    assert.match(error.message, /exited with code 1/);
    await rejectsWith(pool.estimate(Buffer.from('x')), 'POOL_CLOSED');
  });
});

describe('PosePool crash recovery', () => {
  it('rejects the in-flight job with WORKER_CRASHED and replaces the worker', async () => {
    const events: PosePoolEvent[] = [];
    let replaced: () => void = () => undefined;
    const replacementReady = new Promise<void>((resolve) => (replaced = resolve));
    const pool = new PosePool({
      workers: 1,
      // One job per worker, so the second frame waits in the pool's queue (at depth 2 it would be in
      // the crashing worker's inbox and lost with it: pool-pipeline.spec.ts).
      pipelineDepth: 1,
      workerScript: join(__dirname, 'testing', 'crashing-worker.js'),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'worker-ready' && e.replacement) replaced();
      },
    });
    try {
      await pool.start();
      const firstId = pool.workers[0]?.workerId;
      const frame = await clipFrame(FRONT_CLIPS[0], FIRST_PERSON_FRAME + 5);

      const crashing = pool.estimate(Buffer.from(`${CRASH_MAGIC} and then some bytes`));
      const waiting = pool.estimate(frame); // queued behind the crash; must survive it
      const error = await rejectsWith(crashing, 'WORKER_CRASHED');
      assert.match(error.message, /code 70/);

      const result = await waiting;
      assertWellFormedPose(result.keypoints, 'after the crash');
      await replacementReady;
      assert.notEqual(result.workerId, firstId);
      assert.equal(pool.restarts, 1);
      assert.deepEqual(
        events.map((e) => e.type),
        ['worker-ready', 'worker-crashed', 'worker-ready'],
      );
      assert.deepEqual(
        pool.workers.map((w) => w.state),
        ['idle'],
      );
    } finally {
      await pool.close();
    }
  });
});
