import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FORM_CLASSES, REASON_CODES } from './analysis.types';
import type { FrameFeatures } from './features';
import { LIVE_RULE_MIN_DEPTH, PENALTY, SIDE_PARALLEL_KNEE_DEG, alignFeatures, judgeFrame, judgeRep } from './judge';
import type { EnsembleModel } from './model/classifier';
import type { GbdtModel } from './model/gbdt';
import type { FittedModel, LiveThresholds } from './model/model.types';
import { REP_FEATURE_NAMES, type RepFeatureVector } from './rep-features';

const T: LiveThresholds = {
  trunkLeanMaxDeg: 60,
  kneeAnkleWidthMin: 0.8,
  ankleRiseMax: 0.02,
  shinRatioMin: 0.4,
  depthMin: 0.45,
  sideTrunkLeanMaxDeg: 55,
  sideAnkleRiseMax: 0.03,
};

/** Builder: a good front-view frame at the bottom of a squat; override what a test needs. */
function features(o: Partial<FrameFeatures> = {}): FrameFeatures {
  return {
    view: 'front',
    kneeAngleLeft: 90,
    kneeAngleRight: 92,
    hipAngleLeft: 80,
    hipAngleRight: 82,
    kneeAngle: 90,
    hipAngle: 80,
    trunkLean: 40,
    depth: 0.55,
    kneeAnkleWidth: 1.3,
    kneeHipWidth: 2.2,
    ankleHipWidth: 1.6,
    ankleRise: 0,
    heelLift: 0,
    shinRatio: 0.6,
    thighRatio: 0.3,
    torsoRatio: 0.8,
    noseRatio: 0.8,
    hipShift: 0,
    ankleSpread: 1,
    shoulderWidthN: null,
    hipWidthN: null,
    shoulderHipWidth: null,
    shoulderShift: null,
    headRatio: null,
    wristDrop: null,
    elbowDrop: null,
    wristShoulderWidth: null,
    kneeWidthN: null,
    heelRise: null,
    toeRise: null,
    footPitch: null,
    heelOverAnkle: null,
    footSpan: null,
    ...o,
  };
}

const codes = (r: { reasons: ReadonlyArray<{ code: string }> }): string[] => r.reasons.map((x) => x.code);

describe('judgeFrame: all good', () => {
  it('is good everywhere with a score of 100 and no reasons', () => {
    const j = judgeFrame(features(), 'bottom', T);
    assert.deepEqual([j.lumbar, j.knee, j.ankle], ['good', 'good', 'good']);
    assert.equal(j.score, 100);
    assert.deepEqual(j.reasons, []);
  });
});

describe('judgeFrame: lumbar (trunk lean)', () => {
  it('is bad beyond the front-view limit, with the joint, code, value and threshold', () => {
    const j = judgeFrame(features({ trunkLean: 70 }), 'bottom', T);
    assert.equal(j.lumbar, 'bad');
    const r = j.reasons.find((x) => x.joint === 'lumbar')!;
    assert.equal(r.code, REASON_CODES.TRUNK_LEAN);
    assert.equal(r.value, 70);
    assert.equal(r.threshold, 60);
    assert.match(r.message, /70°/);
    assert.equal(j.score, 100 - PENALTY.lumbar);
  });
  it('is good just under the limit', () => {
    assert.equal(judgeFrame(features({ trunkLean: 59.9 }), 'bottom', T).lumbar, 'good');
  });
  it('uses the side-view limit in a side view', () => {
    const side = features({ view: 'side', trunkLean: 57, kneeAnkleWidth: null });
    assert.equal(judgeFrame(side, 'bottom', T).lumbar, 'bad');
    assert.equal(judgeFrame({ ...side, view: 'front' }, 'bottom', T).lumbar, 'good');
  });
  it('is null with LOW_CONFIDENCE when the lean cannot be measured', () => {
    const j = judgeFrame(features({ trunkLean: null }), 'bottom', T);
    assert.equal(j.lumbar, 'null');
    assert.ok(j.reasons.some((r) => r.joint === 'lumbar' && r.code === REASON_CODES.LOW_CONFIDENCE));
  });
});

