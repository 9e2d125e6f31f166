import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { SquatStage } from '@squirret/contracts';
import { seededRandom } from './random';
import { DEFAULT_STAGE_OPTIONS, StageMachine, type StageUpdate } from './stage';

/** Builder: a smooth rep profile of depth values, `fps` samples per second. */
function repDepths(opts: { max?: number; downSec?: number; holdSec?: number; upSec?: number; standSec?: number; fps?: number } = {}): number[] {
  const fps = opts.fps ?? 30;
  const max = opts.max ?? 0.55;
  const out: number[] = [];
  const push = (sec: number, f: (u: number) => number): void => {
    const n = Math.max(1, Math.round(sec * fps));
    for (let i = 0; i < n; i++) out.push(f(i / n));
  };
  push(opts.standSec ?? 0.5, () => 0);
  push(opts.downSec ?? 1, (u) => max * (0.5 - 0.5 * Math.cos(Math.PI * u)));
  push(opts.holdSec ?? 0.3, () => max);
  push(opts.upSec ?? 1, (u) => max * (0.5 + 0.5 * Math.cos(Math.PI * u)));
  push(opts.standSec ?? 0.5, () => 0);
  return out;
}

function run(depths: ReadonlyArray<number | null>, fps = 30, m = new StageMachine()): { updates: StageUpdate[]; stages: SquatStage[]; m: StageMachine } {
  const updates = depths.map((d, i) => m.push(d, Math.round((i * 1000) / fps)));
  return { updates, stages: updates.map((u) => u.stage), m };
}

function distinctRuns<T>(xs: readonly T[]): T[] {
  return xs.filter((x, i) => i === 0 || xs[i - 1] !== x);
}

