import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FORM_CLASSES, REASON_CODES, type FrameAnalysis, type RepSummary } from './analysis.types';
import { SquatAnalyzer, type SquatAnalyzerOptions, type SquatAnalyzerSnapshot } from './analyzer';
import type { GbdtModel } from './model/gbdt';
import { shippedModels } from './model/load';
import type { FittedModel } from './model/model.types';
import { repSequence, type RepSequenceOptions, type TimedPose } from './testing/squat-pose.factory';

function runAll(seq: readonly TimedPose[], options: SquatAnalyzerOptions = {}, analyzer = new SquatAnalyzer(options)): FrameAnalysis[] {
  return seq.map((f) => analyzer.push(f.keypoints, f.tMs, f.feet));
}

const summaries = (out: readonly FrameAnalysis[]): RepSummary[] => out.flatMap((a) => (a.repCompleted ? [a.repCompleted] : []));
const codes = (r: { reasons: ReadonlyArray<{ code: string }> }): string[] => r.reasons.map((x) => x.code);

/** Builder: a model that always says `cls` (probability ~0.97), for either pose path, with given live foot thresholds. */
function constantModel(cls: (typeof FORM_CLASSES)[number], pose: 'movenet' | 'blazepose', extra: Partial<FittedModel> = {}): FittedModel {
  const k = FORM_CLASSES.indexOf(cls);
  const classifier: GbdtModel = { kind: 'gbdt', nClasses: 6, learningRate: 1, base: FORM_CLASSES.map((_, i) => (i === k ? 5 : 0)), trees: [] };
  const base = shippedModels()[pose];
  const { calibration: _c, confidenceFloor: _f, ...rest } = base;
  void _c;
  void _f;
  return { ...rest, classifier, thresholds: { ...base.thresholds, heelRiseMax: 0.02, toeRiseMax: 0.02 }, ...extra };
}

const heels: RepSequenceOptions = { reps: 1, withFeet: true, heelLift: 0.06 };

