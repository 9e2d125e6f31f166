// The real pose engine (one worker, real model files) reports the decoded frame's size with every pose,
// and a StreamSession hands its width / height to the analyzer: a 240x427 clip frame, the same frame
// stored sideways with EXIF orientation 6 (as a phone writes it), and the frame turned to 427x240.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PoseModelName } from '@squirret/contracts';
import { decodeGifFrames } from '@squirret/pose';
import { storedSideways, turned } from '@squirret/pose/dist/testing/image-builders';
import { SquatAnalyzer } from '@squirret/squat';
import { REPO_ROOT } from '@squirret/testing';
import { loadInferenceConfig } from '../config/inference.config';
import { poseErrorToWire } from '../stream/session-registry';
import { StreamSession } from '../stream/stream-session';
import { PoseEngine } from './pose-engine';

const CLIPS = join(process.env['SQUIRRET_DATASETS'] ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif');
const CLIP = 'aitrainer_olympic_squat_vid.gif';

/** The real analyzer, recording the aspect ratio each frame was pushed with. */
class AspectRecordingAnalyzer extends SquatAnalyzer {
  readonly aspectsGiven: (number | undefined)[] = [];
  override push(...args: Parameters<SquatAnalyzer['push']>): ReturnType<SquatAnalyzer['push']> {
    this.aspectsGiven.push(args[3]);
    return super.push(...args);
  }
}

for (const model of ['movenet-lightning', 'blazepose-lite'] as const satisfies readonly PoseModelName[]) {
  describe(`${model}: the frame's size reaches the analyzer`, () => {
    let engine: PoseEngine;
    before(async () => {
      assert.ok(existsSync(CLIPS), `the shared clips are missing: ${CLIPS}`);
      engine = new PoseEngine(
        loadInferenceConfig({ INFERENCE_TOKEN_SECRET: 'unit-inference-secret-unit-inference-secret', INFERENCE_POSE_MODEL: model, INFERENCE_POSE_WORKERS: '1', INFERENCE_POSE_BACKEND: 'wasm' }),
      );
      engine.onApplicationBootstrap();
      await engine.warmed;
    });
    after(() => engine.onApplicationShutdown());

    it('upright 240x427, stored sideways with EXIF 6, and turned to 427x240: aspects 240/427, 240/427, 427/240', async () => {
      const gif = await decodeGifFrames(readFileSync(join(CLIPS, CLIP)));
      assert.deepEqual([gif.width, gif.height], [240, 427], `${CLIP} is 240x427`);
      const upright = gif.frames[5]!;
      const images = [upright, await storedSideways(upright), await turned(upright)];
      const poses = [];
      for (const image of images) poses.push(await engine.estimate(image));
      assert.deepEqual(poses.map((p) => p.frame), [
        { width: 240, height: 427 },
        { width: 240, height: 427 },
        { width: 427, height: 240 },
      ]);

      const analyzer = new AspectRecordingAnalyzer();
      const errors: unknown[] = [];
      const session = new StreamSession(`aspect-${model}`, analyzer, engine, poseErrorToWire, () => performance.now());
      const seen: number[] = [];
      session.attach({ send: (m) => void (m.type === 'error' && errors.push(m)), analysed: () => void seen.push(analyzer.aspectRatio) });
      for (const [i, image] of images.entries()) {
        session.offer({ kind: 'frame', frameNumber: i, clientTimeMs: 1000 + i * 100, image, encoding: 'binary' });
        await session.idle();
      }
      assert.deepEqual(errors, []);
      assert.deepEqual(analyzer.aspectsGiven, [240 / 427, 240 / 427, 427 / 240]);
      assert.deepEqual(seen, [240 / 427, 240 / 427, 427 / 240]);
    });
  });
}
