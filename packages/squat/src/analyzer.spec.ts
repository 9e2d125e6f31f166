import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Keypoint } from '@squirret/contracts';
import { FORM_CLASSES, REASON_CODES, type FrameAnalysis, type RepSummary } from './analysis.types';
import { REP_POST_WINDOW_MS, SquatAnalyzer, type SquatAnalyzerOptions } from './analyzer';
import type { GbdtModel } from './model/gbdt';
import { shippedModels } from './model/load';
import type { FittedModel } from './model/model.types';
import { repSequence, squatPose, type RepSequenceOptions, type TimedPose } from './testing/squat-pose.factory';

function runAll(seq: readonly TimedPose[], options: SquatAnalyzerOptions = {}, analyzer = new SquatAnalyzer(options)): FrameAnalysis[] {
  return seq.map((f) => analyzer.push(f.keypoints, f.tMs));
}

const summaries = (out: readonly FrameAnalysis[]): RepSummary[] => out.flatMap((a) => (a.repCompleted ? [a.repCompleted] : []));

/** Frames at the deepest part of the reps (where faults show). */
const atBottom = (out: readonly FrameAnalysis[]): FrameAnalysis[] => out.filter((a) => a.stage === 'bottom');

function constantModel(cls: (typeof FORM_CLASSES)[number]): FittedModel {
  const k = FORM_CLASSES.indexOf(cls);
  const classifier: GbdtModel = { kind: 'gbdt', nClasses: 6, learningRate: 1, base: FORM_CLASSES.map((_, i) => (i === k ? 5 : 0)), trees: [] };
  return { ...shippedModels().movenet, classifier };
}

