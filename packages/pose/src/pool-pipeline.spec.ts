// PosePool with pipelineDepth 2 (a worker holds its running job and the next one): real worker
// threads, the real models and clip frames; the slow and crashing fixtures are the real worker too.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { PoseTrack } from './blazepose/blazepose-estimator';
import { PosePool, type PoseResult } from './pool';
import { clipFrame, clipFrames, FIRST_PERSON_FRAME, FRONT_CLIPS, SIDE_CLIP } from './testing/clips';
import { CRASH_MAGIC } from './testing/crash-magic';
import { assertWellFormedPose, maxPoseDifference, rejectsWith } from './testing/pose-assertions';
import { slowFrame } from './testing/slow-magic';

const SLOW_WORKER = join(__dirname, 'testing', 'slow-worker.js');
const CRASHING_WORKER = join(__dirname, 'testing', 'crashing-worker.js');

async function withPool<T>(pool: PosePool, run: (pool: PosePool) => Promise<T>): Promise<T> {
  try {
    await pool.start();
    return await run(pool);
  } finally {
    await pool.close();
  }
}

let frames: Buffer[];
before(async () => {
  frames = await Promise.all([
    clipFrame(FRONT_CLIPS[0], FIRST_PERSON_FRAME + 10),
    clipFrame(FRONT_CLIPS[1], FIRST_PERSON_FRAME + 30),
    clipFrame(FRONT_CLIPS[2], FIRST_PERSON_FRAME + 20),
    clipFrame(SIDE_CLIP, 40),
  ]);
});

describe('PosePool pipelining: same answers as one job per worker', () => {
  it('MoveNet: 8 frames at once on 2 workers give the keypoints depth 1 gives, with 2 jobs held per worker', async () => {
    const eight = [...frames, ...frames];
    const depth1 = await withPool(new PosePool({ workers: 2, maxQueue: 8, pipelineDepth: 1 }), (p) => Promise.all(eight.map((f) => p.estimate(f))));
    const depth2 = await withPool(new PosePool({ workers: 2, maxQueue: 8 }), async (p) => {
      assert.equal(p.depth, 2, 'the default depth');
      const pending = eight.map((f) => p.estimate(f));
      assert.deepEqual(
        p.workers.map((w) => w.heldJobs),
        [2, 2],
      );
      assert.deepEqual([p.busy, p.queueDepth], [2, 6], 'queueDepth counts the 2 inbox jobs and the 4 queued');
      return Promise.all(pending);
    });
    depth2.forEach((r, i) => {
      assertWellFormedPose(r.keypoints, `frame ${i}`);
      assert.ok(maxPoseDifference(r.keypoints, (depth1[i] as PoseResult).keypoints) < 1e-4, `frame ${i} differs between depths`);
    });
    // The 3rd and 4th frames waited in an inbox behind the 1st and 2nd: that wait is in queueMs.
    assert.ok((depth2[2]?.queueMs ?? 0) > 0 && (depth2[3]?.queueMs ?? 0) > 0);
  });

  it('BlazePose-lite: 4 streams following their own tracks give the same landmarks at depth 1 and 2', async () => {
    const { frames: clip } = await clipFrames(FRONT_CLIPS[2]);
    const streams = [0, 1, 2, 3].map((s) => clip.slice(FIRST_PERSON_FRAME + s * 8, FIRST_PERSON_FRAME + s * 8 + 5));
    // Each stream sends its next frame with the previous result's track, one at a time (as StreamSession does).
    const run = (pool: PosePool): Promise<PoseResult[][]> =>
      withPool(pool, (p) =>
        Promise.all(
          streams.map(async (stream) => {
            const out: PoseResult[] = [];
            let track: PoseTrack | undefined;
            for (const f of stream) {
              const r = await p.estimate(f, track);
              track = r.track;
              out.push(r);
            }
            return out;
          }),
        ),
      );
    const depth1 = await run(new PosePool({ workers: 2, model: 'blazepose-lite', pipelineDepth: 1, maxQueue: 4 }));
    const depth2 = await run(new PosePool({ workers: 2, model: 'blazepose-lite', pipelineDepth: 2, maxQueue: 4 }));
    depth2.forEach((stream, s) =>
      stream.forEach((r, i) => {
        const other = depth1[s]?.[i] as PoseResult;
        assert.ok(r.track !== undefined, `stream ${s} frame ${i}: tracking lost`);
        assert.equal(r.detectorRan, other.detectorRan, `stream ${s} frame ${i}: detector`);
        assert.ok(maxPoseDifference(r.keypoints, other.keypoints) < 1e-4, `stream ${s} frame ${i} differs between depths`);
      }),
    );
  });
});

describe('PosePool pipelining: limits', () => {
  it('keeps FIFO order and the QUEUE_FULL bound: jobs in inboxes count against maxQueue', async () => {
    await withPool(new PosePool({ workers: 2, maxQueue: 3 }), async (p) => {
      const frame = frames[0] as Buffer;
      const accepted = [0, 1, 2, 3, 4].map(() => p.estimate(frame));
      // 2 running, 2 in inboxes, 1 in the pool's queue = 2 + maxQueue 3.
      assert.deepEqual([p.busy, p.queueDepth], [2, 3]);
      await rejectsWith(p.estimate(frame), 'QUEUE_FULL');
      const results = await Promise.all(accepted);
      assert.deepEqual([p.busy, p.queueDepth], [0, 0]);
      // Idle workers first (round robin), then each worker's inbox, then the queue's head.
      assert.deepEqual(
        results.slice(0, 4).map((r) => r.workerId),
        [results[0]?.workerId, results[1]?.workerId, results[0]?.workerId, results[1]?.workerId],
      );
      assert.notEqual(results[0]?.workerId, results[1]?.workerId);
    });
  });

  it('maxQueue 0 means no pipelining: a third frame on 2 busy workers is QUEUE_FULL', async () => {
    await withPool(new PosePool({ workers: 2, maxQueue: 0 }), async (p) => {
      const a = [p.estimate(frames[1] as Buffer), p.estimate(frames[1] as Buffer)];
      await rejectsWith(p.estimate(frames[1] as Buffer), 'QUEUE_FULL');
      await Promise.all(a);
    });
  });

  it('refuses a depth below 1', () => {
    assert.throws(() => new PosePool({ pipelineDepth: 0 }), RangeError);
    assert.throws(() => new PosePool({ pipelineDepth: 1.5 }), RangeError);
  });
});