describe('judgeFrame: knee (valgus)', () => {
  it('is bad when the knees come closer than the ankles allow, under load', () => {
    const j = judgeFrame(features({ kneeAnkleWidth: 0.6 }), 'bottom', T);
    assert.equal(j.knee, 'bad');
    const r = j.reasons.find((x) => x.joint === 'knee')!;
    assert.equal(r.code, REASON_CODES.KNEE_VALGUS);
    assert.equal(r.threshold, 0.8);
    assert.match(r.message, /knees cave in/);
  });
  it('is not judged bad while standing (no load)', () => {
    assert.equal(judgeFrame(features({ kneeAnkleWidth: 0.6, depth: 0 }), 'standing', T).knee, 'good');
  });
  it('is not judged bad above the minimum depth', () => {
    assert.equal(judgeFrame(features({ kneeAnkleWidth: 0.6, depth: LIVE_RULE_MIN_DEPTH - 0.01 }), 'descent', T).knee, 'good');
  });
  it('is null with NEEDS_FRONT_VIEW in a side view, even when a width is present', () => {
    const j = judgeFrame(features({ view: 'side', kneeAnkleWidth: 0.2 }), 'bottom', T);
    assert.equal(j.knee, 'null');
    assert.ok(codes(j).includes(REASON_CODES.NEEDS_FRONT_VIEW));
  });
  it('is null while the view is unknown', () => {
    assert.equal(judgeFrame(features({ view: 'unknown' }), 'bottom', T).knee, 'null');
  });
  it('is null with LOW_CONFIDENCE when knees or ankles are missing', () => {
    const j = judgeFrame(features({ kneeAnkleWidth: null }), 'bottom', T);
    assert.equal(j.knee, 'null');
    assert.ok(j.reasons.some((r) => r.joint === 'knee' && r.code === REASON_CODES.LOW_CONFIDENCE));
  });
});

describe('judgeFrame: ankle (heel / toe lift)', () => {
  it('is bad when the ankles rise, with ANKLE_RISE in the front view', () => {
    const j = judgeFrame(features({ ankleRise: 0.05 }), 'ascent', T);
    assert.equal(j.ankle, 'bad');
    assert.ok(codes(j).includes(REASON_CODES.ANKLE_RISE));
  });
  it('judges a side view by the side rule on the ankle even with heels and toes (their limits are fitted on front views)', () => {
    const feet = { ...T, heelRiseMax: 0.035, toeRiseMax: 0.036 };
    const side = features({ view: 'side', kneeAnkleWidth: null, heelRise: 0.08, toeRise: 0, ankleRise: 0.01 });
    assert.equal(judgeFrame(side, 'bottom', feet).ankle, 'good');
    assert.equal(judgeFrame({ ...side, ankleRise: 0.04 }, 'bottom', feet).reasons.find((r) => r.joint === 'ankle')?.code, REASON_CODES.HEEL_LIFT);
    assert.equal(judgeFrame({ ...side, view: 'front', kneeAnkleWidth: 1 }, 'bottom', feet).reasons.find((r) => r.joint === 'ankle')?.code, REASON_CODES.HEEL_RISE);
  });

  it('calls a rise in the side view a HEEL_LIFT and uses the side limit', () => {
    const side = features({ view: 'side', kneeAnkleWidth: null });
    assert.equal(judgeFrame({ ...side, ankleRise: 0.025 }, 'bottom', T).ankle, 'good');
    const j = judgeFrame({ ...side, ankleRise: 0.04 }, 'bottom', T);
    assert.equal(j.ankle, 'bad');
    assert.ok(codes(j).includes(REASON_CODES.HEEL_LIFT));
  });
  it('flags a heel lift from a very short shin at depth in the front view', () => {
    const j = judgeFrame(features({ shinRatio: 0.3 }), 'bottom', T);
    assert.equal(j.ankle, 'bad');
    assert.ok(codes(j).includes(REASON_CODES.HEEL_LIFT));
  });
  it('ignores a short shin when not deep', () => {
    assert.equal(judgeFrame(features({ shinRatio: 0.3, depth: 0.2 }), 'descent', T).ankle, 'good');
  });
  it('ignores an ankle rise while standing', () => {
    assert.equal(judgeFrame(features({ ankleRise: 0.05, depth: 0 }), 'standing', T).ankle, 'good');
  });
  it('is null with LOW_CONFIDENCE when the ankles are not measurable', () => {
    const j = judgeFrame(features({ ankleRise: null }), 'bottom', T);
    assert.equal(j.ankle, 'null');
    assert.ok(j.reasons.some((r) => r.joint === 'ankle' && r.code === REASON_CODES.LOW_CONFIDENCE));
  });
});