describe('SquatAnalyzer: rep counting', () => {
  it('counts one clean rep, with the stages in order and one summary', () => {
    const out = runAll(repSequence({ reps: 1 }));
    assert.equal(out[out.length - 1]!.reps, 1);
    const stages = out.map((a) => a.stage).filter((s, i, xs) => i === 0 || xs[i - 1] !== s);
    assert.deepEqual(stages, ['standing', 'descent', 'bottom', 'ascent', 'standing']);
    const s = summaries(out);
    assert.equal(s.length, 1);
    assert.equal(s[0]!.index, 1);
    assert.ok(s[0]!.depth > 0.45, `depth ${s[0]!.depth}`);
    assert.ok(s[0]!.startMs < s[0]!.bottomMs && s[0]!.bottomMs < s[0]!.endMs);
    assert.ok(s[0]!.minKneeAngle !== null);
  });

  it('counts three reps with keypoint jitter and never double-counts', () => {
    for (const jitter of [0.003, 0.008]) {
      for (const seed of [1, 2, 3]) {
        const out = runAll(repSequence({ reps: 3, jitter, seed }));
        assert.equal(out[out.length - 1]!.reps, 3, `jitter ${jitter} seed ${seed}`);
        assert.equal(summaries(out).length, 3);
        // the count never goes down and moves by at most one per frame
        out.forEach((a, i) => i > 0 && assert.ok(a.reps - out[i - 1]!.reps <= 1 && a.reps >= out[i - 1]!.reps));
      }
    }
  });

  it('counts at 10 fps as at 30 fps', () => {
    assert.equal(runAll(repSequence({ reps: 2, fps: 10 })).at(-1)!.reps, 2);
    assert.equal(runAll(repSequence({ reps: 2, fps: 30 })).at(-1)!.reps, 2);
  });

  it('does not count shallow knee bends', () => {
    const out = runAll(repSequence({ reps: 3, depth: 0.45 }));
    assert.equal(out.at(-1)!.reps, 0);
    assert.equal(summaries(out).length, 0);
  });

  it('counts reps when the stream starts mid-squat (the reference resets to the taller pose)', () => {
    const seq = repSequence({ reps: 2 });
    const firstBottom = seq.findIndex((f, i) => i > 40 && f === seq[i]) + 45; // inside the first descent
    const out = runAll(seq.slice(firstBottom));
    assert.ok(out.at(-1)!.reps >= 1);
  });

  it('measures a rep begun from a slight crouch against the full standing height it rises to', () => {
    // the stream begins with the person 10% down; the dip is 17% against that, 25% against standing
    const frames: TimedPose[] = [];
    const at = (t: number): void => void frames.push({ keypoints: squatPose({ t }), tMs: frames.length * 33 });
    for (let i = 0; i < 15; i++) at(0.4);
    for (let i = 1; i <= 15; i++) at(0.4 + (0.25 * i) / 15);
    for (let i = 0; i < 10; i++) at(0.65);
    for (let i = 1; i <= 30; i++) at(0.65 * (1 - i / 30));
    for (let i = 0; i < 20; i++) at(0);
    const out = runAll(frames);
    assert.equal(out.at(-1)!.reps, 1);
    const s = summaries(out);
    assert.equal(s.length, 1);
    assert.ok(s[0]!.depth > 0.2 && s[0]!.depth < 0.3, `depth ${s[0]!.depth}`);
  });

  it('does not count standing up from the crouch the stream began in (setting the phone down)', () => {
    const frames: TimedPose[] = [];
    for (let i = 0; i < 15; i++) frames.push({ keypoints: squatPose({ t: 1 }), tMs: i * 33 });
    for (let i = 1; i <= 30; i++) frames.push({ keypoints: squatPose({ t: 1 - i / 30 }), tMs: (14 + i) * 33 });
    for (let i = 0; i < 30; i++) frames.push({ keypoints: squatPose({ t: 0 }), tMs: (45 + i) * 33 });
    const a = new SquatAnalyzer();
    const out = runAll(frames, {}, a);
    assert.equal(out.at(-1)!.reps, 0);
    assert.equal(summaries(out).length, 0);
    assert.equal(a.flush(3000), null);
  });

  it('delivers the rep summary within the post window after the count, or at once when the next rep starts', () => {
    // almost no standing between reps: the next descent starts inside the post window
    const seq = repSequence({ reps: 2, standSec: 0.05, descentSec: 0.5, ascentSec: 0.5 });
    const a = new SquatAnalyzer();
    const out = runAll(seq, {}, a);
    const countedAt = out.filter((x, i) => i > 0 && x.reps > out[i - 1]!.reps).map((x) => x.tMs);
    assert.equal(countedAt.length, 2);
    const s = summaries(out);
    assert.equal(s.length, 1, 'the first summary came when the second rep started');
    const i = out.findIndex((x) => x.repCompleted === s[0]);
    assert.equal(out[i]!.stage, 'descent');
    assert.equal(out[i - 1]!.stage, 'standing', 'delivered on the first frame of the next descent');
    // the second one waits for its window; the stream ended first, so flush delivers it
    const last = a.flush(seq.at(-1)!.tMs);
    assert.equal(last?.index, 2);
    // with enough standing, the summary arrives one post window after the count
    const long = runAll(repSequence({ reps: 1, standSec: 1.5 }));
    const c = long.findIndex((x, i) => i > 0 && x.reps > long[i - 1]!.reps);
    const d = long.findIndex((x) => x.repCompleted);
    const delay = long[d]!.tMs - long[c]!.tMs;
    assert.ok(delay >= REP_POST_WINDOW_MS && delay <= REP_POST_WINDOW_MS + 34, `delay ${delay}`);
  });

  it('flush delivers a pending summary, and closes a rep cut off during the ascent', () => {
    const seq = repSequence({ reps: 1 });
    const a = new SquatAnalyzer();
    const lastDescent = runAll(seq, {}, a);
    assert.equal(summaries(lastDescent).length, 1);
    assert.equal(a.flush(seq.at(-1)!.tMs), null, 'nothing left after the summary was delivered');

    const b = new SquatAnalyzer();
    const cut = seq.slice(0, seq.length - 40); // ends in the ascent
    runAll(cut, {}, b);
    assert.equal(b.reps, 0);
    const s = b.flush(cut.at(-1)!.tMs + 33);
    assert.ok(s);
    assert.equal(b.reps, 1);
  });
});

