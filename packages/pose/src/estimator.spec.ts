import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeypointName } from '@squirret/contracts';
import { PoseEstimator } from './estimator';
import { computeLetterbox } from './letterbox';
import { clipFrame, clipFrames, FIRST_PERSON_FRAME, FRONT_CLIPS, SIDE_CLIP } from './testing/clips';
import { mirrored, paddedRight, storedSideways } from './testing/image-builders';
import { assertWellFormedPose, byName, meanScore, median } from './testing/pose-assertions';

const CONFIDENT = 0.3;
// A standing frame near the start of each AI-Trainer clip (the rep starts later).
const STANDING_FRAME = FIRST_PERSON_FRAME + 3;

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('PoseEstimator (real MoveNet Lightning)', () => {
  let estimator: PoseEstimator;

  before(async () => {
    estimator = await PoseEstimator.load();
    await estimator.warmup();
  });
  after(() => estimator.dispose());

  it('runs on the native backend when tfjs-node is installed, else on WASM', () => {
    assert.equal(estimator.backend.name, tfjsNodeInstalled() ? 'tensorflow' : 'wasm');
  });

  it('returns 17 well-formed keypoints on every 4th frame of all four clips', async () => {
    for (const clip of [...FRONT_CLIPS, SIDE_CLIP]) {
      const { frames } = await clipFrames(clip);
      for (let i = 0; i < frames.length; i += 4) {
        const r = await estimator.estimateImage(frames[i] as Buffer);
        assertWellFormedPose(r.keypoints, `${clip}#${i}`);
        assert.ok(r.inferenceMs > 0 && r.decodeMs > 0);
      }
    }
  });

  it('is confident on frames with a person and not on the blank green opening frame', async () => {
    for (const clip of FRONT_CLIPS) {
      const blank = await estimator.estimateImage(await clipFrame(clip, 0));
      const person = await estimator.estimateImage(await clipFrame(clip, STANDING_FRAME));
      assert.ok(meanScore(blank.keypoints) < 0.2, `${clip}#0 mean score ${meanScore(blank.keypoints)}`);
      assert.ok(meanScore(person.keypoints) > 0.45, `${clip}#${STANDING_FRAME} mean score ${meanScore(person.keypoints)}`);
    }
  });

  it('places a standing front-view body upright: shoulders above hips above knees above ankles', async () => {
    const chain: KeypointName[][] = [
      ['left_shoulder', 'left_hip', 'left_knee', 'left_ankle'],
      ['right_shoulder', 'right_hip', 'right_knee', 'right_ankle'],
    ];
    for (const clip of FRONT_CLIPS) {
      const k = byName((await estimator.estimateImage(await clipFrame(clip, STANDING_FRAME))).keypoints);
      for (const side of chain) {
        for (const name of side) assert.ok(k[name].score > CONFIDENT, `${clip}: ${name} score ${k[name].score}`);
        for (let j = 1; j < side.length; j++) {
          const upper = k[side[j - 1] as KeypointName];
          const lower = k[side[j] as KeypointName];
          // Image y grows downward.
          assert.ok(lower.y > upper.y + 0.05, `${clip}: ${lower.name} (${lower.y}) not below ${upper.name} (${upper.y})`);
        }
      }
      // Facing the camera, the subject's left side is on the right of the image.
      assert.ok(k.left_shoulder.x > k.right_shoulder.x, `${clip}: shoulders not mirrored`);
      assert.ok(k.left_hip.x > k.right_hip.x, `${clip}: hips not mirrored`);
    }
  });

  it('keeps the hips below the shoulders through the whole rep', async () => {
    for (const clip of FRONT_CLIPS) {
      const { frames } = await clipFrames(clip);
      for (let i = FIRST_PERSON_FRAME; i < frames.length; i += 3) {
        const k = byName((await estimator.estimateImage(frames[i] as Buffer)).keypoints);
        const shoulders = (k.left_shoulder.y + k.right_shoulder.y) / 2;
        const hips = (k.left_hip.y + k.right_hip.y) / 2;
        assert.ok(hips > shoulders, `${clip}#${i}: hips ${hips} above shoulders ${shoulders}`);
      }
    }
  });

  it('maps keypoints to the original image: a mirrored frame gives mirrored keypoints', async () => {
    const swap = (n: KeypointName): KeypointName =>
      n.startsWith('left_') ? (n.replace('left_', 'right_') as KeypointName) : n.startsWith('right_') ? (n.replace('right_', 'left_') as KeypointName) : n;
    for (const clip of FRONT_CLIPS) {
      const frame = await clipFrame(clip, STANDING_FRAME);
      const plain = (await estimator.estimateImage(frame)).keypoints;
      const flipped = byName((await estimator.estimateImage(await mirrored(frame))).keypoints);
      const diffs = plain
        .filter((k) => k.score > 0.4)
        .flatMap((k) => [Math.abs(1 - flipped[swap(k.name)].x - k.x), Math.abs(flipped[swap(k.name)].y - k.y)]);
      assert.ok(diffs.length >= 16, `${clip}: too few confident keypoints`);
      assert.ok(median(diffs) < 0.03, `${clip}: median mirror error ${median(diffs)}`);
    }
  });

  it('maps keypoints to the original image: black padding on the right halves x and keeps y', async () => {
    for (const clip of FRONT_CLIPS) {
      const frame = await clipFrame(clip, STANDING_FRAME);
      const plain = (await estimator.estimateImage(frame)).keypoints;
      const padded = byName((await estimator.estimateImage(await paddedRight(frame, 240))).keypoints);
      const diffs = plain
        .filter((k) => k.score > 0.4)
        .flatMap((k) => [Math.abs(padded[k.name].x * 2 - k.x), Math.abs(padded[k.name].y - k.y)]);
      assert.ok(median(diffs) < 0.03, `${clip}: median padding error ${median(diffs)}`);
    }
  });

  it('reports the size of the oriented frame its keypoints are normalised to (EXIF rotation applied)', async () => {
    const clip = FRONT_CLIPS[0];
    const { width, height } = await clipFrames(clip);
    assert.ok(width < height, `${clip} is portrait (${width}x${height})`);
    const frame = await clipFrame(clip, STANDING_FRAME);
    const upright = await estimator.estimateImage(frame);
    assert.deepEqual(upright.frame, { width, height });
    const sideways = await estimator.estimateImage(await storedSideways(frame));
    assert.deepEqual(sideways.frame, { width, height }, 'stored sideways with EXIF orientation 6: the oriented size');
    const k = byName(upright.keypoints);
    const diffs = sideways.keypoints.filter((p) => p.score > 0.4).flatMap((p) => [Math.abs(p.x - k[p.name].x), Math.abs(p.y - k[p.name].y)]);
    assert.ok(diffs.length >= 16 && median(diffs) < 0.03, `the sideways-stored frame gives the upright pose (median ${median(diffs)})`);
    assert.deepEqual((await estimator.estimateImage(await paddedRight(frame, 240))).frame, { width: width + 240, height });
  });

  it('refuses an RGB buffer of the wrong size', async () => {
    await assert.rejects(estimator.estimate(new Uint8Array(100), computeLetterbox(10, 10, 192)), RangeError);
    await assert.rejects(estimator.estimate(new Uint8Array(192 * 192 * 3), computeLetterbox(10, 10, 256)), RangeError);
  });
});
