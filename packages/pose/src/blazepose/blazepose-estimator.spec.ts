import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeToRgb } from '../decode';
import { clipFrames, FIRST_PERSON_FRAME, FRONT_CLIPS, SIDE_CLIP } from '../testing/clips';
import { mirrored, resized, storedSideways } from '../testing/image-builders';
import { assertWellFormedPose, byName } from '../testing/pose-assertions';
import { BlazePoseEstimator, type PoseTrack } from './blazepose-estimator';

describe('BlazePoseEstimator (real blazepose-detector + blazepose-lite)', () => {
  let bp: BlazePoseEstimator;

  before(async () => {
    bp = await BlazePoseEstimator.load({ variant: 'lite' });
    await bp.warmup(1);
  });
  after(() => bp.dispose());

  it('finds no one on the blank green opening frame (detector), and nothing is tracked from it', async () => {
    const { frames } = await clipFrames(FRONT_CLIPS[2]);
    const r = await bp.estimateImage(frames[0] as Buffer);
    assert.equal(r.detectorRan, true);
    assert.equal(r.track, undefined);
    assert.ok(r.keypoints.every((k) => k.score === 0));
  });

  for (const clip of [FRONT_CLIPS[2], SIDE_CLIP]) {
    it(`${clip}: streamed frame by frame, the detector runs once and the crop follows the person`, async () => {
      const { frames } = await clipFrames(clip);
      let track: PoseTrack | undefined;
      let detectorRuns = 0;
      for (let i = FIRST_PERSON_FRAME; i < frames.length; i++) {
        const r = await bp.estimateImage(frames[i] as Buffer, undefined, track);
        if (r.detectorRan) detectorRuns++;
        assert.ok(r.track !== undefined, `frame ${i}: tracking lost (presence ${r.presence})`);
        track = r.track;
        assertWellFormedPose(r.keypoints, `${clip} frame ${i}`);
        assert.equal(r.landmarks.length, 33);
        const k = byName(r.keypoints);
        const f = Object.fromEntries(r.feet.map((p) => [p.name, p]));
        // Heels and toes below the ankles, ankles below the knees, hips below the shoulders.
        for (const side of ['left', 'right'] as const) {
          assert.ok(f[`${side}_heel`]!.y > k[`${side}_ankle`].y, `frame ${i}: ${side} heel below the ankle`);
          assert.ok(f[`${side}_foot_index`]!.y > k[`${side}_ankle`].y, `frame ${i}: ${side} toes below the ankle`);
          assert.ok(k[`${side}_ankle`].y > k[`${side}_knee`].y, `frame ${i}: ${side} ankle below the knee`);
          assert.ok(k[`${side}_hip`].y > k[`${side}_shoulder`].y, `frame ${i}: ${side} hip below the shoulder`);
        }
      }
      assert.equal(detectorRuns, 1, 'the detector ran on the first frame only');
    });
  }

  it('front view: the subject\'s left is on the image\'s right, and mirroring the frame mirrors the pose', async () => {
    const { frames } = await clipFrames(FRONT_CLIPS[2]);
    const frame = frames[FIRST_PERSON_FRAME + 3] as Buffer;
    const a = await bp.estimateImage(frame);
    const b = await bp.estimateImage(await mirrored(frame));
    const ka = byName(a.keypoints);
    const kb = byName(b.keypoints);
    assert.ok(ka.left_hip.x > ka.right_hip.x && ka.left_shoulder.x > ka.right_shoulder.x);
    // Mirrored: the model's left hip lands where the right one was, at 1 - x.
    for (const [l, r] of [
      ['left_hip', 'right_hip'],
      ['left_knee', 'right_knee'],
      ['left_ankle', 'right_ankle'],
    ] as const) {
      assert.ok(Math.abs(kb[l].x - (1 - ka[r].x)) < 0.03, `${l}: ${kb[l].x} vs 1 - ${ka[r].x}`);
      assert.ok(Math.abs(kb[l].y - ka[r].y) < 0.03, `${l}.y`);
    }
  });

  it('reports the size of the decoded frame its points are normalised to: oriented, and shrunk to 640 px', async () => {
    const { frames, width, height } = await clipFrames(FRONT_CLIPS[2]);
    const frame = frames[FIRST_PERSON_FRAME + 3] as Buffer;
    assert.deepEqual((await bp.estimateImage(frame)).frame, { width, height });
    assert.deepEqual((await bp.estimateImage(await storedSideways(frame))).frame, { width, height }, 'EXIF orientation 6 applied');
    // 1080x1920 is decoded at 360x640 (the same shape); the frame size is the decoded one
    assert.deepEqual((await bp.estimateImage(await resized(frame, 1080, 1920))).frame, { width: 360, height: 640 });
    // also when no one is found
    const blank = await bp.estimateImage(frames[0] as Buffer);
    assert.equal(blank.detectorRan, true);
    assert.deepEqual(blank.frame, { width, height });
  });

  it('a track for a frame of another size is not used (the detector runs again)', async () => {
    const { frames } = await clipFrames(FRONT_CLIPS[2]);
    const first = await bp.estimateImage(frames[FIRST_PERSON_FRAME] as Buffer);
    const img = await decodeToRgb(frames[FIRST_PERSON_FRAME + 1] as Buffer);
    const same = await bp.estimate(img, first.track);
    assert.equal(same.detectorRan, false);
    const other = await bp.estimate(img, first.track && { ...first.track, width: first.track.width + 1 });
    assert.equal(other.detectorRan, true);
  });
});