describe('judgeFrame: score', () => {
  it('subtracts every bad joint', () => {
    const j = judgeFrame(features({ trunkLean: 80, kneeAnkleWidth: 0.5, ankleRise: 0.1 }), 'bottom', T);
    assert.equal(j.score, 100 - PENALTY.lumbar - PENALTY.knee - PENALTY.ankle);
  });
  it('is null when nothing can be judged', () => {
    const j = judgeFrame(features({ trunkLean: null, kneeAnkleWidth: null, ankleRise: null }), 'bottom', T);
    assert.equal(j.score, null);
    assert.deepEqual([j.lumbar, j.knee, j.ankle], ['null', 'null', 'null']);
  });
  it('ignores null joints (no penalty for what is not seen)', () => {
    assert.equal(judgeFrame(features({ kneeAnkleWidth: null }), 'bottom', T).score, 100);
  });
});

/** Builder: a rep vector with every feature 0 except the named ones. */
function repVector(values: Record<string, number | null>): RepFeatureVector {
  return { names: REP_FEATURE_NAMES, values: REP_FEATURE_NAMES.map((n) => (n in values ? values[n]! : 0)) };
}

/** A model that always answers `cls` (one constant tree per class). */
function constantModel(cls: (typeof FORM_CLASSES)[number]): FittedModel {
  const k = FORM_CLASSES.indexOf(cls);
  const classifier: GbdtModel = { kind: 'gbdt', nClasses: 6, learningRate: 1, base: FORM_CLASSES.map((_, i) => (i === k ? 5 : 0)), trees: [] };
  return { version: 1, fittedOn: 'test', featureNames: REP_FEATURE_NAMES, classes: FORM_CLASSES, classifier, thresholds: T };
}