describe('SquatAnalyzer: live judgements', () => {
  it('judges a good squat good everywhere, with measured angles and metrics', () => {
    const out = runAll(repSequence({ reps: 1 }));
    const bottom = atBottom(out);
    assert.ok(bottom.length > 0);
    for (const a of bottom) {
      assert.deepEqual([a.lumbar, a.knee, a.ankle], ['good', 'good', 'good']);
      assert.equal(a.score, 100);
      assert.equal(a.view, 'front');
      assert.ok(a.angles.trunkLean !== null && a.angles.trunkLean > 30 && a.angles.trunkLean < 55);
      assert.ok(a.metrics.depth !== null && a.metrics.depth > 0.4);
    }
  });

  it('flags knee valgus at the bottom with the knee and KNEE_VALGUS', () => {
    const bottom = atBottom(runAll(repSequence({ reps: 1, valgus: 0.06 })));
    assert.ok(bottom.length > 0);
    for (const a of bottom) {
      assert.equal(a.knee, 'bad');
      assert.ok(a.reasons.some((r) => r.joint === 'knee' && r.code === REASON_CODES.KNEE_VALGUS));
      assert.ok(a.score !== null && a.score < 100);
    }
  });

  it('flags a forward trunk lean with the lumbar and TRUNK_LEAN', () => {
    const bottom = atBottom(runAll(repSequence({ reps: 1, extraLean: 35 })));
    for (const a of bottom) {
      assert.equal(a.lumbar, 'bad');
      assert.ok(a.reasons.some((r) => r.joint === 'lumbar' && r.code === REASON_CODES.TRUNK_LEAN));
    }
  });

  it('flags the ankles rising with the ankle', () => {
    const bottom = atBottom(runAll(repSequence({ reps: 1, ankleLift: 0.05 })));
    for (const a of bottom) {
      assert.equal(a.ankle, 'bad');
      assert.ok(a.reasons.some((r) => r.joint === 'ankle'));
    }
  });

  it('says "null" for the knee, with LOW_CONFIDENCE, when the knees are not confident', () => {
    const out = runAll(repSequence({ reps: 1, lowScore: ['left_knee', 'right_knee'] }));
    for (const a of out.slice(5)) {
      assert.equal(a.knee, 'null');
      assert.ok(a.reasons.some((r) => r.joint === 'knee' && r.code === REASON_CODES.LOW_CONFIDENCE));
      assert.notEqual(a.lumbar, 'null');
    }
  });

  it('says "null" everywhere, scores null and counts nothing when no keypoint is confident', () => {
    const out = runAll(repSequence({ reps: 1, score: 0.1 }));
    for (const a of out) {
      assert.deepEqual([a.lumbar, a.knee, a.ankle], ['null', 'null', 'null']);
      assert.equal(a.score, null);
      assert.equal(a.reps, 0);
    }
  });

  it('judges the ankle null when the ankles are not confident, and cannot count without them', () => {
    const out = runAll(repSequence({ reps: 1, lowScore: ['left_ankle', 'right_ankle'] }));
    assert.ok(out.every((a) => a.ankle === 'null'));
    assert.equal(out.at(-1)!.reps, 0);
  });

  it('copes with an empty keypoint list', () => {
    const a = new SquatAnalyzer().push([], 0);
    assert.equal(a.stage, 'standing');
    assert.equal(a.score, null);
  });
});

