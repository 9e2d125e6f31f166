import type { Judgement, SquatStage } from '@squirret/contracts';
import { FORM_CLASSES, REASON_CODES, type FormClass, type JointConfidence, type JudgedJoint, type Reason, type ReasonCode } from './analysis.types';
import type { FrameFeatures, SquatView } from './features';
import { predictProba } from './model/classifier';
import { CONFIDENCE_JOINTS, type Calibration, type FittedModel, type LiveThresholds } from './model/model.types';
import type { RepFeatureVector } from './rep-features';

/**
 * Judges: per frame with threshold rules (cheap, explainable, live), and per rep with the fitted
 * model (front view) or the same kind of rules (side view, where the model does not apply).
 */

/** Score penalty of each bad judgement; a frame or rep starts at 100. */
export const PENALTY: Readonly<Record<JudgedJoint, number>> = { lumbar: 35, knee: 35, ankle: 30, depth: 30 };

/** Knee valgus and heel lift only show under load: below this depth the live rules do not fire. */
export const LIVE_RULE_MIN_DEPTH = 0.15;
/** The shin-foreshortening heel-lift rule is only meaningful near the bottom. */
export const SHIN_RULE_MIN_DEPTH = 0.3;

/** The live verdict on one frame. */
export interface FrameJudgement {
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  readonly score: number | null;
  readonly reasons: Reason[];
}

const fmt = (v: number, digits = 2): string => v.toFixed(digits);

function lowConfidence(joint: JudgedJoint, what: string): Reason {
  return { joint, code: REASON_CODES.LOW_CONFIDENCE, message: `${joint} not judged: ${what} not confidently detected` };
}

function scoreOf(judgements: ReadonlyArray<readonly [JudgedJoint, Judgement]>): number | null {
  if (judgements.every(([, j]) => j === 'null')) return null;
  let s = 100;
  for (const [joint, j] of judgements) if (j === 'bad') s -= PENALTY[joint];
  return Math.max(0, s);
}

