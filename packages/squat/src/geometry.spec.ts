import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { angleAt, angleFromVertical, clamp, distance, leanFromForeshortening, midpoint, safeRatio, toIsotropic } from './geometry';

const near = (actual: number | null, expected: number, eps = 1e-9): void => {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected} ± ${eps}, got ${actual}`);
};

describe('toIsotropic', () => {
  it('scales x by the aspect ratio and keeps y', () => {
    assert.deepEqual(toIsotropic(0.5, 0.25, 16 / 9), { x: 0.5 * (16 / 9), y: 0.25 });
  });
  it('is the identity on a square frame', () => {
    assert.deepEqual(toIsotropic(0.3, 0.7, 1), { x: 0.3, y: 0.7 });
  });
});

describe('distance and midpoint', () => {
  it('distance is Euclidean and symmetric', () => {
    near(distance({ x: 0, y: 0 }, { x: 3, y: 4 }), 5);
    near(distance({ x: 3, y: 4 }, { x: 0, y: 0 }), 5);
  });
  it('midpoint halves both coordinates', () => {
    assert.deepEqual(midpoint({ x: 0, y: 2 }, { x: 4, y: 6 }), { x: 2, y: 4 });
  });
});

describe('angleAt', () => {
  it('is 180 for a straight limb', () => {
    near(angleAt({ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 0, y: 2 }), 180);
  });
  it('is 90 for a right angle', () => {
    near(angleAt({ x: 0, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 }), 90);
  });
  it('is 45 for half a right angle', () => {
    near(angleAt({ x: 1, y: 0 }, { x: 0, y: 0 }, { x: 1, y: 1 }), 45, 1e-9);
  });
  it('does not depend on the order of the end points', () => {
    const a = { x: 0.2, y: 0.1 };
    const b = { x: 0.5, y: 0.5 };
    const c = { x: 0.9, y: 0.4 };
    near(angleAt(a, b, c), angleAt(c, b, a)!);
  });
  it('is scale invariant', () => {
    const k = 7.5;
    const a = { x: 0.2, y: 0.1 };
    const b = { x: 0.5, y: 0.5 };
    const c = { x: 0.9, y: 0.4 };
    near(angleAt({ x: a.x * k, y: a.y * k }, { x: b.x * k, y: b.y * k }, { x: c.x * k, y: c.y * k }), angleAt(a, b, c)!, 1e-9);
  });
  it('is 0 when both segments point the same way', () => {
    near(angleAt({ x: 1, y: 0 }, { x: 0, y: 0 }, { x: 2, y: 0 }), 0, 1e-6);
  });
  it('returns null for a degenerate segment', () => {
    assert.equal(angleAt({ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 2, y: 2 }), null);
    assert.equal(angleAt({ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 1, y: 1 }), null);
  });
  it('gives a typical squat knee angle for a bent leg', () => {
    // hip behind and above the knee, ankle below it
    const hip = { x: 0.4, y: 0.6 };
    const knee = { x: 0.55, y: 0.62 };
    const ankle = { x: 0.5, y: 0.85 };
    const k = angleAt(hip, knee, ankle)!;
    assert.ok(k > 60 && k < 100, `knee angle ${k}`);
  });
});

describe('angleFromVertical', () => {
  it('is 0 when the end is straight above (image y grows down)', () => {
    near(angleFromVertical({ x: 0, y: 1 }, { x: 0, y: 0 }), 0);
  });
  it('is 90 for a horizontal segment either way', () => {
    near(angleFromVertical({ x: 0, y: 0 }, { x: 1, y: 0 }), 90);
    near(angleFromVertical({ x: 0, y: 0 }, { x: -1, y: 0 }), 90);
  });
  it('is 45 for a diagonal leaning forward', () => {
    near(angleFromVertical({ x: 0, y: 1 }, { x: 1, y: 0 }), 45, 1e-9);
  });
  it('is 180 when the end is straight below', () => {
    near(angleFromVertical({ x: 0, y: 0 }, { x: 0, y: 1 }), 180);
  });
  it('returns null for a zero-length segment', () => {
    assert.equal(angleFromVertical({ x: 0.3, y: 0.3 }, { x: 0.3, y: 0.3 }), null);
  });
});

describe('leanFromForeshortening', () => {
  it('is 0 at full length and 60 at half length', () => {
    near(leanFromForeshortening(1, 1), 0);
    near(leanFromForeshortening(0.5, 1), 60, 1e-9);
  });
  it('clamps a segment longer than the reference to 0', () => {
    near(leanFromForeshortening(1.2, 1), 0);
  });
  it('clamps a negative extent to 90', () => {
    near(leanFromForeshortening(-0.1, 1), 90);
  });
  it('returns null without a usable reference', () => {
    assert.equal(leanFromForeshortening(0.5, 0), null);
    assert.equal(leanFromForeshortening(Number.NaN, 1), null);
  });
});

describe('clamp and safeRatio', () => {
  it('clamp bounds a value', () => {
    assert.equal(clamp(5, 0, 1), 1);
    assert.equal(clamp(-5, 0, 1), 0);
    assert.equal(clamp(0.5, 0, 1), 0.5);
  });
  it('safeRatio divides and refuses zero or non-finite inputs', () => {
    assert.equal(safeRatio(1, 4), 0.25);
    assert.equal(safeRatio(1, 0), null);
    assert.equal(safeRatio(Number.POSITIVE_INFINITY, 1), null);
    assert.equal(safeRatio(1, Number.NaN), null);
  });
});