describe('PosePool pipelining: timeouts, crashes, close', () => {
  it('runs the jobs a worker holds one at a time, in order', async () => {
    await withPool(new PosePool({ workers: 1, maxQueue: 7, workerScript: SLOW_WORKER }), async (p) => {
      const eight = [...frames, ...frames];
      const done: number[] = [];
      const results = await Promise.all(eight.map((f, i) => p.estimate(f).then((r) => (done.push(i), r))));
      results.forEach((r, i) => assertWellFormedPose(r.keypoints, `frame ${i}`));
      assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6, 7]);
    });
  });

  it("counts a job's timeout from its start in the worker, not from when it was posted behind another", async () => {
    await withPool(new PosePool({ workers: 1, jobTimeoutMs: 1_500, workerScript: SLOW_WORKER }), async (p) => {
      const frame = frames[2] as Buffer;
      const t0 = performance.now();
      // Both posted now; the second starts ~1 s later and ends ~2 s from now, past 1.5 s from its posting.
      const [a, b] = [p.estimate(slowFrame(1_000, frame)), p.estimate(slowFrame(1_000, frame))];
      assert.deepEqual(
        p.workers.map((w) => w.heldJobs),
        [2],
      );
      const [ra, rb] = await Promise.all([a, b]);
      assert.ok(performance.now() - t0 > 1_500, 'the second job ended after 1.5 s from its posting');
      assertWellFormedPose(ra.keypoints, 'first');
      assertWellFormedPose(rb.keypoints, 'second');
      assert.ok(rb.queueMs >= 900, `the second job waited in the inbox (queueMs ${rb.queueMs})`);
      assert.equal(p.restarts, 0);
    });
  });

  it('a timed-out job takes the one behind it in the inbox, its worker is replaced and the next frames are served', async () => {
    await withPool(new PosePool({ workers: 1, jobTimeoutMs: 800, workerScript: SLOW_WORKER }), async (p) => {
      const frame = frames[3] as Buffer;
      const hung = p.estimate(slowFrame(2_000, frame));
      const behind = p.estimate(frame);
      await rejectsWith(hung, 'INFERENCE_TIMEOUT');
      const error = await rejectsWith(behind, 'INFERENCE_TIMEOUT');
      assert.match(error.message, /ahead of this one/);
      assertWellFormedPose((await p.estimate(frame)).keypoints, 'after the timeout');
      assert.equal(p.restarts, 1);
    });
  });

  it('a crash rejects every job the worker held with WORKER_CRASHED; the queued one runs on its replacement', async () => {
    await withPool(new PosePool({ workers: 1, maxQueue: 2, workerScript: CRASHING_WORKER }), async (p) => {
      const firstId = p.workers[0]?.workerId;
      const frame = frames[0] as Buffer;
      const crashing = p.estimate(Buffer.from(`${CRASH_MAGIC} and then some bytes`));
      const inInbox = p.estimate(frame);
      const queued = p.estimate(frame);
      assert.deepEqual([p.workers[0]?.heldJobs, p.busy, p.queueDepth], [2, 1, 2]);
      assert.match((await rejectsWith(crashing, 'WORKER_CRASHED')).message, /code 70/);
      assert.match((await rejectsWith(inInbox, 'WORKER_CRASHED')).message, /in its inbox/);
      const result = await queued;
      assertWellFormedPose(result.keypoints, 'after the crash');
      assert.notEqual(result.workerId, firstId);
      assert.equal(p.restarts, 1);
      assert.deepEqual(
        p.workers.map((w) => [w.state, w.heldJobs]),
        [['idle', 0]],
      );
    });
  });

  it('close() answers inbox and queued jobs with POOL_CLOSED at once, drops the inbox job unstarted and lets the running one finish', async () => {
    const p = new PosePool({ workers: 1, maxQueue: 2, workerScript: SLOW_WORKER });
    await p.start();
    const frame = frames[1] as Buffer;
    const running = p.estimate(slowFrame(500, frame));
    const inInbox = p.estimate(slowFrame(3_000, frame));
    const queued = p.estimate(frame);
    const t0 = performance.now();
    const closed = p.close();
    await rejectsWith(inInbox, 'POOL_CLOSED');
    await rejectsWith(queued, 'POOL_CLOSED');
    assertWellFormedPose((await running).keypoints, 'running job');
    await closed;
    // Had the inbox job run, close() would have waited its 3 s block.
    assert.ok(performance.now() - t0 < 2_500, `close() took ${Math.round(performance.now() - t0)} ms`);
    assert.deepEqual(
      p.workers.map((w) => [w.state, w.heldJobs]),
      [['stopped', 0]],
    );
    await rejectsWith(p.estimate(frame), 'POOL_CLOSED');
  });
});