/** Live rules on one frame. `stage` gates the rules that only make sense under load. */
export function judgeFrame(f: FrameFeatures, stage: SquatStage, t: LiveThresholds): FrameJudgement {
  const reasons: Reason[] = [];
  const loaded = stage !== 'standing' && f.depth !== null && f.depth >= LIVE_RULE_MIN_DEPTH;

  let lumbar: Judgement = 'null';
  if (f.trunkLean === null) {
    reasons.push(lowConfidence('lumbar', 'shoulders and hips (or the standing reference)'));
  } else {
    const max = f.view === 'side' ? t.sideTrunkLeanMaxDeg : t.trunkLeanMaxDeg;
    lumbar = f.trunkLean > max ? 'bad' : 'good';
    if (lumbar === 'bad') {
      reasons.push({
        joint: 'lumbar',
        code: REASON_CODES.TRUNK_LEAN,
        message: `trunk leans ${fmt(f.trunkLean, 0)}° from vertical (limit ${fmt(max, 0)}°): keep the chest up`,
        value: f.trunkLean,
        threshold: max,
      });
    }
  }

  let knee: Judgement = 'null';
  if (f.view !== 'front') {
    reasons.push({
      joint: 'knee',
      code: REASON_CODES.NEEDS_FRONT_VIEW,
      message: f.view === 'side' ? 'knee valgus is judged only from a front view' : 'knee not judged: view (front or side) not determined yet',
    });
  } else if (f.kneeAnkleWidth === null) {
    reasons.push(lowConfidence('knee', 'knees and ankles'));
  } else {
    knee = loaded && f.kneeAnkleWidth < t.kneeAnkleWidthMin ? 'bad' : 'good';
    if (knee === 'bad') {
      reasons.push({
        joint: 'knee',
        code: REASON_CODES.KNEE_VALGUS,
        message: `knees cave in: knee width is ${fmt(f.kneeAnkleWidth)}× the ankle width (min ${fmt(t.kneeAnkleWidthMin)}): push the knees out over the toes`,
        value: f.kneeAnkleWidth,
        threshold: t.kneeAnkleWidthMin,
      });
    }
  }

  let ankle: Judgement = 'null';
  const heelMax = t.heelRiseMax;
  const toeMax = t.toeRiseMax;
  // the heel and toe limits are fitted on front views; a side view's live ankle follows the same
  // hand-set side rule as its rep verdict (the near ankle's rise), so the two never disagree
  if (f.view !== 'side' && heelMax !== undefined && toeMax !== undefined && f.heelRise !== null && f.toeRise !== null) {
    // with heels and toes (BlazePose model): each is measured directly against its standing position
    // the heels are checked first: they are the commoner fault, and a heel lift also tips the toes
    const rise = (code: ReasonCode, what: 'heels' | 'toes', value: number, max: number): Reason | null =>
      stage !== 'standing' && value > max
        ? { joint: 'ankle', code, message: `${what} rise ${fmt(value * 100, 1)}% of hip height above standing (max ${fmt(max * 100, 1)}%): keep the ${what} down`, value, threshold: max }
        : null;
    const fault = rise(REASON_CODES.HEEL_RISE, 'heels', f.heelRise, heelMax) ?? rise(REASON_CODES.TOE_RISE, 'toes', f.toeRise, toeMax);
    ankle = fault ? 'bad' : 'good';
    if (fault) reasons.push(fault);
  } else if (f.ankleRise === null) {
    reasons.push(lowConfidence('ankle', 'ankles and hips (or the standing reference)'));
  } else {
    ankle = 'good';
    const riseMax = f.view === 'side' ? t.sideAnkleRiseMax : t.ankleRiseMax;
    if (stage !== 'standing' && f.ankleRise > riseMax) {
      ankle = 'bad';
      reasons.push({
        joint: 'ankle',
        code: f.view === 'side' ? REASON_CODES.HEEL_LIFT : REASON_CODES.ANKLE_RISE,
        message: `ankles rise ${fmt(f.ankleRise * 100, 1)}% of hip height above standing (max ${fmt(riseMax * 100, 1)}%): keep the whole foot on the floor`,
        value: f.ankleRise,
        threshold: riseMax,
      });
    } else if (
      f.view === 'front' &&
      f.shinRatio !== null &&
      f.depth !== null &&
      f.depth >= SHIN_RULE_MIN_DEPTH &&
      f.shinRatio < t.shinRatioMin
    ) {
      ankle = 'bad';
      reasons.push({
        joint: 'ankle',
        code: REASON_CODES.HEEL_LIFT,
        message: `knees travel far forward (shin shows ${fmt(f.shinRatio * 100, 0)}% of its standing height, min ${fmt(t.shinRatioMin * 100, 0)}%): heels are likely lifting, sit back`,
        value: f.shinRatio,
        threshold: t.shinRatioMin,
      });
    }
  }

  return {
    lumbar,
    knee,
    ankle,
    score: scoreOf([
      ['lumbar', lumbar],
      ['knee', knee],
      ['ankle', ankle],
    ]),
    reasons,
  };
}

/** What the rep-level judge needs besides the feature vector. */
export interface RepJudgeInput {
  readonly features: RepFeatureVector;
  readonly view: SquatView;
}

/** The verdict on one rep, before the analyzer adds timing and counts. */
export interface RepJudgement {
  readonly lumbar: Judgement;
  readonly knee: Judgement;
  readonly ankle: Judgement;
  readonly depthJudgement: Judgement;
  readonly formClass: FormClass;
  readonly method: 'model' | 'rules';
  readonly probabilities?: Readonly<Record<FormClass, number>>;
  readonly confidence?: JointConfidence;
  /** Joints a live rule flagged over the rep (kept bad below the confidence floor). */
  readonly ruleFlagged?: readonly JudgedJoint[];
  readonly score: number;
  readonly reasons: Reason[];
}