describe('judgeRep (front view, model)', () => {
  const measured = repVector({ trunkLean_bottom: 40, trunkLean_max: 45, kneeAnkleWidth_min: 1.1, ankleRise_max: 0, maxDepth: 0.6 });

  it('maps each class to the right joint and reason', () => {
    const cases = [
      ['bending_forward', 'lumbar', REASON_CODES.TRUNK_LEAN],
      ['knees_caving', 'knee', REASON_CODES.KNEE_VALGUS],
      ['heels_lifting', 'ankle', REASON_CODES.HEEL_LIFT],
      ['toes_lifting', 'ankle', REASON_CODES.TOE_LIFT],
      ['no_depth', 'depth', REASON_CODES.NO_DEPTH],
    ] as const;
    for (const [cls, joint, code] of cases) {
      const r = judgeRep({ features: measured, view: 'front' }, constantModel(cls));
      assert.equal(r.formClass, cls);
      assert.equal(r.method, 'model');
      const j = { lumbar: r.lumbar, knee: r.knee, ankle: r.ankle, depth: r.depthJudgement };
      for (const [k, v] of Object.entries(j)) assert.equal(v, k === joint ? 'bad' : 'good', `${cls}: ${k}`);
      assert.deepEqual(r.reasons.map((x) => [x.joint, x.code]), [[joint, code]]);
      assert.ok(r.score < 80, `${cls} score ${r.score}`);
    }
  });

  it('is all good with a high score for the good class', () => {
    const r = judgeRep({ features: measured, view: 'front' }, constantModel('good'));
    assert.equal(r.formClass, 'good');
    assert.deepEqual([r.lumbar, r.knee, r.ankle, r.depthJudgement], ['good', 'good', 'good', 'good']);
    assert.equal(r.score, 100);
    assert.ok(r.probabilities && r.probabilities.good > 0.9);
  });

  it('reports a joint as null when its measurements were missing the whole rep', () => {
    const v = repVector({ trunkLean_bottom: 40, trunkLean_max: 45, kneeAnkleWidth_min: null, ankleRise_max: null, maxDepth: 0.6 });
    const r = judgeRep({ features: v, view: 'front' }, constantModel('good'));
    assert.equal(r.knee, 'null');
    assert.equal(r.ankle, 'null');
    assert.equal(r.lumbar, 'good');
    assert.ok(r.reasons.some((x) => x.joint === 'knee' && x.code === REASON_CODES.LOW_CONFIDENCE));
  });

  it('averages an ensemble', () => {
    const a = constantModel('good').classifier as GbdtModel;
    const b = constantModel('no_depth').classifier as GbdtModel;
    const ens: EnsembleModel = { kind: 'ensemble', members: [a, b, b], weights: [1, 1, 1] };
    const r = judgeRep({ features: measured, view: 'front' }, { ...constantModel('good'), classifier: ens });
    assert.equal(r.formClass, 'no_depth');
  });
});

/** A model whose class probabilities are exactly `p` (softmax of their logs). */
function probabilityModel(p: Partial<Record<(typeof FORM_CLASSES)[number], number>>, jointProbabilityMin?: FittedModel['jointProbabilityMin']): FittedModel {
  const rest = (1 - Object.values(p).reduce((a, b) => a + b, 0)) / (FORM_CLASSES.length - Object.keys(p).length);
  const base = FORM_CLASSES.map((c) => Math.log(p[c] ?? rest));
  const classifier: GbdtModel = { kind: 'gbdt', nClasses: 6, learningRate: 1, base, trees: [] };
  return { ...constantModel('good'), classifier, ...(jointProbabilityMin ? { jointProbabilityMin } : {}) };
}

describe('judgeRep: a joint flagged by its fault probability (jointProbabilityMin)', () => {
  const measured = repVector({ trunkLean_bottom: 40, trunkLean_max: 45, kneeAnkleWidth_min: 1.1, ankleRise_max: 0, maxDepth: 0.6 });
  const judge = (m: FittedModel): ReturnType<typeof judgeRep> => judgeRep({ features: measured, view: 'front' }, m);

  it('flags the lumbar when bending forward is likely though good wins, and says so with the figures', () => {
    const p = { good: 0.6, bending_forward: 0.35 };
    const r = judge(probabilityModel(p, { lumbar: 0.3 }));
    assert.equal(r.formClass, 'good');
    assert.deepEqual([r.lumbar, r.knee, r.ankle, r.depthJudgement], ['bad', 'good', 'good', 'good']);
    assert.equal(r.reasons.length, 1);
    assert.equal(r.reasons[0]!.code, REASON_CODES.TRUNK_LEAN);
    assert.ok(Math.abs(r.reasons[0]!.value! - 0.35) < 1e-9);
    assert.equal(r.reasons[0]!.threshold, 0.3);
    assert.match(r.reasons[0]!.message, /likely \(model confidence 35%, flagged from 30%\)/);
    // below the floor, or with no floor for that joint: not flagged
    assert.equal(judge(probabilityModel(p, { lumbar: 0.4 })).lumbar, 'good');
    assert.equal(judge(probabilityModel(p, { knee: 0.1 })).lumbar, 'good');
    assert.equal(judge(probabilityModel(p)).lumbar, 'good');
  });

  it('sums the classes of one joint (heels and toes both fault the ankle) and names the likelier one', () => {
    const p = { good: 0.55, heels_lifting: 0.18, toes_lifting: 0.22 };
    const r = judge(probabilityModel(p, { ankle: 0.35 }));
    assert.equal(r.formClass, 'good');
    assert.equal(r.ankle, 'bad');
    assert.deepEqual(r.reasons.map((x) => x.code), [REASON_CODES.TOE_LIFT]);
    assert.ok(Math.abs(r.reasons[0]!.value! - 0.4) < 1e-9);
    assert.equal(judge(probabilityModel(p, { ankle: 0.45 })).ankle, 'good');
  });

  it('adds nothing for the joint of the winning class (one reason, not two)', () => {
    const r = judge({ ...constantModel('bending_forward'), jointProbabilityMin: { lumbar: 0.01 } });
    assert.equal(r.lumbar, 'bad');
    assert.equal(r.reasons.filter((x) => x.joint === 'lumbar').length, 1);
  });

  it('is not used in a side view (the rules judge there)', () => {
    const r = judgeRep({ features: repVector({ trunkLean_max: 30, ankleRise_max: 0, maxDepth: 0.6 }), view: 'side' }, probabilityModel({ good: 0.6, bending_forward: 0.35 }, { lumbar: 0.3 }));
    assert.equal(r.lumbar, 'good');
  });
});

