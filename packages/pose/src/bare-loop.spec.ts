import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msStats, runBareLoop } from './bare-loop';
import { clipFrames, FIRST_PERSON_FRAME, FRONT_CLIPS } from './testing/clips';

describe('runBareLoop', () => {
  it('decodes and infers real frames in a worker and reports counts and timings', async () => {
    const { frames } = await clipFrames(FRONT_CLIPS[1]);
    const result = await runBareLoop({ frames: frames.slice(FIRST_PERSON_FRAME, FIRST_PERSON_FRAME + 8), durationMs: 300, workers: 1 });
    assert.equal(result.workers, 1);
    assert.ok(['wasm', 'tensorflow'].includes(result.backend.name));
    assert.ok(result.framesDone >= 1);
    assert.equal(result.perWorker.length, 1);
    assert.equal(result.perWorker[0]?.framesDone, result.framesDone);
    assert.ok(result.framesPerSecond > 0);
    // the worker's decode and inference are CPU time of this process (a fifth of their wall time at least,
    // on a loaded machine too; a unit slip of 1000x fails), and one worker cannot use more
    // than its wall-clock loop time (plus the main thread's and the runtime's own threads' little share)
    const inferMs = result.framesDone * result.inferenceMs.mean;
    assert.ok(result.cpuMs >= 0.2 * inferMs, `cpuMs ${result.cpuMs} for ${result.framesDone} inferences of ${result.inferenceMs.mean} ms`);
    assert.ok(result.cpuMs <= 3 * result.elapsedMs + 50, `cpuMs ${result.cpuMs} over a ${result.elapsedMs} ms loop`);
    for (const s of [result.decodeMs, result.inferenceMs]) {
      assert.ok(s.mean > 0 && s.p50 > 0 && s.p95 >= s.p50);
    }
  });

  it('with a warm-up, measures only the loop after it (same report, counted from the clock start)', async () => {
    const { frames } = await clipFrames(FRONT_CLIPS[1]);
    const result = await runBareLoop({ frames: frames.slice(FIRST_PERSON_FRAME, FIRST_PERSON_FRAME + 4), durationMs: 200, warmupMs: 200, workers: 1 });
    assert.ok(result.framesDone >= 1);
    assert.equal(result.perWorker[0]?.framesDone, result.framesDone);
    assert.equal(result.framesPerSecond, (result.framesDone * 1000) / result.elapsedMs);
  });

  it('refuses an empty frame list', async () => {
    await assert.rejects(runBareLoop({ frames: [], durationMs: 10, workers: 1 }), RangeError);
  });
});

describe('msStats', () => {
  it('gives mean, median and 95th percentile', () => {
    const sample = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(msStats(sample), { mean: 50.5, p50: 51, p95: 96 });
    assert.deepEqual(msStats([]), { mean: 0, p50: 0, p95: 0 });
  });
});
