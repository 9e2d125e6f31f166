import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BLAZEPOSE_FEATURE_NAMES, MOVENET_FEATURE_NAMES } from '../rep-features';
import { ModelMismatchError, checkModel, loadModelFile, shippedModels } from './load';

describe('fitted model files', () => {
  it('ships a MoveNet and a BlazePose model whose features match this build', () => {
    const m = shippedModels();
    assert.deepEqual(m.movenet.featureNames, MOVENET_FEATURE_NAMES);
    assert.deepEqual(m.blazepose.featureNames, BLAZEPOSE_FEATURE_NAMES);
    assert.equal(m.blazepose.pose, 'blazepose');
    for (const model of [m.movenet, m.blazepose]) {
      for (const j of ['lumbar', 'knee', 'ankle'] as const) {
        const cal = model.calibration?.[j];
        assert.ok(cal && cal.x.length > 0 && cal.x.length === cal.y.length, `${j} calibrated`);
        assert.ok(cal.y.every((v, i) => i === 0 || v >= cal.y[i - 1]!), `${j} calibration is monotone`);
        assert.equal(typeof model.confidenceFloor?.[j], 'number', `${j} has a confidence floor`);
      }
    }
  });

  it('fails loudly when the feature names differ (renamed, missing or reordered)', () => {
    const good = shippedModels().movenet;
    const renamed = { ...good, featureNames: good.featureNames.map((n, i) => (i === 3 ? 'depth_renamed' : n)) };
    assert.throws(() => checkModel(renamed, 'movenet', 'x.json'), (e: unknown) => e instanceof ModelMismatchError && /first difference at 3/.test(e.message));
    assert.throws(() => checkModel({ ...good, featureNames: good.featureNames.slice(1) }, 'movenet', 'x.json'), ModelMismatchError);
    assert.throws(() => checkModel(good, 'blazepose', 'x.json'), /fitted for pose "movenet"/);
    assert.throws(() => checkModel({ hello: 1 }, 'movenet', 'x.json'), /not a fitted squat model/);
  });

  it('fails loudly on a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'squat-model-'));
    const file = join(dir, 'movenet.json');
    writeFileSync(file, '{ not json');
    assert.throws(() => loadModelFile('movenet', file), ModelMismatchError);
  });
});
