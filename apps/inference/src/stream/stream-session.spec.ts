import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { COCO17, type Keypoint } from '@squirret/contracts';
import { SquatAnalyzer } from '@squirret/squat';
import type { ParsedFrame } from './frame-parser';
import { poseErrorToWire } from './session-registry';
import { StreamSession, type FrameEstimator } from './stream-session';
import { PoseError } from '@squirret/pose';

const standing: Keypoint[] = COCO17.map((name, i) => ({ name, x: 0.5, y: 0.1 + i * 0.05, score: 0.9 }));
const frame = (n: number, image = Buffer.from([n])): ParsedFrame => ({ kind: 'frame', frameNumber: n, clientTimeMs: 1000 + n * 33, image, encoding: 'json' });

/** An estimator whose answers the test releases one by one, to control what is in flight. */
class GatedEstimator implements FrameEstimator {
  readonly seen: number[] = [];
  private gates: ((v: { keypoints: Keypoint[]; inferenceMs: number }) => void)[] = [];
  private failures: ((e: unknown) => void)[] = [];
  estimate(image: Uint8Array) {
    this.seen.push(image[0]!);
    return new Promise<{ keypoints: Keypoint[]; inferenceMs: number }>((resolve, reject) => {
      this.gates.push(resolve);
      this.failures.push(reject);
    });
  }
  release(): void {
    this.failures.shift();
    this.gates.shift()?.({ keypoints: standing, inferenceMs: 30 });
  }
  fail(err: unknown): void {
    this.gates.shift();
    this.failures.shift()?.(err);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const est = new GatedEstimator();
  const sent: Record<string, unknown>[] = [];
  const s = new StreamSession('s-1', new SquatAnalyzer(), est, poseErrorToWire, () => 0);
  s.attach({ send: (m) => void sent.push(m as unknown as Record<string, unknown>), analysed: () => undefined });
  return { est, sent, s };
}

describe('StreamSession: newest frame wins', () => {
  it('analyses the first frame, keeps only the newest waiting one and counts the rest as dropped', async () => {
    const { est, sent, s } = setup();
    for (let n = 1; n <= 5; n++) s.offer(frame(n));
    assert.deepEqual(est.seen, [1], 'only one frame in flight');
    est.release();
    await tick();
    assert.deepEqual(est.seen, [1, 5], 'the newest waiting frame goes next');
    est.release();
    await tick();
    await s.idle();
    assert.deepEqual(sent.map((m) => m.frameNumber), [1, 5]);
    assert.deepEqual(s.counters, { framesIn: 5, framesAnalysed: 2, framesDropped: 3 });
    assert.equal(sent[1]!.dropped, 3);
  });

  it('answers with the seed fields plus stage, reps, 17 named keypoints and timings', async () => {
    const { est, sent, s } = setup();
    s.offer(frame(1));
    est.release();
    await s.idle();
    const m = sent[0]!;
    assert.equal(m.type, 'analysis');
    for (const k of ['frameNumber', 'lumbar', 'knee', 'ankle', 'score', 'stage', 'reps', 'keypoints', 'processingMs', 'inferenceMs', 'dropped', 'reasons']) assert.ok(k in m, k);
    assert.deepEqual((m.keypoints as Keypoint[]).map((k) => k.name), [...COCO17]);
  });

  it('turns an estimator failure into an error message for that frame and goes on', async () => {
    const { est, sent, s } = setup();
    s.offer(frame(1));
    s.offer(frame(2));
    est.fail(new PoseError('INVALID_IMAGE', 'not an image'));
    await tick();
    est.release();
    await s.idle();
    assert.deepEqual(sent.map((m) => [m.type, m.frameNumber, m.code]), [
      ['error', 1, 'INVALID_IMAGE'],
      ['analysis', 2, undefined],
    ]);
  });

  it('drops the waiting frame on detach and keeps counters for a reconnect', async () => {
    const { est, s } = setup();
    s.offer(frame(1));
    s.offer(frame(2));
    s.detach();
    est.release();
    await s.idle();
    assert.deepEqual(s.counters, { framesIn: 2, framesAnalysed: 1, framesDropped: 1 });
  });
});

describe('poseErrorToWire', () => {
  it('maps pose errors to the wire codes without internals', () => {
    assert.equal(poseErrorToWire(new PoseError('IMAGE_TOO_LARGE', 'x')).code, 'IMAGE_TOO_LARGE');
    assert.equal(poseErrorToWire(new PoseError('QUEUE_FULL', 'x')).code, 'OVERLOADED');
    assert.deepEqual(poseErrorToWire(new Error('secret internals')), { code: 'INTERNAL_ERROR', message: 'the frame could not be analysed' });
  });
});

describe('StreamSession: one bad frame never poisons the session (docs/robustness.md reproducers)', () => {
  /** An analyzer whose next push fails after it already changed its state (the worst case). */
  class TrippingAnalyzer extends SquatAnalyzer {
    trip = false;
    override push(...args: Parameters<SquatAnalyzer['push']>): ReturnType<SquatAnalyzer['push']> {
      const r = super.push(...args);
      if (this.trip) {
        this.trip = false;
        throw new RangeError('analysis blew up');
      }
      return r;
    }
  }

  it('a frame whose analysis throws gets INTERNAL_ERROR; the state is as before it and later frames answer normally', async () => {
    const est = new GatedEstimator();
    const sent: Record<string, unknown>[] = [];
    const analyzer = new TrippingAnalyzer();
    const s = new StreamSession('s-2', analyzer, est, poseErrorToWire, () => 0);
    s.attach({ send: (m) => void sent.push(m as unknown as Record<string, unknown>), analysed: () => undefined });
    s.offer(frame(1));
    est.release();
    await s.idle();
    const before = JSON.stringify(s.checkpoint('n', 1));
    analyzer.trip = true;
    s.offer(frame(2));
    est.release();
    await s.idle();
    const after = JSON.parse(JSON.stringify(s.checkpoint('n', 1))) as { counters: unknown };
    assert.deepEqual({ ...JSON.parse(before), counters: undefined }, { ...after, counters: undefined }, 'analyzer and clock untouched');
    s.offer(frame(3));
    est.release();
    await s.idle();
    assert.deepEqual(sent.map((m) => [m.type, m.frameNumber, m.code]), [
      ['analysis', 1, undefined],
      ['error', 2, 'INTERNAL_ERROR'],
      ['analysis', 3, undefined],
    ]);
  });

  it('a checkpoint restored into a new session continues reps, stage and counters', async () => {
    const { est, s } = setup();
    for (let n = 1; n <= 3; n++) {
      s.offer(frame(n));
      est.release();
      await s.idle();
    }
    const wire = JSON.parse(JSON.stringify(s.checkpoint('node-a', 42))) as ReturnType<StreamSession['checkpoint']>;
    const other = new StreamSession('s-1', new SquatAnalyzer(), new GatedEstimator(), poseErrorToWire, () => 0);
    other.restore(wire);
    assert.deepEqual(other.counters, s.counters);
    assert.equal(other.stateSavedAt, 42);
    assert.equal(JSON.stringify(other.checkpoint('node-a', 42)), JSON.stringify(s.checkpoint('node-a', 42)));
  });

  it('carries the usage watermark: the new session reports what the old one had not', async () => {
    const { est, s } = setup();
    for (let n = 1; n <= 3; n++) {
      s.offer(frame(n));
      est.release();
      await s.idle();
    }
    s.reported = { framesIn: 1, framesAnalysed: 1, framesDropped: 0 };
    const other = new StreamSession('s-1', new SquatAnalyzer(), new GatedEstimator(), poseErrorToWire, () => 0);
    other.restore(JSON.parse(JSON.stringify(s.checkpoint('node-a', 42))) as ReturnType<StreamSession['checkpoint']>);
    assert.deepEqual(other.unreported, { framesIn: 2, framesAnalysed: 2, framesDropped: 0 });
    const { reported: _, ...older } = s.checkpoint('node-a', 43);
    other.restore(older);
    assert.deepEqual(other.unreported, { framesIn: 0, framesAnalysed: 0, framesDropped: 0 }, 'an older node reported everything it checkpointed');
  });
});