/** Joint and reason of each fault class (the MoveNet path: the ankle fault is inferred, the feet are not seen). */
const FAULT_OF: Readonly<Record<Exclude<FormClass, 'good'>, { joint: JudgedJoint; code: Reason['code']; text: string }>> = {
  bending_forward: { joint: 'lumbar', code: REASON_CODES.TRUNK_LEAN, text: 'the trunk bends forward too far' },
  heels_lifting: { joint: 'ankle', code: REASON_CODES.HEEL_LIFT, text: 'the heels lift off the floor' },
  knees_caving: { joint: 'knee', code: REASON_CODES.KNEE_VALGUS, text: 'the knees cave inwards' },
  no_depth: { joint: 'depth', code: REASON_CODES.NO_DEPTH, text: 'the squat is not deep enough' },
  toes_lifting: { joint: 'ankle', code: REASON_CODES.TOE_LIFT, text: 'the toes lift off the floor' },
};

/** With heels and toes (the BlazePose path) the ankle reasons name what was measured. */
const FEET_FAULT_OF: typeof FAULT_OF = {
  ...FAULT_OF,
  heels_lifting: { joint: 'ankle', code: REASON_CODES.HEEL_RISE, text: 'the heels rise off the floor' },
  toes_lifting: { joint: 'ankle', code: REASON_CODES.TOE_RISE, text: 'the toes rise off the floor' },
};

/** The fault classes of each joint (heels and toes both fault the ankle), read off `FAULT_OF`. */
const faultClassesOf = (joint: JudgedJoint): Array<Exclude<FormClass, 'good'>> =>
  FORM_CLASSES.filter((c): c is Exclude<FormClass, 'good'> => c !== 'good' && FAULT_OF[c].joint === joint);
export const FAULT_CLASSES: Readonly<Record<JudgedJoint, ReadonlyArray<Exclude<FormClass, 'good'>>>> = {
  lumbar: faultClassesOf('lumbar'),
  knee: faultClassesOf('knee'),
  ankle: faultClassesOf('ankle'),
  depth: faultClassesOf('depth'),
};

/** Looks up features by name in a rep vector. */
export function featureGetter(v: RepFeatureVector): (name: string) => number | null {
  const idx = new Map(v.names.map((n, i) => [n, i]));
  return (name) => {
    const i = idx.get(name);
    const x = i === undefined ? null : v.values[i] ?? null;
    return x !== null && Number.isFinite(x) ? x : null;
  };
}

/** Reorders a rep vector to the model's feature order (a missing name becomes null). */
export function alignFeatures(v: RepFeatureVector, names: readonly string[]): Array<number | null> {
  const get = featureGetter(v);
  return names.map((n) => get(n));
}

/**
 * Joints the model finds likely at fault although another class won: per joint, the summed
 * probability of the classes that fault it reaches that joint's floor (`jointProbabilityMin`).
 * The reason names the joint's most probable fault.
 */
function likelyFaults(probs: Readonly<Record<FormClass, number>>, top: FormClass, floors: FittedModel['jointProbabilityMin'], faultOf: typeof FAULT_OF): Reason[] {
  if (!floors) return [];
  const topJoint = top === 'good' ? null : faultOf[top].joint;
  const out: Reason[] = [];
  for (const [joint, floor] of Object.entries(floors) as Array<[JudgedJoint, number]>) {
    if (joint === topJoint) continue;
    let sum = 0;
    let best: Exclude<FormClass, 'good'> | null = null;
    for (const c of FAULT_CLASSES[joint]) {
      sum += probs[c];
      if (best === null || probs[c] > probs[best]) best = c;
    }
    if (best === null || !(sum >= floor)) continue;
    const fault = faultOf[best];
    out.push({ joint, code: fault.code, message: `${fault.text}, likely (model confidence ${fmt(sum * 100, 0)}%, flagged from ${fmt(floor * 100, 0)}%)`, value: sum, threshold: floor });
  }
  return out;
}

/**
 * Rep-level judge. Front view: the fitted classifier picks one of six classes and each joint follows
 * from it; a joint whose measurements were missing all rep is reported "null" instead. Other views:
 * rules on the rep's extremes with the live thresholds.
 */
