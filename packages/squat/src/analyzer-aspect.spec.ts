import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FootKeypoint, Keypoint } from '@squirret/contracts';
import type { FrameAnalysis, RepSummary } from './analysis.types';
import { ASPECT_REANCHOR_TOLERANCE, REP_POST_WINDOW_MS, SquatAnalyzer, type SquatAnalyzerOptions, type SquatAnalyzerSnapshot } from './analyzer';
import { repSequence, type RepSequenceOptions, type TimedPose } from './testing/squat-pose.factory';

/** 1080x1920, the portrait frame the lab trains with (PROJECTED_ASPECT_RATIO). */
const PORTRAIT = 1080 / 1920;
/** The same phone turned to landscape. */
const LANDSCAPE = 1920 / 1080;

/** A timed frame with the aspect ratio of the frame it came from (undefined: the frame said nothing). */
interface AspectFrame extends TimedPose {
  readonly aspect: number | undefined;
}

/**
 * The builder's square-frame person as seen on a frame of width / height `aspect`: the normalised x
 * of a point is its isotropic x over the aspect (about the centre, so the person stays in frame).
 * With `tell` false the frames do not say their aspect.
 */
function onFrame(seq: readonly TimedPose[], aspect: number, tell = true): AspectFrame[] {
  const given = tell ? aspect : undefined;
  const squeeze = <P extends { x: number }>(p: P): P => ({ ...p, x: 0.5 + (p.x - 0.5) / aspect });
  return seq.map((f) => ({
    tMs: f.tMs,
    keypoints: f.keypoints.map((k): Keypoint => squeeze(k)),
    ...(f.feet ? { feet: f.feet.map((k): FootKeypoint => squeeze(k)) } : {}),
    aspect: given,
  }));
}

function run(frames: readonly AspectFrame[], analyzer = new SquatAnalyzer({ includeFeatures: true })): FrameAnalysis[] {
  return frames.map((f) => analyzer.push(f.keypoints, f.tMs, f.feet, f.aspect));
}

const summaries = (out: readonly FrameAnalysis[]): RepSummary[] => out.flatMap((a) => (a.repCompleted ? [a.repCompleted] : []));

/** Deep equality where numbers may differ by float rounding (x / aspect × aspect is not exactly x). */
function assertClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tol = 1e-9 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tol || (Number.isNaN(actual) && Number.isNaN(expected)), `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    assert.deepEqual(actual, expected, path);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${path}: array vs object`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
  for (const k of Object.keys(expected)) assertClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
}

/** Frames after `from` of a stream, renumbered as a fresh session would count them. */
const withRepsOffset = (out: readonly FrameAnalysis[], offset: number): FrameAnalysis[] =>
  out.map((a) => ({ ...a, reps: a.reps - offset, ...(a.repCompleted ? { repCompleted: { ...a.repCompleted, index: a.repCompleted.index - offset } } : {}) }));