describe('SquatAnalyzer: side view', () => {
  it('detects the side view, counts reps and never judges valgus', () => {
    const out = runAll(repSequence({ view: 'side', reps: 2 }));
    assert.equal(out.at(-1)!.reps, 2);
    for (const a of out.slice(3)) {
      assert.equal(a.view, 'side');
      assert.equal(a.knee, 'null');
      assert.ok(a.reasons.some((r) => r.code === REASON_CODES.NEEDS_FRONT_VIEW));
    }
    const s = summaries(out);
    assert.equal(s.length, 2);
    for (const r of s) {
      assert.equal(r.method, 'rules');
      assert.equal(r.knee, 'null');
      assert.ok(r.minKneeAngle !== null && r.minKneeAngle < 80, `true knee angle in side view: ${r.minKneeAngle}`);
    }
  });

  /**
   * A side view as the pose models see it (the real side-view clip): the far leg is hidden behind
   * the near one, scored lower, and its ankle and foot points drift up as the hips drop (there by a
   * fifth of the hip height at the bottom) while the near foot stays flat.
   */
  function withGuessedFarLeg(seq: readonly TimedPose[]): TimedPose[] {
    const hipY = (f: TimedPose): number => f.keypoints.find((k) => k.name === 'left_hip')!.y;
    const hip0 = hipY(seq[0]!);
    return seq.map((f) => {
      const drift = (hipY(f) - hip0) * 0.6;
      const far = (name: string, y: number, score: number): { y: number; score: number } => (name.startsWith('right_') ? { y: y - (/ankle|heel|foot/.test(name) ? drift : 0), score: 0.5 } : { y, score });
      return {
        ...f,
        keypoints: f.keypoints.map((k) => ({ ...k, ...far(k.name, k.y, k.score) })),
        ...(f.feet ? { feet: f.feet.map((k) => ({ ...k, ...far(k.name, k.y, k.score) })) } : {}),
      };
    });
  }

  it('measures the ankle and foot rise on the near leg: a far leg guessed upwards is no heel lift', () => {
    for (const withFeet of [false, true]) {
      const seq = withGuessedFarLeg(repSequence({ view: 'side', reps: 1, withFeet }));
      const analyzer = new SquatAnalyzer();
      const out = seq.map((f) => analyzer.push(f.keypoints, f.tMs, f.feet));
      const s = summaries(out);
      assert.equal(s.length, 1);
      assert.equal(s[0]!.view, 'side');
      assert.equal(s[0]!.ankle, 'good', `feet ${withFeet}: ${JSON.stringify(s[0]!.reasons)}`);
      assert.ok(out.every((a) => a.ankle === 'good'), `feet ${withFeet}: every live frame's ankle good`);
    }
  });

  it('still judges a heel lift of the near leg from the side', () => {
    const seq = withGuessedFarLeg(repSequence({ view: 'side', reps: 1, ankleLift: 0.03 }));
    const s = summaries(runAll(seq))[0]!;
    assert.equal(s.ankle, 'bad');
    assert.ok(s.reasons.some((r) => r.joint === 'ankle' && r.code === REASON_CODES.HEEL_LIFT));
  });

  it('judges a deep upright side-view squat good and a leaning one bad', () => {
    const good = atBottom(runAll(repSequence({ view: 'side', reps: 1 })));
    assert.ok(good.every((a) => a.lumbar === 'good'));
    const lean = atBottom(runAll(repSequence({ view: 'side', reps: 1, extraLean: 30 })));
    assert.ok(lean.every((a) => a.lumbar === 'bad'));
  });
});

describe('SquatAnalyzer: rep summary', () => {
  it('carries the judgements, reasons and score of the model', () => {
    const out = runAll(repSequence({ reps: 1 }), { model: constantModel('knees_caving') });
    const s = summaries(out)[0]!;
    assert.equal(s.method, 'model');
    assert.equal(s.formClass, 'knees_caving');
    assert.equal(s.knee, 'bad');
    assert.equal(s.lumbar, 'good');
    assert.equal(s.depthJudgement, 'good');
    assert.ok(s.reasons.some((r) => r.joint === 'knee' && r.code === REASON_CODES.KNEE_VALGUS));
    assert.ok(s.score >= 0 && s.score < 100);
    assert.equal(s.features, undefined, 'features only on request');
  });

  it('attaches the feature vector when asked', () => {
    const out = runAll(repSequence({ reps: 1 }), { includeFeatures: true });
    const f = summaries(out)[0]!.features!;
    assert.equal(f.names.length, f.values.length);
    assert.ok(f.names.includes('maxDepth'));
  });
});