describe('judgeRep (side view, rules)', () => {
  const model = constantModel('knees_caving'); // the model must not be used in a side view

  it('judges lean, ankle rise and depth by rule; knee is null', () => {
    const r = judgeRep({ features: repVector({ trunkLean_max: 50, ankleRise_max: 0, maxDepth: 0.6 }), view: 'side' }, model);
    assert.equal(r.method, 'rules');
    assert.equal(r.formClass, 'good');
    assert.deepEqual([r.lumbar, r.knee, r.ankle, r.depthJudgement], ['good', 'null', 'good', 'good']);
    assert.ok(r.reasons.some((x) => x.code === REASON_CODES.NEEDS_FRONT_VIEW));
    assert.equal(r.score, 100);
  });

  it('flags each fault with its reason', () => {
    const r = judgeRep({ features: repVector({ trunkLean_max: 70, ankleRise_max: 0.06, maxDepth: 0.3, kneeAngle_min: 120 }), view: 'side' }, model);
    assert.deepEqual([r.lumbar, r.ankle, r.depthJudgement], ['bad', 'bad', 'bad']);
    assert.deepEqual(
      r.reasons.filter((x) => x.code !== REASON_CODES.NEEDS_FRONT_VIEW).map((x) => x.code),
      [REASON_CODES.TRUNK_LEAN, REASON_CODES.HEEL_LIFT, REASON_CODES.NO_DEPTH],
    );
    assert.equal(r.score, 100 - PENALTY.lumbar - PENALTY.ankle - PENALTY.depth);
  });

  it('does not judge the ankle when the ankle sank below standing as far as the limit (its noise), and does when it did not', () => {
    // the limit is the side one (0.03): a rise past it with a sink as large is measurement noise
    const noisy = judgeRep({ features: repVector({ trunkLean_max: 50, ankleRise_max: 0.04, ankleRise_min: -0.03, maxDepth: 0.6 }), view: 'side' }, model);
    assert.equal(noisy.ankle, 'null');
    assert.equal(noisy.formClass, 'good');
    const why = noisy.reasons.find((x) => x.joint === 'ankle');
    assert.equal(why?.code, REASON_CODES.LOW_CONFIDENCE);
    assert.equal(why?.value, 0.03);
    assert.equal(noisy.score, 100);
    const lifted = judgeRep({ features: repVector({ trunkLean_max: 50, ankleRise_max: 0.04, ankleRise_min: -0.005, maxDepth: 0.6 }), view: 'side' }, model);
    assert.equal(lifted.ankle, 'bad');
    assert.equal(lifted.formClass, 'heels_lifting');
    // the front view's rules are not gated (the fitted model and its floors judge the front)
    const front = judgeRep({ features: repVector({ trunkLean_max: 50, ankleRise_max: 0.04, ankleRise_min: -0.03, maxDepth: 0.6 }), view: 'unknown' }, model);
    assert.equal(front.ankle, 'bad');
  });
});

