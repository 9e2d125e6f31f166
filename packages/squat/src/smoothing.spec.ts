import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { seededRandom } from './random';
import { DEFAULT_SMOOTHER_OPTIONS, KeypointSmoother, OneEuroFilter, emaStep } from './smoothing';

const PARAMS = DEFAULT_SMOOTHER_OPTIONS.filter;

function std(values: readonly number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}

describe('OneEuroFilter', () => {
  it('passes the first sample through', () => {
    const f = new OneEuroFilter(PARAMS);
    assert.equal(f.filter(0.42, 0), 0.42);
  });

  it('keeps a constant signal constant', () => {
    const f = new OneEuroFilter(PARAMS);
    for (let i = 0; i < 50; i++) assert.equal(f.filter(0.5, i * 33), 0.5);
  });

  it('more than halves the jitter of a still point', () => {
    const f = new OneEuroFilter(PARAMS);
    const rnd = seededRandom(3);
    const raw: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < 300; i++) {
      const v = 0.5 + (rnd() * 2 - 1) * 0.01;
      raw.push(v);
      out.push(f.filter(v, i * 33));
    }
    assert.ok(std(out.slice(30)) < std(raw.slice(30)) / 2.5, `raw ${std(raw)} filtered ${std(out)}`);
  });

  it('follows a fast movement with little lag', () => {
    const f = new OneEuroFilter(PARAMS);
    let last = 0;
    // 0.5 frame heights per second at 30 fps, for one second
    for (let i = 0; i <= 30; i++) last = f.filter(0.3 + (0.5 * i) / 30, i * 33.3);
    assert.ok(Math.abs(last - 0.8) < 0.05, `lagging: ${last}`);
  });

  it('converges to a step', () => {
    const f = new OneEuroFilter(PARAMS);
    f.filter(0, 0);
    let v = 0;
    for (let i = 1; i < 60; i++) v = f.filter(1, i * 33);
    assert.ok(v > 0.99, `got ${v}`);
  });

  it('tolerates repeated and decreasing timestamps', () => {
    const f = new OneEuroFilter(PARAMS);
    f.filter(0, 100);
    const a = f.filter(1, 100);
    const b = f.filter(1, 50);
    assert.ok(Number.isFinite(a) && Number.isFinite(b));
    assert.ok(a > 0 && a < 1);
  });

  it('behaves the same at 10 and 30 fps for the same motion (time-based)', () => {
    const run = (fps: number): number => {
      const f = new OneEuroFilter(PARAMS);
      let v = 0;
      for (let i = 0; i <= fps; i++) v = f.filter(i / fps, (i * 1000) / fps);
      return v;
    };
    assert.ok(Math.abs(run(10) - run(30)) < 0.05);
  });

  it('snapshot/restore resumes identically', () => {
    const a = new OneEuroFilter(PARAMS);
    for (let i = 0; i < 10; i++) a.filter(Math.sin(i), i * 33);
    const b = new OneEuroFilter(PARAMS);
    b.restore(a.snapshot());
    for (let i = 10; i < 20; i++) assert.equal(b.filter(Math.sin(i), i * 33), a.filter(Math.sin(i), i * 33));
  });

  it('reset forgets the state', () => {
    const f = new OneEuroFilter(PARAMS);
    f.filter(0, 0);
    f.reset();
    assert.equal(f.current, null);
    assert.equal(f.filter(0.9, 10), 0.9);
  });
});

describe('KeypointSmoother', () => {
  const opts = { ...DEFAULT_SMOOTHER_OPTIONS, holdMs: 200, minScore: 0.3 };

  it('reports confident points as present', () => {
    const s = new KeypointSmoother(2, opts);
    const out = s.push([{ x: 0.1, y: 0.2, score: 0.9 }, { x: 0.3, y: 0.4, score: 0.8 }], 0);
    assert.deepEqual(out, [
      { x: 0.1, y: 0.2, score: 0.9, present: true },
      { x: 0.3, y: 0.4, score: 0.8, present: true },
    ]);
  });

  it('treats a low-score point that was never seen as absent', () => {
    const s = new KeypointSmoother(1, opts);
    assert.equal(s.push([{ x: 0.1, y: 0.2, score: 0.1 }], 0)[0]!.present, false);
  });

  it('treats an undefined or NaN point as absent', () => {
    const s = new KeypointSmoother(2, opts);
    const out = s.push([undefined, { x: Number.NaN, y: 0.2, score: 0.9 }], 0);
    assert.equal(out[0]!.present, false);
    assert.equal(out[1]!.present, false);
  });

  it('holds a briefly lost point at its last position', () => {
    const s = new KeypointSmoother(1, opts);
    s.push([{ x: 0.5, y: 0.5, score: 0.9 }], 0);
    const held = s.push([{ x: 0.9, y: 0.9, score: 0.1 }], 100)[0]!;
    assert.equal(held.present, true);
    assert.equal(held.x, 0.5);
    assert.equal(held.y, 0.5);
  });

  it('drops a point lost for longer than holdMs', () => {
    const s = new KeypointSmoother(1, opts);
    s.push([{ x: 0.5, y: 0.5, score: 0.9 }], 0);
    assert.equal(s.push([{ x: 0.5, y: 0.5, score: 0.1 }], 300)[0]!.present, false);
  });

  it('restarts the filter when a point comes back after a long gap (no drag from the old position)', () => {
    const s = new KeypointSmoother(1, opts);
    s.push([{ x: 0.1, y: 0.1, score: 0.9 }], 0);
    const back = s.push([{ x: 0.8, y: 0.8, score: 0.9 }], 1000)[0]!;
    assert.equal(back.x, 0.8);
    assert.equal(back.y, 0.8);
  });

  it('snapshot/restore round-trips through JSON', () => {
    const a = new KeypointSmoother(2, opts);
    a.push([{ x: 0.1, y: 0.2, score: 0.9 }, { x: 0.3, y: 0.4, score: 0.9 }], 0);
    a.push([{ x: 0.12, y: 0.22, score: 0.9 }, { x: 0.3, y: 0.4, score: 0.1 }], 33);
    const b = new KeypointSmoother(2, opts);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<KeypointSmoother['snapshot']>);
    const next = [{ x: 0.15, y: 0.25, score: 0.9 }, { x: 0.31, y: 0.41, score: 0.9 }];
    assert.deepEqual(b.push(next, 66), a.push(next, 66));
  });

  it('refuses a snapshot of another size', () => {
    const a = new KeypointSmoother(2, opts);
    const b = new KeypointSmoother(3, opts);
    assert.throws(() => b.restore(a.snapshot()), /expected 3/);
  });
});

describe('emaStep', () => {
  it('moves 63% of the way after one time constant', () => {
    const v = emaStep(0, 1, 1000, 1000);
    assert.ok(Math.abs(v - (1 - Math.exp(-1))) < 1e-12);
  });
  it('does not move for a non-positive interval', () => {
    assert.equal(emaStep(0.3, 1, 0, 1000), 0.3);
    assert.equal(emaStep(0.3, 1, -5, 1000), 0.3);
  });
});
