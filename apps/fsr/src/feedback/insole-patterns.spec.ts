import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FsrStage } from '@squirret/contracts';
import { INSOLE_PATTERNS, PATTERN_EXPECTATIONS, insoleFrame, squatPhase, type InsolePattern } from '@squirret/insole-sim';
import { ratiosOf, type FootSample } from '../samples/foot-sample';
import { judge } from './rules';
import { resolveStage } from './stage';
import { inWindow, windowMetrics } from './window-math';

const WINDOW_MS = 10_000;

/** What the simulator would have posted for one device: both feet every tick for `seconds`. */
function simulate(pattern: InsolePattern, seconds: number, hz: number, offsetMs: number, seed: number): FootSample[] {
  const out: FootSample[] = [];
  for (let i = 0; i < seconds * hz; i++) {
    const at = Math.round((i * 1000) / hz);
    const f = insoleFrame(pattern, at + offsetMs, { seed: seed * 10_000 + i });
    out.push({ side: 'left', ratios: ratiosOf(f.left), at }, { side: 'right', ratios: ratiosOf(f.right), at });
  }
  return out;
}

/** The service's verdicts (stage by the pressure trend, as without an AI status) polled every 250 ms after the first window. */
function verdicts(samples: readonly FootSample[], fromMs: number, toMs: number) {
  const out: { at: number; stage: FsrStage; findings: readonly string[] }[] = [];
  for (let t = fromMs; t <= toMs; t += 250) {
    const window = inWindow(samples, t - WINDOW_MS, t);
    const stage = resolveStage(undefined, window, t, WINDOW_MS);
    const metrics = windowMetrics(window);
    assert.ok(metrics, `metrics at ${t}`);
    out.push({ at: t, stage, findings: judge(stage, metrics).findings });
  }
  return out;
}

describe('insole simulator patterns, judged by the FSR rules (the service\'s own pure functions)', () => {
  it('every frame is two feet of six ratios in [0, 100] adding up to 100 (± rounding)', () => {
    for (const pattern of INSOLE_PATTERNS) {
      for (let t = 0; t < 12_000; t += 37) {
        const f = insoleFrame(pattern, t, { seed: t });
        for (const foot of [f.left, f.right]) {
          const r = ratiosOf(foot);
          assert.ok(r.every((v) => v >= 0 && v <= 100), `${pattern} ${t}`);
          assert.ok(Math.abs(r.reduce((a, b) => a + b, 0) - 100) <= 0.5, `${pattern} ${t} sums to 100`);
        }
        assert.deepEqual(insoleFrame(pattern, t, { seed: t }), f, 'deterministic');
      }
    }
  });

  for (const pattern of INSOLE_PATTERNS) {
    const expected = PATTERN_EXPECTATIONS[pattern];
    it(`${pattern}: the trend finds DESCENT and ASCENT, and each is judged ${JSON.stringify([expected.DESCENT, expected.ASCENT])}`, () => {
      // three devices out of step (as the simulator runs them) and 20 Hz / 10 Hz
      for (const [offsetMs, hz, seed] of [[0, 20, 1], [700, 20, 2], [1400, 10, 3]] as const) {
        const all = verdicts(simulate(pattern, 40, hz, offsetMs, seed), WINDOW_MS, 40_000);
        const descent = all.filter((v) => v.stage === 'DESCENT');
        const ascent = all.filter((v) => v.stage === 'ASCENT');
        // 30 s of polls over five 6-second squats: each stage is named for a good share of them
        assert.ok(descent.length >= 15, `${pattern}: DESCENT named ${descent.length} times`);
        assert.ok(ascent.length >= 15, `${pattern}: ASCENT named ${ascent.length} times`);
        for (const v of descent) assert.deepEqual(v.findings, expected.DESCENT, `${pattern} DESCENT at ${v.at} ms`);
        for (const v of ascent) assert.deepEqual(v.findings, expected.ASCENT, `${pattern} ASCENT at ${v.at} ms`);
      }
    });
  }

  it('the stage the trend names matches the phase the body is in (descent, bottom → DESCENT; ascent → ASCENT)', () => {
    const samples = simulate('squat', 40, 20, 0, 9);
    let agree = 0;
    let named = 0;
    for (const v of verdicts(samples, WINDOW_MS, 40_000)) {
      if (v.stage === 'UNKNOWN') continue;
      named++;
      const { phase } = squatPhase(v.at);
      const want = phase === 'ascent' ? 'ASCENT' : phase === 'standing' ? v.stage : 'DESCENT';
      if (v.stage === want) agree++;
    }
    // the trend looks back 2 s, so it lags a little at each turn; it must agree most of the time
    assert.ok(named > 0 && agree / named >= 0.8, `trend agrees with the phase ${agree}/${named}`);
  });
});