describe('judgeRep: depth from the side, lean limit in front', () => {
  it('reads a knee bent to parallel as deep enough from the side, whatever the hip drop', () => {
    const deep = judgeRep({ features: repVector({ trunkLean_max: 40, ankleRise_max: 0, maxDepth: 0.2, kneeAngle_min: SIDE_PARALLEL_KNEE_DEG }), view: 'side' }, constantModel('good'));
    const shallow = judgeRep({ features: repVector({ trunkLean_max: 40, ankleRise_max: 0, maxDepth: 0.2, kneeAngle_min: SIDE_PARALLEL_KNEE_DEG + 1 }), view: 'side' }, constantModel('good'));
    assert.deepEqual([deep.depthJudgement, shallow.depthJudgement], ['good', 'bad']);
  });

  it('calls lumbar bad in front when the trunk passed the fitted lean limit, even if the model picked another class', () => {
    const model = constantModel('toes_lifting');
    const limit = model.thresholds.trunkLeanMaxDeg;
    const over = judgeRep({ features: repVector({ trunkLean_max: limit + 1 }), view: 'front' }, model);
    const under = judgeRep({ features: repVector({ trunkLean_max: limit - 1 }), view: 'front' }, model);
    assert.deepEqual([over.lumbar, under.lumbar], ['bad', 'good']);
    assert.equal(over.formClass, 'toes_lifting');
    assert.ok(over.reasons.some((x) => x.joint === 'lumbar' && x.code === REASON_CODES.TRUNK_LEAN));
  });

  it('a confidence floor withholds an unsure model verdict but not one a live rule flagged', () => {
    // calibration: the score itself (lumbar score is p + 1 past the lean limit, so clamp at 1)
    const identity = { x: [0, 1], y: [0, 1] };
    const model: FittedModel = { ...constantModel('toes_lifting'), calibration: { lumbar: identity, knee: identity, ankle: identity }, confidenceFloor: { lumbar: 0.99, ankle: 0.99 } };
    const limit = model.thresholds.trunkLeanMaxDeg;
    const over = judgeRep({ features: repVector({ trunkLean_max: limit + 1 }), view: 'front' }, model);
    assert.equal(over.lumbar, 'bad', 'the lean rule keeps the lumbar bad');
    assert.deepEqual(over.ruleFlagged, ['lumbar']);
    assert.equal(over.confidence?.lumbar, 1);
    // the toes fault: p ~0.97 < 0.99, withheld as LOW_CONFIDENCE
    assert.equal(over.ankle, 'null');
    assert.ok(over.reasons.some((x) => x.joint === 'ankle' && x.code === REASON_CODES.LOW_CONFIDENCE));
    assert.ok(!over.reasons.some((x) => x.joint === 'ankle' && x.code === REASON_CODES.TOE_LIFT));
  });
});

