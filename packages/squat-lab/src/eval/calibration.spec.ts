import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { calibrate } from '@squirret/squat';
import { chooseFloor, chooseFloorPair, fitIsotonic, scoreFloor, type HeldOutVerdict } from './calibration';

describe('fitIsotonic', () => {
  it('is non-decreasing and pools the violators', () => {
    const scores = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const outcomes = [false, true, false, false, true, false, true, true];
    const cal = fitIsotonic(scores, outcomes, 0);
    for (let i = 1; i < cal.y.length; i++) assert.ok(cal.y[i]! >= cal.y[i - 1]!, JSON.stringify(cal));
    // 0.1 alone (0 of 1), then 0.2..0.4 pooled (1 of 3), 0.5..0.6 (1 of 2), 0.7..0.8 (2 of 2)
    assert.deepEqual(cal.y, [0, 0.333333, 0.5, 1]);
    assert.deepEqual(cal.x, [0.1, 0.3, 0.55, 0.75]);
  });

  it('a prior keeps small blocks off 0 and 1', () => {
    const cal = fitIsotonic([0.1, 0.9], [false, true], 1);
    assert.ok(cal.y[0]! > 0 && cal.y[cal.y.length - 1]! < 1);
  });

  it('the runtime reads the curve piecewise-linearly, clamped at the ends', () => {
    const cal = { x: [0.2, 0.6], y: [0.1, 0.5] };
    assert.equal(calibrate(cal, 0), 0.1);
    assert.equal(calibrate(cal, 1), 0.5);
    assert.ok(Math.abs(calibrate(cal, 0.4) - 0.3) < 1e-12);
  });
});

describe('confidence floors', () => {
  // 10 verdicts: the confident ones right, the unsure ones half wrong
  const v = (bad: boolean, confidence: number, truthBad: boolean): HeldOutVerdict => ({ bad, confidence, truthBad });
  const verdicts = [
    v(true, 0.95, true),
    v(true, 0.9, true),
    v(true, 0.85, true),
    v(false, 0.95, false),
    v(false, 0.9, false),
    v(false, 0.8, false),
    v(false, 0.75, false),
    v(true, 0.55, false),
    v(true, 0.52, false),
    v(false, 0.6, true),
  ];

  it('scores coverage, precision and recall of what is still judged', () => {
    const all = scoreFloor(verdicts, 0);
    assert.equal(all.coverage, 1);
    assert.equal(all.precision, 3 / 5);
    assert.equal(all.recall, 3 / 4);
    const high = scoreFloor(verdicts, 0.7);
    assert.equal(high.coverage, 0.7);
    assert.equal(high.precision, 1);
    assert.equal(high.accuracy, 1);
  });

  it('takes the lowest floor reaching the target precision at >= 70% coverage', () => {
    const { chosen } = chooseFloor(verdicts, [0, 0.5, 0.6, 0.7, 0.8]);
    assert.equal(chosen.floor, 0.6);
    assert.equal(chosen.precision, 1);
  });

  it('when no floor reaches the target, the most precise one that keeps 70% coverage', () => {
    const noisy = verdicts.map((x, i) => (i === 0 ? { ...x, truthBad: false } : x));
    const { chosen } = chooseFloor(noisy, [0, 0.5, 0.6, 0.7, 0.8]);
    assert.ok(chosen.coverage >= 0.7);
    assert.ok(chosen.precision < 0.9);
    assert.equal(chosen.floor, 0.6);
  });
});

describe('separate floors for bad and good verdicts', () => {
  const v = (bad: boolean, confidence: number, truthBad: boolean): HeldOutVerdict => ({ bad, confidence, truthBad });
  // sure bad verdicts are right, unsure ones half wrong; the good verdicts are all right but only 55-65% sure
  const verdicts = [
    ...[0.95, 0.95, 0.95, 0.95, 0.9, 0.9].map((c) => v(true, c, true)),
    v(true, 0.6, true),
    v(true, 0.6, false),
    v(true, 0.6, true),
    v(true, 0.6, false),
    ...[0.55, 0.55, 0.6, 0.6, 0.6, 0.6, 0.65, 0.65, 0.65, 0.65].map((c) => v(false, c, false)),
  ];
  const grid = [0, 0.5, 0.7, 0.8];

  it('a good floor of its own keeps the good verdicts a single floor would withhold', () => {
    // one floor: precision 0.9 needs 0.7, which keeps only the 6 sure bad verdicts (30%)
    assert.equal(scoreFloor(verdicts, 0.7).coverage, 0.3);
    const { chosen } = chooseFloorPair(verdicts, grid);
    assert.equal(chosen.floor, 0.7);
    assert.equal(chosen.goodFloor, 0);
    assert.equal(chosen.coverage, 0.8);
    assert.equal(chosen.precision, 1);
  });

  it('never takes a good floor above the bad one, and falls back to one floor as chooseFloor picks it', () => {
    const { all } = chooseFloorPair(verdicts, grid);
    assert.ok(all.every((s) => (s.goodFloor ?? s.floor) <= s.floor));
    const noisy = verdicts.map((x) => (x.bad && x.confidence === 0.9 ? { ...x, truthBad: false } : x));
    const { chosen } = chooseFloorPair(noisy, grid);
    assert.ok(chosen.precision < 0.9);
    assert.deepEqual(chosen, chooseFloor(noisy, grid).chosen);
    assert.equal(chosen.goodFloor, undefined);
  });
});