describe('SquatAnalyzer with heels and toes (BlazePose path)', () => {
  it('names the heels live when they rise, and judges the rep with the BlazePose model (HEEL_RISE)', () => {
    const out = runAll(repSequence(heels), { model: constantModel('good', 'movenet'), feetModel: constantModel('heels_lifting', 'blazepose') });
    const bottom = out.filter((a) => a.stage === 'bottom');
    assert.ok(bottom.length > 0);
    for (const a of bottom) {
      assert.equal(a.ankle, 'bad');
      assert.ok(codes(a).includes(REASON_CODES.HEEL_RISE), codes(a).join(','));
      assert.ok(!codes(a).includes(REASON_CODES.TOE_RISE));
    }
    const [s] = summaries(out);
    assert.equal(s?.model, 'blazepose');
    assert.equal(s?.formClass, 'heels_lifting');
    assert.equal(s?.ankle, 'bad');
    assert.ok(codes(s!).includes(REASON_CODES.HEEL_RISE), codes(s!).join(','));
  });

  it('names the toes when they rise (TOE_RISE), live and on the rep', () => {
    const out = runAll(repSequence({ reps: 1, withFeet: true, toeLift: 0.06 }), { model: constantModel('good', 'movenet'), feetModel: constantModel('toes_lifting', 'blazepose') });
    const bottom = out.filter((a) => a.stage === 'bottom');
    assert.ok(bottom.every((a) => a.ankle === 'bad' && codes(a).includes(REASON_CODES.TOE_RISE)));
    const [s] = summaries(out);
    assert.ok(codes(s!).includes(REASON_CODES.TOE_RISE));
  });

  it('flat feet are good live on the BlazePose path', () => {
    const out = runAll(repSequence({ reps: 1, withFeet: true }), { model: constantModel('good', 'movenet'), feetModel: constantModel('good', 'blazepose') });
    assert.ok(out.filter((a) => a.stage === 'bottom').every((a) => a.ankle === 'good'));
  });

  it('without foot points the rep goes to the MoveNet model (its reasons do not claim to have seen the heels)', () => {
    const seq = repSequence({ ...heels, withFeet: false });
    const out = runAll(seq, { model: constantModel('heels_lifting', 'movenet'), feetModel: constantModel('good', 'blazepose') });
    const [s] = summaries(out);
    assert.equal(s?.model, 'movenet');
    assert.ok(codes(s!).includes(REASON_CODES.HEEL_LIFT));
    assert.ok(!codes(s!).includes(REASON_CODES.HEEL_RISE));
  });

  it("feet: 'ignore' judges on the MoveNet path even when feet are given", () => {
    const out = runAll(repSequence(heels), { feet: 'ignore', model: constantModel('good', 'movenet') });
    const [s] = summaries(out);
    assert.equal(s?.model, 'movenet');
    assert.equal(s?.formClass, 'good');
  });

  it('gives a calibrated confidence per joint, and says "null" (LOW_CONFIDENCE) below the floor', () => {
    // calibration: identity; the constant model puts ~0.97 on heels_lifting, so ankle confidence ~0.97
    const identity = { x: [0, 1], y: [0, 1] };
    const calibration = { lumbar: identity, knee: identity, ankle: identity };
    const sure = runAll(repSequence(heels), { model: constantModel('good', 'movenet'), feetModel: constantModel('heels_lifting', 'blazepose', { calibration, confidenceFloor: { ankle: 0.9 } }) });
    const [a] = summaries(sure);
    assert.equal(a?.ankle, 'bad');
    assert.ok(a?.confidence && a.confidence.ankle !== null && a.confidence.ankle > 0.9, JSON.stringify(a?.confidence));
    const unsure = runAll(repSequence(heels), { model: constantModel('good', 'movenet'), feetModel: constantModel('heels_lifting', 'blazepose', { calibration, confidenceFloor: { ankle: 0.99 } }) });
    const [b] = summaries(unsure);
    assert.equal(b?.ankle, 'null');
    const low = b!.reasons.filter((r) => r.joint === 'ankle');
    assert.deepEqual(low.map((r) => r.code), [REASON_CODES.LOW_CONFIDENCE]);
    assert.equal(low[0]!.threshold, 0.99);
    // the other joints are judged: confident "good"
    assert.equal(b?.knee, 'good');
    assert.ok((b?.confidence?.knee ?? 0) > 0.9);
  });

  it('restores a snapshot taken before foot points (no feetSmoother) and continues as an uninterrupted session', () => {
    const seq = repSequence({ reps: 2, jitter: 0.005, seed: 5 });
    const whole = runAll(seq);
    for (const cut of [30, 70, 110]) {
      const first = new SquatAnalyzer();
      runAll(seq.slice(0, cut), {}, first);
      const { feetSmoother: _f, ...rest } = first.snapshot();
      void _f;
      // what an analyzer before foot points wrote: no foot filters, shorter recorder rows, no foot reference
      const old = JSON.parse(JSON.stringify(rest)) as SquatAnalyzerSnapshot & { recorder: { pre: Array<{ values: unknown[] }>; frames: Array<{ values: unknown[] }>; post: Array<{ values: unknown[] }> } };
      for (const part of [old.recorder.pre, old.recorder.frames, old.recorder.post]) for (const f of part) f.values = f.values.slice(0, 23);
      if (old.reference) {
        const ref = old.reference as unknown as Record<string, unknown>;
        delete ref.heelY;
        delete ref.toeY;
        delete ref.footSpan;
      }
      const second = new SquatAnalyzer();
      second.restore(old);
      assert.deepEqual(runAll(seq.slice(cut), {}, second), whole.slice(cut), `cut at ${cut}`);
      assert.equal(second.snapshot().version, 1);
    }
  });

  it('snapshot/restore with feet continues exactly', () => {
    const seq = repSequence({ ...heels, reps: 2 });
    const whole = runAll(seq);
    const first = new SquatAnalyzer();
    runAll(seq.slice(0, 60), {}, first);
    const second = new SquatAnalyzer();
    second.restore(JSON.parse(JSON.stringify(first.snapshot())) as ReturnType<SquatAnalyzer['snapshot']>);
    assert.deepEqual(runAll(seq.slice(60), {}, second), whole.slice(60));
  });
});