describe('judgeRep: floorWithholdsRules', () => {
  // lumbar score = P(bending forward) + 1 past the lean limit; this curve reads it at about 0.3
  const unsure = { x: [0, 2], y: [0, 0.6] };
  const identity = { x: [0, 1], y: [0, 1] };
  const base = constantModel('toes_lifting');
  const over = repVector({ trunkLean_bottom: 40, trunkLean_max: base.thresholds.trunkLeanMaxDeg + 5, kneeAnkleWidth_min: 1.1, ankleRise_max: 0, maxDepth: 0.6 });

  it('without it, an unsure rule verdict stands (the refused side: the floor may not withhold it)', () => {
    const m: FittedModel = { ...base, calibration: { lumbar: unsure, knee: identity, ankle: identity }, confidenceFloor: { lumbar: 0.85 } };
    const r = judgeRep({ features: over, view: 'front' }, m);
    assert.equal(r.lumbar, 'bad');
    assert.ok((r.confidence?.lumbar ?? 1) < 0.85, `confidence ${r.confidence?.lumbar} is under the floor`);
  });

  it('with lumbar in it, an unsure rule verdict is null with LOW_CONFIDENCE naming the lean, a sure one stays bad', () => {
    const m: FittedModel = { ...base, calibration: { lumbar: unsure, knee: identity, ankle: identity }, confidenceFloor: { lumbar: 0.85 }, floorWithholdsRules: ['lumbar'] };
    const r = judgeRep({ features: over, view: 'front' }, m);
    assert.equal(r.lumbar, 'null');
    assert.deepEqual(r.ruleFlagged, ['lumbar'], 'the rule still flagged it');
    const reason = r.reasons.find((x) => x.joint === 'lumbar');
    assert.equal(reason?.code, REASON_CODES.LOW_CONFIDENCE);
    assert.match(reason?.message ?? '', /trunk leaned up to \d+°.*bad only \d+% of the time/);
    assert.ok(!r.reasons.some((x) => x.joint === 'lumbar' && x.code === REASON_CODES.TRUNK_LEAN), 'the lean reason is replaced, not kept beside the null');
    const sure = judgeRep({ features: over, view: 'front' }, { ...m, calibration: { lumbar: identity, knee: identity, ankle: identity } });
    assert.equal(sure.lumbar, 'bad', 'calibrated 1.0: above the floor');
  });
});

describe('judgeRep: separate floors for good and bad verdicts', () => {
  const identity = { x: [0, 1], y: [0, 1] };
  const measured = repVector({ trunkLean_bottom: 40, trunkLean_max: 45, kneeAnkleWidth_min: 1.1, ankleRise_max: 0, maxDepth: 0.6 });
  // ankle score = P(heels) + P(toes); constantModel gives the winning class ~0.97
  it('a good verdict is held to goodConfidenceFloor, a bad one to confidenceFloor', () => {
    const good: FittedModel = { ...constantModel('good'), calibration: { lumbar: identity, knee: identity, ankle: identity }, confidenceFloor: { ankle: 0.99 }, goodConfidenceFloor: { ankle: 0.9 } };
    const r = judgeRep({ features: measured, view: 'front' }, good);
    assert.equal(r.ankle, 'good', 'good verdict ~0.99 sure passes the 0.9 good floor although the bad floor is 0.99');
    const bad: FittedModel = { ...constantModel('heels_lifting'), calibration: { lumbar: identity, knee: identity, ankle: identity }, confidenceFloor: { ankle: 0.99 }, goodConfidenceFloor: { ankle: 0.5 } };
    const b = judgeRep({ features: measured, view: 'front' }, bad);
    assert.equal(b.ankle, 'null', 'a ~0.97 sure bad verdict is withheld by the 0.99 bad floor');
    assert.ok(b.reasons.some((x) => x.joint === 'ankle' && x.code === REASON_CODES.LOW_CONFIDENCE && x.threshold === 0.99));
  });

  it('without goodConfidenceFloor one floor holds for both verdicts', () => {
    const m: FittedModel = { ...constantModel('good'), calibration: { lumbar: identity, knee: identity, ankle: identity }, confidenceFloor: { ankle: 0.999 } };
    const r = judgeRep({ features: measured, view: 'front' }, m);
    assert.equal(r.ankle, 'null');
  });
});

describe('alignFeatures', () => {
  it('reorders by name and fills unknown names with null', () => {
    const v: RepFeatureVector = { names: ['a', 'b'], values: [1, 2] };
    assert.deepEqual(alignFeatures(v, ['b', 'x', 'a']), [2, null, 1]);
  });
});
