import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FORM_CLASSES } from '@squirret/squat';
import { MODEL_SPEC, crossValidate, jointFloorScores, sessionFolds, type ModelSpec } from './cv';

describe('sessionFolds', () => {
  const recordings = [
    ...Array.from({ length: 6 }, (_, i) => `recording_13042023_10000${i}`),
    ...Array.from({ length: 3 }, (_, i) => `recording_02052023_11000${i}`),
    ...Array.from({ length: 3 }, (_, i) => `recording_05042023_12000${i}`),
    ...Array.from({ length: 2 }, (_, i) => `recording_19042023_13000${i}`),
  ];

  it('keeps every capture session (the date in the name) in one fold', () => {
    const fold = sessionFolds(recordings, 3);
    const foldOf = new Map<string, Set<number>>();
    recordings.forEach((r, i) => {
      const s = r.split('_')[1]!;
      foldOf.set(s, (foldOf.get(s) ?? new Set()).add(fold[i]!));
    });
    for (const [session, folds] of foldOf) assert.equal(folds.size, 1, `${session} is split across folds`);
  });

  it('balances fold sizes, largest session first, and is deterministic', () => {
    const fold = sessionFolds(recordings, 3);
    const sizes = [0, 1, 2].map((f) => fold.filter((x) => x === f).length);
    // 6 | 3 + 2 | 3 (sessions of 6, 3, 3, 2 into 3 folds)
    assert.deepEqual([...sizes].sort((a, b) => a - b), [3, 5, 6]);
    assert.deepEqual(sessionFolds([...recordings].reverse(), 3).reverse(), fold);
  });
});

describe('crossValidate with turned-camera views', () => {
  const spec: ModelSpec = {
    ...MODEL_SPEC,
    mlpSeeds: [],
    gbdtSeeds: [1],
    gbdt: { ...MODEL_SPEC.gbdt, rounds: 10, rowSample: 1, colSample: 1 },
    augment: [],
    knn: null,
    forest: null,
  };
  // two classes told apart by the first feature; 40 recordings over 4 sessions
  const originals = Array.from({ length: 40 }, (_, i) => {
    const y = i % 2;
    return { x: [y === 1 ? 1 + (i % 7) * 0.01 : -1 - (i % 5) * 0.01, 0], y, aug: 0, truth: FORM_CLASSES[y]!, recording: `recording_0${1 + (i % 4)}052023_1000${i}` };
  });
  // each recording's turned view carries the WRONG label: were it ever trained on, the originals would suffer
  const turned = originals.map((s) => ({ ...s, y: 1 - s.y, truth: FORM_CLASSES[1 - s.y]!, turnedDeg: s.y === 1 ? 30 : -30 }));

  for (const mode of ['stratified', 'sessions'] as const) {
    it(`scores turned views per angle and never trains on them (${mode} folds)`, () => {
      const r = crossValidate([...originals, ...turned], spec, mode);
      assert.equal(r.accuracy, 1, 'the originals are all right, so the mislabelled turned views were not learnt');
      assert.deepEqual(Object.keys(r.turned), ['30'], 'both sides of the turn are reported under one angle');
      assert.equal(r.turned['30']!.n, 40);
      assert.equal(r.turned['30']!.accuracy, 0, 'each turned view is scored against its own (wrong) label');
    });
  }

  it('returns each original recording once with its held-out class probabilities', () => {
    const r = crossValidate([...originals, ...turned], spec, 'stratified');
    assert.equal(r.outOfFold.length, originals.length);
    assert.deepEqual(new Set(r.outOfFold.map((o) => o.recording)), new Set(originals.map((o) => o.recording)));
    for (const o of r.outOfFold) {
      assert.equal(o.p.length, FORM_CLASSES.length);
      assert.ok(Math.abs(o.p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.equal(o.p.indexOf(Math.max(...o.p)), o.y, 'separable data: the held-out class wins');
    }
  });
});

describe('jointFloorScores', () => {
  // classes: good, bending_forward, heels_lifting, knees_caving, no_depth, toes_lifting
  const oof = [
    { recording: 'a', y: 2, p: [0.7, 0, 0.15, 0, 0, 0.15] }, // heels, missed by the top class; ankle sum 0.3
    { recording: 'b', y: 0, p: [0.9, 0, 0.05, 0, 0, 0.05] }, // good; ankle sum 0.1
    { recording: 'c', y: 5, p: [0.1, 0, 0.1, 0, 0, 0.8] }, // toes, found
    { recording: 'd', y: 1, p: [0.6, 0.4, 0, 0, 0, 0] }, // bending forward, missed by the top class
  ];
  const byFloor = (rows: ReturnType<typeof jointFloorScores>['ankle'], floor: number | null) => rows.find((r) => r.floor === floor)!;

  it('sums the classes of a joint and flags at the floor', () => {
    const ankle = jointFloorScores(oof).ankle;
    assert.deepEqual([byFloor(ankle, null).precision, byFloor(ankle, null).recall], [1, 0.5]);
    assert.deepEqual([byFloor(ankle, 0.5).recall, byFloor(ankle, 0.3).recall, byFloor(ankle, 0.3).precision], [0.5, 1, 1]);
    assert.ok(Math.abs(byFloor(ankle, null).f1 - 2 / 3) < 1e-12);
  });

  it('adds the extra flags (the live lean rule) at every floor', () => {
    const plain = jointFloorScores(oof).lumbar;
    const withRule = jointFloorScores(oof, (rec, joint) => joint === 'lumbar' && rec === 'd').lumbar;
    assert.equal(byFloor(plain, null).recall, 0);
    assert.equal(byFloor(plain, 0.4).recall, 1);
    assert.equal(byFloor(withRule, null).recall, 1);
  });
});
