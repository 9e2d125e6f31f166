import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { REP_FEATURE_NAMES, REP_POINTS, REP_SERIES, RepRecorder, summarizeRep, type RepFrame } from './rep-features';

/** Builder: a rep frame with a depth and one other series set, everything else null. */
function frame(tMs: number, depth: number, extra: Partial<Record<(typeof REP_SERIES)[number], number>> = {}): RepFrame {
  return { tMs, values: REP_SERIES.map((k) => (k === 'depth' ? depth : extra[k] ?? null)) };
}

function get(v: ReturnType<typeof summarizeRep>, name: string): number | null {
  const i = v.names.indexOf(name);
  assert.ok(i >= 0, `no feature ${name}`);
  return v.values[i] ?? null;
}

/** 0 -> 0.5 -> 0 over 21 frames, 100 ms apart; trunk lean peaks with depth. */
function triangleRep(): RepFrame[] {
  return Array.from({ length: 21 }, (_, i) => {
    const d = i <= 10 ? 0.05 * i : 0.05 * (20 - i);
    return frame(i * 100, d, { trunkLean: 20 + 60 * d, ankleRise: i === 18 ? 0.05 : 0 });
  });
}

describe('REP_FEATURE_NAMES', () => {
  it('has one name per series and point, then the globals, all distinct', () => {
    assert.equal(REP_FEATURE_NAMES.length, REP_SERIES.length * REP_POINTS.length + 4);
    assert.equal(new Set(REP_FEATURE_NAMES).size, REP_FEATURE_NAMES.length);
  });
});

describe('summarizeRep', () => {
  it('finds the bottom, the extremes and the timing', () => {
    const v = summarizeRep([], triangleRep());
    assert.equal(v.values.length, REP_FEATURE_NAMES.length);
    assert.equal(get(v, 'maxDepth'), 0.5);
    assert.equal(get(v, 'depth_max'), 0.5);
    assert.equal(get(v, 'trunkLean_max'), 50);
    assert.equal(get(v, 'ankleRise_max'), 0.05);
    assert.equal(get(v, 'descentSec'), 1);
    assert.equal(get(v, 'ascentSec'), 1);
    assert.equal(get(v, 'ascentToDescent'), 1);
  });

  it('averages the bottom band (within 0.05 of the deepest point)', () => {
    const v = summarizeRep([], triangleRep());
    // frames 9, 10, 11 have depth >= 0.45
    const expected = (20 + 60 * 0.45 + 20 + 60 * 0.5 + 20 + 60 * 0.45) / 3;
    assert.ok(Math.abs(get(v, 'trunkLean_bottom')! - expected) < 1e-9);
  });

  it('uses the pre-rep frames for "pre" and the post window for "post"', () => {
    const pre = [frame(-200, 0, { trunkLean: 10 }), frame(-100, 0, { trunkLean: 12 })];
    const post = [frame(2100, 0, { trunkLean: 30 }), frame(2200, 0, { trunkLean: 34 })];
    const v = summarizeRep(pre, triangleRep(), post);
    assert.equal(get(v, 'trunkLean_pre'), 11);
    assert.equal(get(v, 'trunkLean_post'), 32);
  });

  it('has a null post without a post window, and null for series never measured', () => {
    const v = summarizeRep([], triangleRep());
    assert.equal(get(v, 'trunkLean_post'), null);
    assert.equal(get(v, 'kneeAnkleWidth_bottom'), null);
    assert.equal(get(v, 'kneeAnkleWidth_min'), null);
  });

  it('gives the change from standing at the bottom and at the extremes', () => {
    const pre = [frame(-200, 0, { trunkLean: 10 }), frame(-100, 0, { trunkLean: 12 })];
    const v = summarizeRep(pre, triangleRep());
    const bottom = get(v, 'trunkLean_bottom')!;
    assert.ok(Math.abs(get(v, 'trunkLean_dBottom')! - (bottom - 11)) < 1e-9);
    assert.equal(get(v, 'trunkLean_dMax'), 50 - 11);
    assert.equal(get(v, 'trunkLean_dMin'), 20 - 11);
    assert.equal(get(v, 'kneeAnkleWidth_dBottom'), null);
  });

  it('survives an empty rep', () => {
    const v = summarizeRep([], []);
    assert.equal(v.values.length, REP_FEATURE_NAMES.length);
    assert.equal(get(v, 'maxDepth'), 0);
  });
});

describe('RepRecorder', () => {
  it('collects pre frames while idle, rep frames, then post frames', () => {
    const r = new RepRecorder();
    for (let i = 0; i < 10; i++) r.push(frame(i, 0), false);
    assert.equal(r.phase, 'idle');
    for (const f of triangleRep()) r.push(f, true);
    assert.equal(r.phase, 'rep');
    r.endRep(frame(2100, 0.02));
    assert.equal(r.phase, 'post');
    r.push(frame(2200, 0, { trunkLean: 5 }), false);
    const v = r.finish();
    assert.equal(r.phase, 'idle');
    assert.equal(get(v, 'maxDepth'), 0.5);
    assert.equal(get(v, 'trunkLean_post'), 5);
  });

  it('keeps memory bounded on a very long rep', () => {
    const r = new RepRecorder();
    for (let i = 0; i < 5000; i++) r.push(frame(i * 33, 0.3), true);
    assert.ok(r.snapshot().frames.length <= 600);
  });

  it('discard drops the rep in progress', () => {
    const r = new RepRecorder();
    r.push(frame(0, 0.3), true);
    r.discard();
    assert.equal(r.phase, 'idle');
    assert.equal(r.snapshot().frames.length, 0);
  });

  it('snapshot/restore round-trips through JSON', () => {
    const a = new RepRecorder();
    for (const f of triangleRep().slice(0, 12)) a.push(f, true);
    const b = new RepRecorder();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<RepRecorder['snapshot']>);
    for (const f of triangleRep().slice(12)) {
      a.push(f, true);
      b.push(f, true);
    }
    a.endRep(frame(2100, 0));
    b.endRep(frame(2100, 0));
    assert.deepEqual(b.finish(), a.finish());
  });
});
