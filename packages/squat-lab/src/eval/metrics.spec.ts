import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FormClass, RepSummary } from '@squirret/squat';
import { evaluate } from './metrics';
import type { RecordingResult } from './run';

/** Builder: a recording result whose summary says `cls`, with the joint judgements that follow. */
function result(cls: FormClass | null, reps = 1): RecordingResult {
  const summary: RepSummary | null =
    cls === null
      ? null
      : {
          index: 1,
          startMs: 0,
          bottomMs: 1,
          endMs: 2,
          depth: 0.5,
          minKneeAngle: 90,
          view: 'front',
          lumbar: cls === 'bending_forward' ? 'bad' : 'good',
          knee: cls === 'knees_caving' ? 'bad' : 'good',
          ankle: cls === 'heels_lifting' || cls === 'toes_lifting' ? 'bad' : 'good',
          depthJudgement: cls === 'no_depth' ? 'bad' : 'good',
          formClass: cls,
          method: 'model',
          score: 50,
          reasons: [],
        };
  return { recording: 'r', reps, summary, fromFlush: false, frames: 10 };
}

describe('evaluate', () => {
  it('scores perfect predictions as 1 everywhere', () => {
    const classes: FormClass[] = ['good', 'bending_forward', 'heels_lifting', 'knees_caving', 'no_depth', 'toes_lifting'];
    const r = evaluate('train', classes.map((c) => ({ truth: c, result: result(c) })));
    assert.equal(r.accuracy6, 1);
    assert.equal(r.repCountAccuracy, 1);
    for (const f of Object.values(r.faults)) {
      assert.equal(f.precision, 1);
      assert.equal(f.recall, 1);
    }
    assert.equal(r.faults.ankle.support, 2);
  });

  it('counts heel vs toe confusions as correct for the ankle but wrong for the 6 classes', () => {
    const r = evaluate('x', [{ truth: 'heels_lifting', result: result('toes_lifting') }]);
    assert.equal(r.accuracy6, 0);
    assert.equal(r.faults.ankle.recall, 1);
    assert.equal(r.confusion.heels_lifting.toes_lifting, 1);
  });

  it('computes precision and recall from false positives and misses', () => {
    const r = evaluate('x', [
      { truth: 'knees_caving', result: result('knees_caving') },
      { truth: 'knees_caving', result: result('good') },
      { truth: 'good', result: result('knees_caving') },
      { truth: 'good', result: result('good') },
    ]);
    assert.equal(r.faults.knee.precision, 0.5);
    assert.equal(r.faults.knee.recall, 0.5);
    assert.equal(r.accuracy6, 0.5);
  });

  it('treats a recording without a rep as wrong and not flagged, and checks the rep count', () => {
    const r = evaluate('x', [
      { truth: 'no_depth', result: result(null, 0) },
      { truth: 'good', result: result('good', 2) },
    ]);
    assert.equal(r.accuracy6, 0.5);
    assert.equal(r.faults.depth.recall, 0);
    assert.equal(r.repCountAccuracy, 0);
    assert.equal(r.confusion.no_depth.none, 1);
  });
});