/** Side view: an interior knee angle at or below this (degrees) means the thigh reached parallel (hand-set). */
export const SIDE_PARALLEL_KNEE_DEG = 90;

export function judgeRep(input: RepJudgeInput, model: FittedModel): RepJudgement {
  const p = input.view === 'front' ? predictProba(model.classifier, alignFeatures(input.features, model.featureNames)) : null;
  return judgeRepWithProbabilities(input, p, model);
}

/**
 * The rep judge given the classifier's output `p` (model.classes order; null outside a front view,
 * where rules judge). Split from `judgeRep` so the lab can replay the judge on out-of-fold
 * probabilities exactly as the analyzer applies it.
 */
export function judgeRepWithProbabilities(input: RepJudgeInput, p: readonly number[] | null, model: FittedModel): RepJudgement {
  const get = featureGetter(input.features);
  const faultOf = model.pose === 'blazepose' ? FEET_FAULT_OF : FAULT_OF;
  const t = model.thresholds;
  const measured: Record<JudgedJoint, boolean> = {
    lumbar: get('trunkLean_bottom') !== null || get('trunkLean_max') !== null,
    knee: input.view === 'front' && get('kneeAnkleWidth_min') !== null,
    ankle: get('ankleRise_max') !== null,
    depth: get('maxDepth') !== null,
  };

  let formClass: FormClass = 'good';
  let probabilities: Record<FormClass, number> | undefined;
  let method: 'model' | 'rules';
  const reasons: Reason[] = [];
  // joints a live rule flagged over the rep: their verdict is a measurement the live frames already
  // showed the user, so the confidence floor does not withhold it (its confidence is still reported)
  const ruleFlagged: JudgedJoint[] = [];
  // joints whose measurement cannot resolve its rule's limit (rules path): null with this reason
  const unresolved: Reason[] = [];

  if (input.view === 'front' && p !== null) {
    method = 'model';
    const probs = Object.fromEntries(FORM_CLASSES.map((c) => [c, 0])) as Record<FormClass, number>;
    model.classes.forEach((c, i) => (probs[c] = p[i] ?? 0));
    probabilities = probs;
    let bestP = -1;
    for (const c of FORM_CLASSES) {
      if (probs[c] > bestP) {
        bestP = probs[c];
        formClass = c;
      }
    }
    if (formClass !== 'good') {
      const fault = faultOf[formClass];
      reasons.push({ joint: fault.joint, code: fault.code, message: `${fault.text} (model confidence ${fmt(bestP * 100, 0)}%)`, value: bestP });
    }
    reasons.push(...likelyFaults(probs, formClass, model.jointProbabilityMin, faultOf));
    // The live frames already called the trunk bad past the train-fitted lean limit; the rep's
    // lumbar verdict agrees with them even when the model settles on another class.
    const lean = get('trunkLean_max');
    if (lean !== null && lean > t.trunkLeanMaxDeg) ruleFlagged.push('lumbar');
    if (formClass !== 'bending_forward' && lean !== null && lean > t.trunkLeanMaxDeg) {
      reasons.push({ joint: 'lumbar', code: REASON_CODES.TRUNK_LEAN, message: `trunk leaned up to ${fmt(lean, 0)}° (limit ${fmt(t.trunkLeanMaxDeg, 0)}°)`, value: lean, threshold: t.trunkLeanMaxDeg });
    }
  } else {
    method = 'rules';
    const lean = get('trunkLean_max');
    const leanMax = input.view === 'side' ? t.sideTrunkLeanMaxDeg : t.trunkLeanMaxDeg;
    const rise = get('ankleRise_max');
    const riseMax = input.view === 'side' ? t.sideAnkleRiseMax : t.ankleRiseMax;
    const depth = get('maxDepth') ?? 0;
    const faults: Array<[FormClass, Reason]> = [];
    // An ankle cannot sink into the floor: how far the measured ankle went below its standing
    // position during the rep is the measurement's own error. From the side only one ankle is seen
    // (a few pixels in a small frame); when that error reaches the limit, a rise past the limit is
    // no evidence, so the ankle is not judged (no fitted model backs this rule).
    const sink = input.view === 'side' ? get('ankleRise_min') : null;
    if (sink !== null && rise !== null && -sink >= riseMax) {
      unresolved.push({
        joint: 'ankle',
        code: REASON_CODES.LOW_CONFIDENCE,
        message: `ankle not judged: the ankle's measured height wanders by ${fmt(-sink * 100, 1)}% of hip height (it sank that far below standing), as much as the ${fmt(riseMax * 100, 1)}% limit`,
        value: -sink,
        threshold: riseMax,
      });
    }
    if (lean !== null && lean > leanMax) {
      faults.push(['bending_forward', { joint: 'lumbar', code: REASON_CODES.TRUNK_LEAN, message: `trunk leaned up to ${fmt(lean, 0)}° (limit ${fmt(leanMax, 0)}°)`, value: lean, threshold: leanMax }]);
    }
    if (rise !== null && rise > riseMax && unresolved.length === 0) {
      faults.push(['heels_lifting', { joint: 'ankle', code: REASON_CODES.HEEL_LIFT, message: `ankles rose ${fmt(rise * 100, 1)}% of hip height (max ${fmt(riseMax * 100, 1)}%)`, value: rise, threshold: riseMax }]);
    }
    // From the side, depth is read off the knee: a knee bent to SIDE_PARALLEL_KNEE_DEG or more means
    // the thigh reached parallel, whatever fraction of its height the hip dropped (limb proportions).
    const kneeMin = get('kneeAngle_min');
    const deepBySide = input.view === 'side' && kneeMin !== null && kneeMin <= SIDE_PARALLEL_KNEE_DEG;
    if (depth < t.depthMin && !deepBySide) {
      faults.push(['no_depth', { joint: 'depth', code: REASON_CODES.NO_DEPTH, message: `hip dropped ${fmt(depth * 100, 0)}% of its height (min ${fmt(t.depthMin * 100, 0)}%)`, value: depth, threshold: t.depthMin }]);
    }
    if (faults.length > 0) formClass = faults[0]![0];
    for (const [, r] of faults) reasons.push(r);
  }

  const verdict = (joint: JudgedJoint, bad: boolean): Judgement => (!measured[joint] ? 'null' : bad ? 'bad' : 'good');
  const badJoints = new Set(reasons.map((r) => r.joint));
  let lumbar = verdict('lumbar', badJoints.has('lumbar'));
  let knee = input.view === 'front' ? verdict('knee', badJoints.has('knee')) : 'null';
  let ankle: Judgement = unresolved.some((r) => r.joint === 'ankle') ? 'null' : verdict('ankle', badJoints.has('ankle'));
  reasons.push(...unresolved);
  // calibrated confidence of each verdict; below the joint's floor the judge says it is not sure
  let confidence: JointConfidence | undefined;
  if (probabilities && model.calibration) {
    const judged: Record<(typeof CONFIDENCE_JOINTS)[number], Judgement> = { lumbar, knee, ankle };
    const conf = {} as Record<(typeof CONFIDENCE_JOINTS)[number], number | null>;
    for (const j of CONFIDENCE_JOINTS) {
      const cal = model.calibration[j];
      const v = judged[j];
      if (!cal || v === 'null') {
        conf[j] = null;
        continue;
      }
      const q = calibrate(cal, confidenceScore(probabilities, j, input.features, model));
      const c = v === 'bad' ? q : 1 - q;
      conf[j] = Math.round(c * 1000) / 1000;
      const floor = v === 'good' ? (model.goodConfidenceFloor?.[j] ?? model.confidenceFloor?.[j]) : model.confidenceFloor?.[j];
      // a rule's bad verdict stands whatever its confidence, unless the model file lets the floor withhold it
      const byRule = v === 'bad' && ruleFlagged.includes(j);
      const ruleStands = byRule && !model.floorWithholdsRules?.includes(j);
      if (floor !== undefined && c < floor && !ruleStands) {
        judged[j] = 'null';
        const rule = byRule ? reasons.find((r) => r.joint === j && r.code === REASON_CODES.TRUNK_LEAN) : undefined;
        for (let i = reasons.length - 1; i >= 0; i--) if (reasons[i]!.joint === j) reasons.splice(i, 1);
        reasons.push({
          joint: j,
          code: REASON_CODES.LOW_CONFIDENCE,
          message: rule
            ? `${j} not judged: ${rule.message}, but reps like this one are bad only ${fmt(c * 100, 0)}% of the time for people not in the training data (needs ${fmt(floor * 100, 0)}%)`
            : `${j} not judged: the model is ${fmt(c * 100, 0)}% sure it is ${v} (needs ${fmt(floor * 100, 0)}%)`,
          value: c,
          threshold: floor,
        });
      }
    }
    ({ lumbar, knee, ankle } = judged);
    confidence = conf;
  }
  const depthJudgement = verdict('depth', badJoints.has('depth'));
  if (input.view !== 'front') {
    reasons.push({ joint: 'knee', code: REASON_CODES.NEEDS_FRONT_VIEW, message: 'knee valgus is judged only from a front view' });
  }
  for (const j of ['lumbar', 'knee', 'ankle'] as const) {
    if (!measured[j] && !(j === 'knee' && input.view !== 'front')) reasons.push(lowConfidence(j, 'the keypoints it needs'));
  }

  let score: number;
  if (probabilities) {
    // a confident fault costs its full penalty, an unlikely one nothing (p 0.2 -> 0, p 0.5 -> full)
    let s = 100;
    for (const c of FORM_CLASSES) {
      if (c === 'good') continue;
      const w = PENALTY[FAULT_OF[c].joint];
      s -= w * Math.min(1, Math.max(0, (probabilities[c] - 0.2) / 0.3));
    }
    score = Math.round(Math.max(0, s));
  } else {
    score =
      scoreOf([
        ['lumbar', lumbar],
        ['knee', knee],
        ['ankle', ankle],
        ['depth', depthJudgement],
      ]) ?? 0;
  }
  return {
    lumbar,
    knee,
    ankle,
    depthJudgement,
    formClass,
    method,
    ...(probabilities ? { probabilities } : {}),
    ...(confidence ? { confidence } : {}),
    ...(ruleFlagged.length > 0 ? { ruleFlagged } : {}),
    score,
    reasons,
  };
}

