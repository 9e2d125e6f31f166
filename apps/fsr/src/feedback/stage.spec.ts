import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { T0, foot, ratiosFor } from '../../test/factories/fsr.factory';
import type { FootSample } from '../samples/foot-sample';
import { TREND, resolveStage, stageFromAi, stageFromTrend } from './stage';

/** Samples of both feet over the last 2 s: heel share `from` in the older half, `to` in the newer. */
function heelTrend(from: number, to: number, end = T0): FootSample[] {
  const out: FootSample[] = [];
  for (const dt of [1900, 1500, 1100]) for (const side of ['left', 'right'] as const) out.push(foot(side, end - dt, ratiosFor({ front: 20, rear: from })));
  for (const dt of [900, 500, 0]) for (const side of ['left', 'right'] as const) out.push(foot(side, end - dt, ratiosFor({ front: 20, rear: to })));
  return out;
}

describe('stage from the pressure trend', () => {
  it('names DESCENT when the load moves to the heels by at least 5 points', () => {
    assert.equal(stageFromTrend(heelTrend(40, 45)), 'DESCENT');
    assert.equal(stageFromTrend(heelTrend(40, 44.9)), undefined);
  });

  it('names ASCENT when the load moves forward by at least 5 points', () => {
    assert.equal(stageFromTrend(heelTrend(50, 45)), 'ASCENT');
    assert.equal(stageFromTrend(heelTrend(50, 45.1)), undefined);
  });

  it('needs two usable samples in each half, and looks only at the last 2 s', () => {
    assert.equal(TREND.minSamplesPerHalf, 2);
    const thin = heelTrend(40, 60).filter((s) => s.side === 'left' && (s.at < T0 - 1000 || s.at === T0));
    assert.equal(stageFromTrend(thin), undefined);
    const old = heelTrend(40, 60, T0 - 5_000);
    const flat = heelTrend(50, 50);
    assert.equal(stageFromTrend([...old, ...flat]), undefined);
    assert.equal(stageFromTrend([]), undefined);
  });

  it('skips samples of a lifted foot (no load)', () => {
    const lifted = heelTrend(40, 60).map((s) => (s.at >= T0 - 1000 ? { ...s, ratios: [0, 0, 0, 0, 0, 0] as const } : s));
    assert.equal(stageFromTrend(lifted), undefined);
  });
});

describe('stage from the AI', () => {
  it('maps descent and bottom to DESCENT, ascent to ASCENT, standing to UNKNOWN', () => {
    assert.deepEqual(
      (['descent', 'bottom', 'ascent', 'standing'] as const).map(stageFromAi),
      ['DESCENT', 'DESCENT', 'ASCENT', 'UNKNOWN'],
    );
  });
});

describe('resolveStage', () => {
  const trendDown = heelTrend(40, 60);
  it('prefers the AI stage when it is within the window', () => {
    assert.equal(resolveStage({ stage: 'ascent', at: T0 - 10_000 }, trendDown, T0, 10_000), 'ASCENT');
  });

  it('falls back to the trend when the AI has no stage or an older one', () => {
    assert.equal(resolveStage({ at: T0 }, trendDown, T0, 10_000), 'DESCENT');
    assert.equal(resolveStage({ stage: 'ascent', at: T0 - 10_001 }, trendDown, T0, 10_000), 'DESCENT');
    assert.equal(resolveStage(undefined, trendDown, T0, 10_000), 'DESCENT');
  });

  it('is UNKNOWN with neither', () => {
    assert.equal(resolveStage(undefined, [], T0, 10_000), 'UNKNOWN');
  });
});