describe('SquatAnalyzer: input handling', () => {
  it('matches keypoints by name, whatever their order', () => {
    const seq = repSequence({ reps: 1 });
    const shuffled = seq.map((f) => ({ ...f, keypoints: [...f.keypoints].reverse() }));
    assert.deepEqual(runAll(shuffled), runAll(seq));
  });

  it('corrects for the frame aspect ratio', () => {
    // the same person on a 16:9 frame: normalised x shrinks by 9/16
    const aspect = 16 / 9;
    const seq = repSequence({ reps: 1 });
    const wide = seq.map((f) => ({ ...f, keypoints: f.keypoints.map((k): Keypoint => ({ ...k, x: k.x / aspect })) }));
    const a = runAll(seq);
    const b = runAll(wide, { aspectRatio: aspect });
    a.forEach((x, i) => {
      const y = b[i]!;
      assert.equal(y.stage, x.stage);
      if (x.angles.kneeLeft !== null) assert.ok(Math.abs(y.angles.kneeLeft! - x.angles.kneeLeft) < 1e-6);
    });
  });

  it('treats non-finite keypoint values as missing, so they never enter its state', () => {
    const a = new SquatAnalyzer();
    const b = new SquatAnalyzer();
    const poisoned = squatPose().map((k, i) => (i === 11 ? { ...k, x: Number.NaN } : i === 12 ? { ...k, y: Number.POSITIVE_INFINITY } : i === 13 ? { ...k, score: Number.NaN } : k));
    const missing = squatPose().filter((_, i) => i < 11 || i > 13);
    a.push(poisoned, 0);
    b.push(missing, 0);
    assert.equal(JSON.stringify(a.snapshot()), JSON.stringify(b.snapshot()));
  });

  it('rejects a bad aspect ratio and a non-finite time', () => {
    assert.throws(() => new SquatAnalyzer({ aspectRatio: 0 }), RangeError);
    assert.throws(() => new SquatAnalyzer().push(squatPose(), Number.NaN), RangeError);
  });
});

describe('SquatAnalyzer: determinism and state', () => {
  const opts: RepSequenceOptions = { reps: 2, jitter: 0.005, seed: 5 };

  it('gives identical output for identical input', () => {
    assert.deepEqual(runAll(repSequence(opts)), runAll(repSequence(opts)));
  });

  it('snapshot/restore (through JSON) continues exactly as an uninterrupted session', () => {
    const seq = repSequence(opts);
    const whole = runAll(seq);
    for (const cut of [20, 55, 70, 100, Math.floor(seq.length / 2)]) {
      const first = new SquatAnalyzer();
      runAll(seq.slice(0, cut), {}, first);
      const wire = JSON.stringify(first.snapshot());
      const second = new SquatAnalyzer();
      second.restore(JSON.parse(wire) as ReturnType<SquatAnalyzer['snapshot']>);
      assert.deepEqual(runAll(seq.slice(cut), {}, second), whole.slice(cut), `cut at ${cut}`);
    }
  });

  it('a snapshot does not change when the analyzer goes on', () => {
    const a = new SquatAnalyzer();
    const seq = repSequence(opts);
    runAll(seq.slice(0, 50), {}, a);
    const snap = a.snapshot();
    const before = JSON.stringify(snap);
    runAll(seq.slice(50), {}, a);
    assert.equal(JSON.stringify(snap), before);
  });

  it('refuses a snapshot of another version', () => {
    const snap = { ...new SquatAnalyzer().snapshot(), version: 2 } as unknown as ReturnType<SquatAnalyzer['snapshot']>;
    assert.throws(() => new SquatAnalyzer().restore(snap), /version/);
  });

  it('reset starts a fresh session', () => {
    const a = new SquatAnalyzer();
    runAll(repSequence(opts), {}, a);
    assert.equal(a.reps, 2);
    a.reset();
    assert.equal(a.reps, 0);
    assert.equal(a.stage, 'standing');
    assert.deepEqual(runAll(repSequence(opts), {}, a), runAll(repSequence(opts)));
  });
});