/**
 * What a joint's calibration reads: the summed fault probability of the joint, plus 1 when a live
 * rule flagged the joint over the rep (the lumbar trunk-lean limit, which makes the rep's lumbar bad
 * whatever the class). So a rule's verdict is calibrated on its own record instead of on a model
 * probability that disagreed with it (the curve spans [0, 2]).
 */
export function confidenceScore(probs: Readonly<Record<FormClass, number>>, joint: JudgedJoint, features: RepFeatureVector, model: FittedModel): number {
  const p = jointFaultProbability(probs, joint);
  if (joint !== 'lumbar') return p;
  const lean = featureGetter(features)('trunkLean_max');
  return lean !== null && lean > model.thresholds.trunkLeanMaxDeg ? p + 1 : p;
}

/** The summed probability of the classes that fault `joint` (heels and toes both fault the ankle). */
export function jointFaultProbability(probs: Readonly<Record<FormClass, number>>, joint: JudgedJoint): number {
  return FAULT_CLASSES[joint].reduce((a, c) => a + probs[c], 0);
}

/** Reads a calibration curve at `p` (linear between points, clamped at the ends). */
export function calibrate(cal: Calibration, p: number): number {
  const { x, y } = cal;
  const n = Math.min(x.length, y.length);
  if (n === 0) return p;
  if (p <= x[0]!) return y[0]!;
  if (p >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= p) lo = mid;
    else hi = mid;
  }
  const span = x[hi]! - x[lo]!;
  return span > 0 ? y[lo]! + ((p - x[lo]!) / span) * (y[hi]! - y[lo]!) : y[hi]!;
}
