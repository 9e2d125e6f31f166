import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { COCO17 } from '@squirret/contracts';
import {
  AI_TRAINER_DIR,
  AI_TRAINER_JOINTS,
  DATASETS_ENV,
  DatasetMissingError,
  datasetDir,
  forEachRecording,
  readLabels,
  type Recording3d,
} from './dataset';
import { PROJECTED_ASPECT_RATIO, projectFrame } from './project';
import { DEFAULT_AUGMENT_RANGE } from './augment';
import { runSplit } from './collect';
import { FRAME_MS, analyzeRecording } from './run';

/**
 * Reads a few real recordings of the TRAIN split (never test) from ../shared/datasets and checks the
 * projection and the streaming rep counter on them. Fails with the dataset's own message when the
 * folder is absent.
 */

const N = 6;

async function firstTrainRecordings(): Promise<{ recs: Recording3d[]; labels: ReturnType<typeof readLabels> }> {
  const dir = datasetDir(AI_TRAINER_DIR, process.env[DATASETS_ENV]);
  const labels = readLabels(dir, 'train').slice(0, N);
  const recs: Recording3d[] = [];
  await forEachRecording(dir, (r) => recs.push(r), new Set(labels.map((l) => l.recording)));
  return { recs, labels };
}

describe('ai_trainer_squat3d (real data, train split)', () => {
  it('reads labels with the split column and the class mapping', () => {
    const dir = datasetDir(AI_TRAINER_DIR, process.env[DATASETS_ENV]);
    const train = readLabels(dir, 'train');
    assert.equal(train.length, 1058);
    assert.ok(train.every((l) => l.split === 'train'));
    assert.equal(new Set(train.map((l) => l.formClass)).size, 6);
  });

  it('projects every frame to 17 COCO keypoints and counts one rep per recording', async () => {
    const { recs, labels } = await firstTrainRecordings();
    assert.equal(recs.length, N, 'all requested recordings were found');
    for (const rec of recs) {
      const label = labels.find((l) => l.recording === rec.recording)!;
      assert.equal(rec.frames.length, label.nFrames, `${rec.recording}: frame count matches labels.csv`);
      for (const frame of rec.frames) {
        assert.equal(frame.length, AI_TRAINER_JOINTS.length * 3);
        const kps = projectFrame(frame);
        assert.equal(kps.length, 17);
        assert.deepEqual(kps.map((k) => k.name), [...COCO17]);
        // eyes and ears are not in the data
        for (const k of kps.slice(1, 5)) assert.equal(k.score, 0);
        for (const k of kps) if (k.score > 0) assert.ok(k.x > 0 && k.x < 1 && k.y > 0 && k.y < 1, `${k.name} inside the frame`);
      }
      const result = analyzeRecording(rec);
      assert.equal(result.reps, 1, `${rec.recording} (${label.label}): one rep counted by the streaming counter`);
      assert.ok(result.summary, 'the rep has a summary');
      assert.equal(result.summary.view, 'front');
      // a copy played at another pace (frameMs) runs on its own clock: the same rep, its times scaled
      const slow = analyzeRecording({ ...rec, frameMs: FRAME_MS * 1.25 });
      assert.equal(slow.reps, 1);
      assert.ok(slow.summary);
      assert.equal(slow.summary.startMs, result.summary.startMs * 1.25, 'rep start on the copy clock');
    }
  });

  it('runSplit adds numbered camera copies and turned views, alternating the side by row, after each recording', async () => {
    const datasets = process.env[DATASETS_ENV];
    const results = await runSplit('train', {
      limit: 2,
      augment: [
        { copies: 2, range: DEFAULT_AUGMENT_RANGE, seedBase: 1000 },
        { copies: 1, range: DEFAULT_AUGMENT_RANGE, seedBase: 5000 },
      ],
      turned: [30],
      ...(datasets ? { datasets } : {}),
    });
    const rows = results.map((r) => [r.augmented ?? 0, r.turnedDeg ?? 0]);
    // per recording: itself, copies 1..3 across both sets, then the turned view (row 0 from -30, row 1 from +30)
    assert.deepEqual(rows, [[0, 0], [1, 0], [2, 0], [3, 0], [0, -30], [0, 0], [1, 0], [2, 0], [3, 0], [0, 30]]);
    assert.equal(new Set(results.slice(0, 5).map((r) => r.label.recording)).size, 1);
    const plain = results[0]!.result.summary;
    const turned = results[4]!.result.summary;
    assert.ok(plain && turned, 'both views give a rep');
    assert.equal(results[4]!.result.reps, 1, 'a 30 degree turn still shows one rep');
    // turning round the vertical axis changes the picture but hardly how far the hip drops
    assert.notEqual(turned.depth, plain.depth);
    assert.ok(Math.abs(turned.depth - plain.depth) < 0.1, `depth ${plain.depth} vs turned ${turned.depth}`);
  });

  it('runSplit adds seeded keypoint jitter to the recordings: the same on every run, still one rep each', async () => {
    const datasets = process.env[DATASETS_ENV];
    const opts = { limit: 2, ...(datasets ? { datasets } : {}) };
    const clean = await runSplit('train', opts);
    const noisy = await runSplit('train', { ...opts, jitter: 0.003 });
    const again = await runSplit('train', { ...opts, jitter: 0.003 });
    assert.equal(noisy.length, 2);
    noisy.forEach((r, i) => {
      assert.equal(r.result.reps, 1, `${r.label.recording}: still one rep under jitter`);
      assert.notEqual(r.result.summary!.depth, clean[i]!.result.summary!.depth, 'the jitter reached the analyzer');
      assert.equal(r.result.summary!.depth, again[i]!.result.summary!.depth, 'seeded: the same jitter on every run');
    });
  });

  it('uses the portrait aspect ratio of camera 0', () => {
    assert.equal(PROJECTED_ASPECT_RATIO, 1080 / 1920);
  });

  it('explains where the data should be when the folder is absent', () => {
    assert.throws(
      () => datasetDir(AI_TRAINER_DIR, '/nonexistent/datasets'),
      (e: unknown) => e instanceof DatasetMissingError && /shared\/datasets/.test(e.message) && e.message.includes(DATASETS_ENV),
    );
  });
});
