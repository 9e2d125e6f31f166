import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type AnalysisMessage, COCO17, FOOT_POINTS, type FootKeypoint, type Keypoint, type Landmark } from '@squirret/contracts';
import { SquatAnalyzer } from '@squirret/squat';
import { repSequence } from '@squirret/squat/dist/testing/squat-pose.factory';
import type { ParsedFrame } from './frame-parser';
import { poseErrorToWire } from './session-registry';
import { StreamSession, type FrameEstimate, type FrameEstimator } from './stream-session';
import { PoseError, type FrameSize, type PoseTrack } from '@squirret/pose';

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

describe('StreamSession: BlazePose output (feet, landmarks, tracking)', () => {
  const feet: FootKeypoint[] = FOOT_POINTS.map((name, i) => ({ name, x: 0.4 + i * 0.05, y: 0.95, score: 0.876543 }));
  const landmarks: Landmark[] = Array.from({ length: 33 }, (_, i) => ({ x: i / 40, y: 0.123456, z: -0.05, visibility: 0.9 }));
  const trackOf = (n: number): PoseTrack => ({ roi: { cx: n, cy: n, width: 100, height: 100, rotation: 0 }, width: 240, height: 427 });

  /** BlazePose-like answers: the track of frame n is trackOf(n), lost (absent) on the frames in `lostOn`. */
  class TrackingEstimator implements FrameEstimator {
    readonly tracksSeen: (PoseTrack | undefined)[] = [];
    constructor(private readonly lostOn: ReadonlySet<number>) {}
    async estimate(image: Uint8Array, track?: PoseTrack): Promise<FrameEstimate> {
      this.tracksSeen.push(track);
      const n = image[0]!;
      return { model: 'blazepose-lite', keypoints: standing, feet, landmarks, ...(this.lostOn.has(n) ? {} : { track: trackOf(n) }), inferenceMs: 12.34 };
    }
  }

  class RecordingAnalyzer extends SquatAnalyzer {
    readonly feetSeen: (readonly FootKeypoint[] | undefined)[] = [];
    override push(...args: Parameters<SquatAnalyzer['push']>): ReturnType<SquatAnalyzer['push']> {
      this.feetSeen.push(args[2]);
      return super.push(...args);
    }
  }

  it('hands the feet to the analyzer and each frame the previous frame\'s track; a lost person (no track) means none next', async () => {
    const est = new TrackingEstimator(new Set([2]));
    const analyzer = new RecordingAnalyzer();
    const s = new StreamSession('s-bp', analyzer, est, poseErrorToWire, () => 0);
    s.attach({ send: () => undefined, analysed: () => undefined });
    for (let n = 1; n <= 4; n++) {
      s.offer(frame(n));
      await s.idle();
    }
    assert.deepEqual(est.tracksSeen, [undefined, trackOf(1), undefined, trackOf(3)]);
    assert.equal(analyzer.feetSeen.length, 4);
    assert.ok(analyzer.feetSeen.every((f) => f === feet), 'the feet reach SquatAnalyzer.push');
  });

  it('forgets the track when the state is restored from a checkpoint (the detector finds the person again)', async () => {
    const est = new TrackingEstimator(new Set());
    const s = new StreamSession('s-bp2', new SquatAnalyzer(), est, poseErrorToWire, () => 0);
    s.offer(frame(1));
    await s.idle();
    s.restore(s.checkpoint('n', 1));
    s.offer(frame(2));
    await s.idle();
    assert.deepEqual(est.tracksSeen, [undefined, undefined]);
  });

  it('the analysis message keeps the seed fields and 17 keypoints and adds poseModel, feet and the 33 landmarks, rounded', async () => {
    const sent: AnalysisMessage[] = [];
    const s = new StreamSession('s-bp3', new SquatAnalyzer(), new TrackingEstimator(new Set()), poseErrorToWire, () => 0);
    s.attach({ send: (m) => void (m.type === 'analysis' && sent.push(m)), analysed: () => undefined });
    s.offer(frame(1));
    await s.idle();
    const m = sent[0]!;
    assert.equal(m.poseModel, 'blazepose-lite');
    assert.deepEqual(m.keypoints.map((k) => k.name), [...COCO17]);
    assert.deepEqual(m.feet?.map((f) => [f.name, f.score]), FOOT_POINTS.map((n) => [n, 0.8765]));
    assert.equal(m.landmarks?.length, 33);
    assert.deepEqual(m.landmarks?.[4], { x: 0.1, y: 0.1235, z: -0.05, visibility: 0.9 });
    assert.equal(m.inferenceMs, 12.3);
  });

  it('a MoveNet-like answer (no feet, no landmarks) gives the message without them', async () => {
    const sent: AnalysisMessage[] = [];
    const est: FrameEstimator = { estimate: async () => ({ model: 'movenet-lightning', keypoints: standing, inferenceMs: 30 }) };
    const s = new StreamSession('s-mn', new SquatAnalyzer(), est, poseErrorToWire, () => 0);
    s.attach({ send: (m) => void (m.type === 'analysis' && sent.push(m)), analysed: () => undefined });
    s.offer(frame(1));
    await s.idle();
    assert.equal(sent[0]!.poseModel, 'movenet-lightning');
    assert.ok(!('feet' in sent[0]!) && !('landmarks' in sent[0]!));
  });
});