describe('SquatAnalyzer: the aspect ratio of each frame', () => {
  const cases: Array<[string, RepSequenceOptions]> = [
    ['front view', { reps: 2, valgus: 0.03, seed: 3 }],
    ['front view with heels and toes', { reps: 1, withFeet: true, heelLift: 0.03, seed: 4 }],
    ['side view', { reps: 1, view: 'side', seed: 5 }],
    ['front view with jitter', { reps: 1, jitter: 0.004, seed: 6 }],
  ];
  for (const [name, opts] of cases) {
    it(`${name}: the pose squeezed onto a 9:16 frame, given its aspect per frame, gives the square pose's frames and rep features`, () => {
      const square = repSequence(opts);
      const reference = run(onFrame(square, 1, false));
      const portrait = run(onFrame(square, PORTRAIT));
      assertClose(portrait, reference);
      assert.ok(summaries(reference).length >= 1 && summaries(reference).every((r) => r.features !== undefined), 'reps with their feature vectors were compared');
      // the constructor's aspect and the frames' are the same thing
      assert.deepEqual(run(onFrame(square, PORTRAIT, false), new SquatAnalyzer({ includeFeatures: true, aspectRatio: PORTRAIT })), portrait);
      // and without it the widths are stretched: the comparison above can fail
      const stretched = run(onFrame(square, PORTRAIT, false));
      assert.throws(() => assertClose(stretched, reference));
    });
  }

  it('on a portrait frame without its aspect, widths over heights come out stretched by 1/aspect', () => {
    const square = repSequence({ reps: 1, seed: 7 });
    const ok = run(onFrame(square, PORTRAIT));
    const stretched = run(onFrame(square, PORTRAIT, false));
    const width = (out: FrameAnalysis[]): number => out.find((a) => a.stage === 'bottom')?.metrics.kneeAnkleWidth ?? NaN;
    // knee width / ankle width is a ratio of two widths: nearly the same either way (the One Euro
    // filter's cutoff follows the speed, so smoothing is not exactly scale-free)
    assert.ok(Math.abs(width(ok) / width(stretched) - 1) < 0.01, `${width(ok)} vs ${width(stretched)}`);
    const f = (out: FrameAnalysis[], name: string): number => {
      const r = summaries(out)[0]!.features!;
      return r.values[r.names.indexOf(name)]!;
    };
    const name = 'shoulderWidthN_pre'; // shoulder width over a height, standing before the rep
    assert.ok(Math.abs(f(stretched, name) / f(ok, name) - 1 / PORTRAIT) < 0.02, `${name}: ${f(stretched, name)} vs ${f(ok, name)}`);
  });

  it('a phone turned mid-rep: the rep in progress is dropped, and from that frame on the analyzer is a fresh one that kept the count', () => {
    const before = onFrame(repSequence({ reps: 2, seed: 8 }), PORTRAIT);
    // cut half way down the second rep, long after the first rep's summary
    const firstEnd = run(before).findIndex((a) => a.reps === 1);
    const cut = before.findIndex((f, i) => i > firstEnd && f.tMs > before[firstEnd]!.tMs + 1000 + REP_POST_WINDOW_MS + 500);
    const after = onFrame(repSequence({ reps: 1, seed: 9, startMs: before[cut]!.tMs }), LANDSCAPE);
    const turned = new SquatAnalyzer({ includeFeatures: true });
    const head = run(before.slice(0, cut), turned);
    assert.equal(summaries(head).length, 1);
    assert.notEqual(head.at(-1)!.stage, 'standing', 'the cut is inside the second rep');
    const tail = run(after, turned);
    assert.equal(turned.aspectRatio, LANDSCAPE);
    const fresh = run(after);
    assertClose(withRepsOffset(tail, 1), fresh);
    assert.equal(tail.at(-1)!.reps, 2, 'the first rep and the rep after the turn; the turned one is not counted');
    assert.deepEqual(summaries(tail).map((r) => r.index), [2]);
  });

  it('a phone turned in the post window of a rep: that frame delivers the rep summary', () => {
    const seq = onFrame(repSequence({ reps: 1, seed: 10, standSec: 2 }), PORTRAIT);
    const whole = run(seq);
    const counted = whole.findIndex((a) => a.reps === 1);
    const delivered = whole.findIndex((a) => a.repCompleted !== undefined);
    assert.ok(delivered > counted + 2, 'the summary waits for the post window');
    const turnAt = counted + 2;
    const turned = seq.map((f, i) => (i < turnAt ? f : { ...f, keypoints: f.keypoints.map((k) => ({ ...k, x: 0.5 + ((k.x - 0.5) * PORTRAIT) / LANDSCAPE })), aspect: LANDSCAPE }));
    const out = run(turned);
    assert.equal(out[turnAt]!.repCompleted?.index, 1, 'the summary comes on the frame of the turn');
    assert.equal(summaries(out).length, 1, 'and only there');
    assert.equal(out.at(-1)!.reps, 1);
  });

  it(`an aspect within ${ASPECT_REANCHOR_TOLERANCE * 100}% of the current one (another resolution) is adopted without re-anchoring`, () => {
    const square = repSequence({ reps: 1, seed: 11 });
    const big = onFrame(square, PORTRAIT);
    const small = onFrame(square, 108 / 192);
    const near = onFrame(square, 240 / 427); // 0.562 against 0.5625
    const whole = run(big);
    const bottom = whole.findIndex((a) => a.stage === 'bottom');
    for (const other of [small, near]) {
      const a = new SquatAnalyzer({ includeFeatures: true });
      const out = [...run(big.slice(0, bottom), a), ...run(other.slice(bottom), a)];
      assert.equal(a.aspectRatio, other[0]!.aspect);
      assert.equal(out.at(-1)!.reps, 1, 'the rep in progress at the change is counted');
      assert.equal(summaries(out).length, 1);
      assert.equal(out[bottom]!.view, whole[bottom]!.view);
    }
    // the same change beyond the tolerance drops that rep
    const a = new SquatAnalyzer();
    const out = [...run(big.slice(0, bottom), a), ...run(onFrame(square, 0.75).slice(bottom), a)];
    assert.equal(out.at(-1)!.reps, 0);
  });

  it('snapshot/restore carries the aspect: a restored analyzer continues exactly without being told it again', () => {
    const seq = onFrame(repSequence({ reps: 2, seed: 12 }), PORTRAIT);
    const told = seq.map((f, i) => (i === 0 ? f : { ...f, aspect: undefined })); // only the first frame says it
    const whole = run(told);
    for (const cut of [10, 45, 70, Math.floor(seq.length / 2)]) {
      const first = new SquatAnalyzer({ includeFeatures: true });
      run(told.slice(0, cut), first);
      const snap = JSON.parse(JSON.stringify(first.snapshot())) as SquatAnalyzerSnapshot;
      assert.equal(snap.aspectRatio, PORTRAIT);
      const second = new SquatAnalyzer({ includeFeatures: true });
      second.restore(snap);
      assert.equal(second.aspectRatio, PORTRAIT);
      assert.deepEqual(run(told.slice(cut), second), whole.slice(cut), `cut at ${cut}`);
    }
  });

  it('a snapshot without an aspect (taken before per-frame aspects) restores in the constructor aspect, and a frame of another shape then re-anchors', () => {
    const seq = onFrame(repSequence({ reps: 1, seed: 13 }), 1, false);
    const first = new SquatAnalyzer();
    run(seq, first);
    assert.equal(first.reps, 1);
    const { aspectRatio: _dropped, ...old } = first.snapshot();
    const restored = new SquatAnalyzer();
    restored.restore(old as SquatAnalyzerSnapshot);
    assert.equal(restored.aspectRatio, 1);
    const inPortrait = new SquatAnalyzer({ aspectRatio: PORTRAIT });
    inPortrait.restore(old as SquatAnalyzerSnapshot);
    assert.equal(inPortrait.aspectRatio, PORTRAIT);
    // the next frames come from a 9:16 phone: the state (built at aspect 1) is re-anchored, the count kept
    const more = onFrame(repSequence({ reps: 1, seed: 14, startMs: seq.at(-1)!.tMs + 33 }), PORTRAIT);
    const out = run(more, restored);
    assertClose(withRepsOffset(out, 1), run(more, new SquatAnalyzer()));
    assert.equal(restored.reps, 2);
  });

  it('an invalid aspect in a snapshot (null after JSON, 0) falls back to the constructor aspect', () => {
    for (const bad of [null, 0, -1, 'x']) {
      const a = new SquatAnalyzer({ aspectRatio: PORTRAIT });
      a.restore({ ...new SquatAnalyzer().snapshot(), aspectRatio: bad as unknown as number });
      assert.equal(a.aspectRatio, PORTRAIT, String(bad));
    }
  });

  it('a frame with an invalid aspect (0, NaN, negative, Infinity) is analysed with the last good one, without throwing', () => {
    const seq = onFrame(repSequence({ reps: 1, seed: 15 }), PORTRAIT);
    const whole = run(seq);
    const bad = [0, Number.NaN, -PORTRAIT, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0];
    // every third frame, through the standing part and the rep, brings a bad aspect
    const spoilt = seq.map((f, i) => (i % 3 === 1 ? { ...f, aspect: bad[i % bad.length] } : f));
    const a = new SquatAnalyzer({ includeFeatures: true });
    let out: FrameAnalysis[] = [];
    assert.doesNotThrow(() => (out = run(spoilt, a)));
    assert.deepEqual(out, whole);
    assert.equal(a.aspectRatio, PORTRAIT);
    assert.equal(summaries(out).length, 1);
    // on the very first frame there is no good one yet: the constructor's is kept until one comes
    const early = new SquatAnalyzer();
    early.push(seq[0]!.keypoints, seq[0]!.tMs, undefined, Number.NaN);
    assert.equal(early.aspectRatio, 1);
    early.push(seq[1]!.keypoints, seq[1]!.tMs, undefined, PORTRAIT);
    assert.equal(early.aspectRatio, PORTRAIT);
  });

  it('reset goes back to the constructor aspect', () => {
    const a = new SquatAnalyzer({ aspectRatio: 0.75 });
    a.push(repSequence()[0]!.keypoints, 0, undefined, PORTRAIT);
    assert.equal(a.aspectRatio, PORTRAIT);
    a.reset();
    assert.equal(a.aspectRatio, 0.75);
  });

  it('is deterministic with aspects changing', () => {
    const opts: SquatAnalyzerOptions = { includeFeatures: true };
    const frames = [...onFrame(repSequence({ reps: 1, seed: 16 }), PORTRAIT), ...onFrame(repSequence({ reps: 1, seed: 17, startMs: 5000 }), LANDSCAPE)];
    assert.deepEqual(run(frames, new SquatAnalyzer(opts)), run(frames, new SquatAnalyzer(opts)));
  });
});