describe('StageMachine', () => {
  it('starts standing with zero reps', () => {
    const m = new StageMachine();
    assert.equal(m.stage, 'standing');
    assert.equal(m.reps, 0);
    assert.equal(m.current, null);
  });

  it('goes standing -> descent -> bottom -> ascent -> standing and counts one rep', () => {
    const { updates, stages, m } = run(repDepths());
    assert.deepEqual(distinctRuns(stages), ['standing', 'descent', 'bottom', 'ascent', 'standing']);
    assert.equal(m.reps, 1);
    const done = updates.filter((u) => u.completed);
    assert.equal(done.length, 1);
    const t = done[0]!.completed!;
    assert.ok(t.maxDepth > 0.54 && t.maxDepth <= 0.55);
    assert.ok(t.startMs < t.bottomMs && t.bottomMs < t.endMs);
  });

  it('reports the rep count on the frame it is counted and after', () => {
    const { updates } = run(repDepths());
    const i = updates.findIndex((u) => u.completed);
    assert.equal(updates[i - 1]!.reps, 0);
    assert.equal(updates[i]!.reps, 1);
    assert.equal(updates[updates.length - 1]!.reps, 1);
  });

  it('counts three reps in a row', () => {
    const depths = [...repDepths(), ...repDepths(), ...repDepths()];
    assert.equal(run(depths).m.reps, 3);
  });

  it('stays standing while depth wobbles below the descent threshold', () => {
    const depths = Array.from({ length: 200 }, (_, i) => 0.05 + 0.04 * Math.sin(i));
    const { stages, m } = run(depths);
    assert.ok(stages.every((s) => s === 'standing'));
    assert.equal(m.reps, 0);
  });

  it('does not count jitter around the descent threshold as reps', () => {
    // oscillates across descentEnter and standingEnter many times but never gets deep
    // 5 Hz: the depth never settles, so it stays one shallow movement that is never counted
    const fast = run(Array.from({ length: 300 }, (_, i) => (i % 6 < 3 ? 0.12 : 0.03)));
    assert.equal(fast.m.reps, 0);
    assert.ok(!fast.stages.includes('bottom'));
    // 1.25 Hz: each dip is abandoned once the depth has settled back
    const slow = run(Array.from({ length: 300 }, (_, i) => (i % 24 < 12 ? 0.12 : 0.03)));
    assert.equal(slow.m.reps, 0);
    assert.ok(slow.updates.filter((u) => u.abandoned).length >= 10, 'shallow dips are abandoned');
  });

  it('ends a shallow dip only once the rise has slowed (a deep enough rep ends at once)', () => {
    const m = new StageMachine();
    [0, 0.05, 0.12, 0.15, 0.1].forEach((d, i) => m.push(d, i * 100));
    // rising fast through the standing threshold: still the same movement
    assert.equal(m.push(0.02, 500).stage, 'ascent');
    assert.equal(m.push(-0.05, 600).stage, 'ascent');
    // settled: abandoned, not counted
    const u = [m.push(-0.05, 700), m.push(-0.05, 800), m.push(-0.05, 900)].find((x) => x.abandoned);
    assert.ok(u);
    assert.equal(m.reps, 0);
    assert.equal(m.stage, 'standing');
  });

  it('counts exactly one rep when the depth signal is noisy (no double count at the bottom or the top)', () => {
    const rnd = seededRandom(9);
    for (let trial = 0; trial < 20; trial++) {
      const noisy = repDepths({ holdSec: 1 }).map((d) => d + (rnd() * 2 - 1) * 0.02);
      assert.equal(run(noisy).m.reps, 1, `trial ${trial}`);
    }
  });

  it('counts one rep for a bounce at the bottom (down, part way up, down again, up)', () => {
    const depths = [
      ...Array<number>(10).fill(0),
      ...Array.from({ length: 20 }, (_, i) => (0.5 * i) / 19),
      ...Array.from({ length: 10 }, (_, i) => 0.5 - (0.2 * i) / 9),
      ...Array.from({ length: 10 }, (_, i) => 0.3 + (0.25 * i) / 9),
      ...Array.from({ length: 20 }, (_, i) => 0.55 - (0.55 * i) / 19),
      ...Array<number>(10).fill(0),
    ];
    const { stages, m } = run(depths);
    assert.equal(m.reps, 1);
    assert.ok(distinctRuns(stages).filter((s) => s === 'ascent').length >= 2, 'went up twice');
  });

  it('does not count a rep shallower than minRepDepth', () => {
    const { updates, m } = run(repDepths({ max: DEFAULT_STAGE_OPTIONS.minRepDepth - 0.03 }));
    assert.equal(m.reps, 0);
    assert.ok(updates.some((u) => u.abandoned));
  });

  it('never reaches bottom on a shallow dip', () => {
    const { stages } = run(repDepths({ max: 0.15 }));
    assert.ok(!stages.includes('bottom'));
  });

  it('does not count a rep faster than minRepMs', () => {
    const m = new StageMachine({ ...DEFAULT_STAGE_OPTIONS, minRepMs: 5000 });
    assert.equal(run(repDepths(), 30, m).m.reps, 0);
  });

  it('counts the same rep at 10 fps and at 30 fps', () => {
    assert.equal(run(repDepths({ fps: 10 }), 10).m.reps, 1);
    assert.equal(run(repDepths({ fps: 30 }), 30).m.reps, 1);
  });

  it('holds the stage through short gaps of missing depth', () => {
    const depths: Array<number | null> = repDepths();
    for (let i = 30; i < 36; i++) depths[i] = null;
    assert.equal(run(depths).m.reps, 1);
  });

  it('abandons the rep when the depth is missing longer than lostMs', () => {
    const m = new StageMachine();
    m.push(0, 0);
    m.push(0.3, 100);
    m.push(0.5, 200);
    assert.equal(m.stage, 'descent');
    assert.equal(m.push(null, 1000).stage, 'descent');
    const u = m.push(null, 200 + DEFAULT_STAGE_OPTIONS.lostMs + 1);
    assert.equal(u.stage, 'standing');
    assert.equal(u.abandoned, true);
    assert.equal(m.reps, 0);
  });

  it('flush counts a rep that is on its way up when the stream ends', () => {
    const depths = repDepths();
    const cut = depths.slice(0, depths.length - 25); // stop during the ascent
    const { m } = run(cut);
    assert.equal(m.stage, 'ascent');
    const t = m.flush(99_999);
    assert.ok(t);
    assert.equal(m.reps, 1);
    assert.equal(m.stage, 'standing');
  });

  it('flush does nothing while standing or still descending', () => {
    const m = new StageMachine();
    assert.equal(m.flush(0), null);
    m.push(0, 0);
    m.push(0.2, 100);
    assert.equal(m.stage, 'descent');
    assert.equal(m.flush(200), null);
    assert.equal(m.reps, 0);
  });

  it('rebase re-measures the rep in progress against a taller reference, so a rep begun from a crouch counts', () => {
    // the reference was a slight crouch: against it the dip reaches only 0.19 (< minRepDepth)
    const dip = [0, 0, 0.05, 0.12, 0.19, 0.15, 0.1];
    const up = [0.05, 0.02, 0, 0];
    const plain = new StageMachine();
    [...dip, ...up].forEach((d, i) => plain.push(d, i * 200));
    assert.equal(plain.reps, 0, 'without the rebase the dip is too shallow');

    const m = new StageMachine();
    dip.forEach((d, i) => m.push(d, i * 200));
    assert.equal(m.stage, 'ascent');
    m.rebase(0.9); // standing is 1/0.9 taller than the reference was: 0.19 -> 1 - 0.81 * 0.9 = 0.271
    assert.ok(Math.abs(m.current!.maxDepth - 0.271) < 1e-9, `maxDepth ${m.current!.maxDepth}`);
    up.forEach((d, i) => m.push(d, (dip.length + i) * 200));
    assert.equal(m.reps, 1);
  });

  it('rebase while standing never starts or counts a rep (standing up from a crouch the stream began in)', () => {
    const m = new StageMachine();
    [0, 0, 0].forEach((d, i) => m.push(d, i * 100));
    m.rebase(0.5);
    assert.equal(m.stage, 'standing');
    [0, 0, 0].forEach((d, i) => m.push(d, (3 + i) * 100));
    assert.equal(m.reps, 0);
    assert.equal(m.current, null);
  });

  it('rebase ignores a scale outside (0, 1]', () => {
    const m = new StageMachine();
    m.push(0, 0);
    m.push(0.3, 100);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) m.rebase(bad);
    assert.equal(m.current!.maxDepth, 0.3);
  });

  it('exposes the rep in progress', () => {
    const m = new StageMachine();
    m.push(0, 0);
    m.push(0.3, 100);
    m.push(0.4, 200);
    assert.deepEqual(m.current, { startMs: 100, maxDepth: 0.4, bottomMs: 200 });
  });

  it('snapshot/restore continues exactly where it left off', () => {
    const depths = repDepths();
    const half = Math.floor(depths.length / 2);
    const a = new StageMachine();
    depths.slice(0, half).forEach((d, i) => a.push(d, i * 33));
    const b = new StageMachine();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<StageMachine['snapshot']>);
    depths.slice(half).forEach((d, i) => assert.deepEqual(b.push(d, (half + i) * 33), a.push(d, (half + i) * 33)));
    assert.equal(b.reps, 1);
  });

  it('abandon drops the rep in progress, keeps the count, and the next rep counts from standing', () => {
    const depths = repDepths();
    const m = new StageMachine();
    run(depths, 30, m);
    assert.equal(m.reps, 1);
    // half way down the second rep
    const down = depths.slice(0, Math.floor(depths.length / 2));
    down.forEach((d, i) => m.push(d, 10_000 + i * 33));
    assert.notEqual(m.stage, 'standing');
    m.abandon();
    assert.equal(m.stage, 'standing');
    assert.equal(m.current, null);
    assert.equal(m.reps, 1);
    // a full rep after it counts as the second
    const after = depths.map((d, i) => m.push(d, 20_000 + i * 33));
    assert.equal(after.filter((u) => u.completed).length, 1);
    assert.equal(m.reps, 2);
  });

  it('reset clears the count', () => {
    const { m } = run(repDepths());
    m.reset();
    assert.equal(m.reps, 0);
    assert.equal(m.stage, 'standing');
  });
});