describe('StreamSession: the analyzer measures each frame in that frame\'s aspect ratio', () => {
  /** Records the aspect ratio each push was given, and runs the real analyzer. */
  class AspectRecordingAnalyzer extends SquatAnalyzer {
    readonly aspectsGiven: (number | undefined)[] = [];
    override push(...args: Parameters<SquatAnalyzer['push']>): ReturnType<SquatAnalyzer['push']> {
      this.aspectsGiven.push(args[3]);
      return super.push(...args);
    }
  }

  /** Answers frame n (its first byte) with the size sizes[n] (absent: no size, as fakes give). */
  const sizedEstimator = (sizes: Readonly<Record<number, FrameSize | undefined>>): FrameEstimator => ({
    estimate: async (image) => {
      const size = sizes[image[0]!];
      return { model: 'movenet-lightning', keypoints: standing, ...(size ? { frame: size } : {}), inferenceMs: 1 };
    },
  });

  async function stream(sizes: Readonly<Record<number, FrameSize | undefined>>, count: number) {
    const analyzer = new AspectRecordingAnalyzer();
    const sent: Record<string, unknown>[] = [];
    const aspects: number[] = [];
    const s = new StreamSession('s-aspect', analyzer, sizedEstimator(sizes), poseErrorToWire, () => 0);
    s.attach({ send: (m) => void sent.push(m as unknown as Record<string, unknown>), analysed: () => void aspects.push(analyzer.aspectRatio) });
    for (let n = 1; n <= count; n++) {
      s.offer(frame(n));
      await s.idle();
    }
    return { analyzer, sent, aspects, s };
  }

  it('a 240x427 frame (the AI-Trainer clips) reaches the analyzer as aspect 240 / 427; a phone turned to 427x240 follows', async () => {
    const portrait = { width: 240, height: 427 };
    const landscape = { width: 427, height: 240 };
    const { analyzer, sent, aspects } = await stream({ 1: portrait, 2: portrait, 3: landscape, 4: landscape }, 4);
    assert.deepEqual(analyzer.aspectsGiven, [240 / 427, 240 / 427, 427 / 240, 427 / 240]);
    assert.deepEqual(aspects, [240 / 427, 240 / 427, 427 / 240, 427 / 240], 'the analyzer works in the frame\'s aspect');
    assert.deepEqual(sent.map((m) => m.type), ['analysis', 'analysis', 'analysis', 'analysis']);
    assert.equal(analyzer.snapshot().aspectRatio, 427 / 240, 'and checkpoints it');
  });

  it('a frame without a size keeps the last aspect; a frame whose size gives no aspect (0 high, 0 wide) is analysed with the last good one, without an error', async () => {
    const { analyzer, sent, aspects } = await stream({ 1: { width: 108, height: 192 }, 2: undefined, 3: { width: 108, height: 0 }, 4: { width: 0, height: 192 }, 5: { width: 0, height: 0 } }, 5);
    assert.deepEqual(analyzer.aspectsGiven, [108 / 192, undefined, Number.POSITIVE_INFINITY, 0, Number.NaN]);
    assert.deepEqual(aspects, [108 / 192, 108 / 192, 108 / 192, 108 / 192, 108 / 192]);
    assert.deepEqual(sent.map((m) => m.type), ['analysis', 'analysis', 'analysis', 'analysis', 'analysis'], 'no error message');
  });

  it('a rep on a 9:16 frame gives the same rep message as the same person on a square frame', async () => {
    const aspect = 1080 / 1920;
    const square = repSequence({ reps: 1, seed: 21, valgus: 0.03 });
    const run = async (aspectOf: number, sized: boolean) => {
      const est: FrameEstimator = {
        estimate: async (image) => {
          const p = square[(image[0]! << 8) | image[1]!]!;
          const keypoints = p.keypoints.map((k) => ({ ...k, x: 0.5 + (k.x - 0.5) / aspectOf }));
          return { model: 'movenet-lightning', keypoints, ...(sized ? { frame: { width: 1080 * aspectOf / aspect, height: 1920 } } : {}), inferenceMs: 1 };
        },
      };
      const sent: Record<string, unknown>[] = [];
      const s = new StreamSession('s-916', new SquatAnalyzer(), est, poseErrorToWire, () => 0);
      s.attach({ send: (m) => void sent.push(m as unknown as Record<string, unknown>), analysed: () => undefined });
      for (let i = 0; i < square.length; i++) {
        const image = Buffer.alloc(2);
        image.writeUInt16BE(i);
        s.offer({ kind: 'frame', frameNumber: i + 1, clientTimeMs: 1000 + square[i]!.tMs, image, encoding: 'binary' });
        await s.idle();
      }
      return sent.filter((m) => m.type === 'rep');
    };
    const onSquare = await run(1, false);
    assert.equal(onSquare.length, 1);
    assert.deepEqual(await run(aspect, true), onSquare, 'sized 9:16 frames: the square person\'s verdict');
    // the same squeezed keypoints with no size: what the service did before frames carried it
    assert.notDeepEqual(await run(aspect, false), onSquare, 'without the size the verdict differs (the test can fail)');
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

describe('StreamSession: the rep verdict carries its calibrated confidence', () => {
  it('a synthetic rep with heels and toes gets a rep message whose confidence is a number in [0, 1] or null per joint, and null joints say LOW_CONFIDENCE', async () => {
    const seq = repSequence({ reps: 1, withFeet: true, seed: 7 });
    const est: FrameEstimator = {
      estimate: async (image) => {
        const p = seq[(image[0]! << 8) | image[1]!]!;
        return { model: 'blazepose-full', keypoints: p.keypoints, ...(p.feet ? { feet: p.feet } : {}), inferenceMs: 1 };
      },
    };
    const sent: Record<string, unknown>[] = [];
    const s = new StreamSession('s-conf', new SquatAnalyzer(), est, poseErrorToWire, () => 0);
    s.attach({ send: (m) => void sent.push(m as unknown as Record<string, unknown>), analysed: () => undefined });
    for (let i = 0; i < seq.length; i++) {
      const image = Buffer.alloc(2);
      image.writeUInt16BE(i);
      s.offer({ kind: 'frame', frameNumber: i + 1, clientTimeMs: 1000 + seq[i]!.tMs, image, encoding: 'binary' });
      await s.idle();
    }
    const reps = sent.filter((m) => m.type === 'rep');
    assert.equal(reps.length, 1, 'one rep');
    const rep = reps[0]! as { confidence?: Record<'lumbar' | 'knee' | 'ankle', number | null>; reasons: { joint: string; code: string }[] } & Record<string, unknown>;
    assert.ok(rep.confidence, 'the rep message has confidence');
    for (const joint of ['lumbar', 'knee', 'ankle'] as const) {
      const c = rep.confidence[joint];
      assert.ok(c === null || (c >= 0 && c <= 1), `${joint} confidence ${String(c)}`);
      if (rep[joint] === 'null' && c !== null) assert.ok(rep.reasons.some((r) => r.joint === joint && r.code === 'LOW_CONFIDENCE'), `${joint} null names LOW_CONFIDENCE`);
    }
  });
});
