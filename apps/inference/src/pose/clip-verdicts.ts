// Test support for the real-footage tests of each selectable model (pose-clips-<model>.integration-spec.ts):
// the real pose engine (worker pool, real model files) and the real analyzer behind a StreamSession,
// fed the four dataset clips frame by frame as a phone would stream them. Prints one CLIP line per
// clip and model (reps, verdicts, where the feet are). One file per model: the runner gives a test
// file 120 s, and a model's four clips take about 20-90 s on a shared 2-core machine.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalysisMessage, PoseModelName, RepMessage } from '@squirret/contracts';
import { decodeGifFrames } from '@squirret/pose';
import { SquatAnalyzer } from '@squirret/squat';
import { REPO_ROOT } from '@squirret/testing';
import { loadInferenceConfig } from '../config/inference.config';
import { poseErrorToWire } from '../stream/session-registry';
import { StreamSession } from '../stream/stream-session';
import { PoseEngine } from './pose-engine';

const CLIPS = join(process.env['SQUIRRET_DATASETS'] ?? join(REPO_ROOT, '..', 'shared', 'datasets'), 'squat_clips_gif');
const SIDE_CLIP = 'dnly09_gf_1_sideview_goodform.gif';

/** What each clip's label implies (rep-level judgements), as the stream e2e test checks it for the default model. */
const EXPECTED: Record<string, (rep: RepMessage) => void> = {
  'aitrainer_bending_forward_vid.gif': (rep) => assert.equal(rep.lumbar, 'bad', 'bending forward: lumbar bad'),
  'aitrainer_no_depth_vid.gif': (rep) => assert.equal(rep.depthJudgement, 'bad', 'no depth: depth bad'),
  'aitrainer_olympic_squat_vid.gif': (rep) =>
    assert.deepEqual([rep.lumbar, rep.knee, rep.ankle, rep.depthJudgement], ['good', 'good', 'good', 'good'], 'olympic squat: good form'),
  [SIDE_CLIP]: (rep) => {
    assert.equal(rep.lumbar, 'good', 'side view good form: lumbar good');
    assert.equal(rep.depthJudgement, 'good', 'side view good form: depth good');
    assert.notEqual(rep.knee, 'bad', 'valgus is not judged from the side');
    assert.notEqual(rep.ankle, 'bad', 'side view good form: ankle not bad');
  },
};

/** Streams a clip (then its last frame held for 1.5 s, a person standing after the rep) through one session. */
async function streamClip(engine: PoseEngine, file: string): Promise<{ analyses: AnalysisMessage[]; reps: RepMessage[]; sent: number }> {
  const gif = await decodeGifFrames(readFileSync(join(CLIPS, file)));
  // The hold is sent at 10 frames/s or slower (the analyzer goes by timestamps; the 20 ms side clip
  // would otherwise add 75 frames of a person standing still).
  const step = Math.max(100, gif.delaysMs.at(-1) || 100);
  const hold = Math.ceil(1500 / step);
  const frames = [...gif.frames, ...Array<Buffer>(hold).fill(gif.frames.at(-1) as Buffer)];
  const delays = [...gif.delaysMs, ...Array<number>(hold).fill(step)];
  const analyses: AnalysisMessage[] = [];
  const reps: RepMessage[] = [];
  const session = new StreamSession(`clip-${file}`, new SquatAnalyzer(), engine, poseErrorToWire, () => performance.now());
  session.attach({
    send: (m) => {
      if (m.type === 'analysis') analyses.push(m);
      else if (m.type === 'rep') reps.push(m);
      else assert.fail(`${file}: error message ${JSON.stringify(m)}`);
    },
    analysed: () => undefined,
  });
  let t = 1_000_000;
  for (const [i, image] of frames.entries()) {
    session.offer({ kind: 'frame', frameNumber: i, clientTimeMs: t, image, encoding: 'binary' });
    await session.idle(); // one at a time: every frame analysed, as the e2e client does
    t += delays[i] || 100;
  }
  return { analyses, reps, sent: frames.length };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

/**
 * Verdicts the current analyzer gets wrong on a model's output, found by this test and reported in
 * issue 14 (the feet-aware model from the lab branch is to fix them). They still run and print, as
 * node:test "todo" tests, so they neither fail CI nor hide: remove an entry once it passes.
 */
export const KNOWN_WRONG: Partial<Record<string, string>> = {
  // Lite places the hips lower at the bottom than full does (depth 0.574 against 0.494), so the torso's
  // vertical extent stays longer and the front view's foreshortening lean peaks at 66.0 degrees, just
  // under the fitted 66.6 limit (full 71.5, MoveNet 73.6); the fitted model reads the rep as good (0.97,
  // bending_forward 0.026; round 9's model with the forest: lumbar good, 96% sure). No analyzer-side
  // cause found that is not this landmark placement. In the frame's own aspect ratio (since
  // 2026-12-03): lean 65.5 degrees, class good 0.85, lumbar good 96% sure; unchanged verdict.
  'blazepose-lite aitrainer_bending_forward_vid.gif': 'lumbar judged good on BlazePose lite (label: bending forward, lumbar bad): lean peaks at 65.5 deg vs the 66.6 limit, lumbar good 96% sure',
  // (The side view's ankle was judged bad on all three models: the rise was measured on both legs,
  // and the far, hidden leg's points drift up at the bottom. It is now measured on the near leg, and
  // not judged where that ankle's own noise reaches the side limit, as on blazepose-lite and MoveNet.)
  // Full's heel points rise 0.04 hip heights on this good squat (toes sink 0.015). The round-8 model
  // gave heels_lifting 0.19 (66% sure the ankle is good, under the 0.85 floor); the round-9 model (with
  // the forest, and the ankle's joint floor 0.25 on heels + toes) calls the ankle "likely bad" at 48%
  // sureness, also under the 0.85 floor: null (LOW_CONFIDENCE) either way, not good, never bad. In the
  // frame's own aspect ratio (since 2026-12-03) the model is 62% sure the ankle is good (heels_lifting
  // 0.236): closer, still under the 0.85 floor, still null.
  'blazepose-full aitrainer_olympic_squat_vid.gif': 'ankle null (LOW_CONFIDENCE: 62% sure it is good, the ankle floor needs 85%) where the label implies good',
  // Round 10: BlazePose's lumbar floor now also withholds the trunk-lean rule's verdicts (a good squat
  // of someone not in the data passes the lean limit often: kept, lumbar "bad" was right 63% of the time
  // by session; withheld below 85%, 92% at 87% coverage). Full's rep here leans 71.5° past the 66.6°
  // limit and the model's class is bending forward, but reps scored like it are bad 57% of the time by
  // session: lumbar null (LOW_CONFIDENCE naming the lean) where the label implies bad. An abstention,
  // not a wrong verdict; it goes when the model is surer of such reps.
  'blazepose-full aitrainer_bending_forward_vid.gif': 'lumbar null (LOW_CONFIDENCE: trunk leaned past the limit, but such reps are bad 57% of the time by session, the floor needs 85%) where the label implies bad',
  // Since the analyzer measures each frame in its own aspect ratio (108x192 here; it used 1, which
  // stretched x 1.78x): the side rule reads depth off the near knee (<= 90 degrees is parallel) or
  // else the hip drop (fitted limit 0.529). Lite's near knee bottoms out at 95.6 degrees in true
  // proportions (72.7 stretched; full 66.2, MoveNet 69.5 on the same frames) and its hip drop is
  // 0.526, so the rep is no_depth. The pass before was the stretch's doing. Lite's landmark placement
  // on this 108x192 clip, not a threshold; see the NOTEBOOK entry "Aspect ratio in the service".
  'blazepose-lite dnly09_gf_1_sideview_goodform.gif': 'depth judged bad on BlazePose lite (label: good form): near knee min 95.6 deg in true proportions (parallel <= 90), hip drop 0.526 < 0.529',
};

/** The clips in groups, one test file each per model (a file must finish within the tier's 120 s, on a loaded machine too). */
export const CLIP_GROUPS = {
  a: ['aitrainer_bending_forward_vid.gif', 'aitrainer_no_depth_vid.gif'],
  b: ['aitrainer_olympic_squat_vid.gif'],
  c: [SIDE_CLIP],
} as const;

/** Registers the clips' tests for one model, two clips at a time on a two-worker engine. */
export function describeClipsOn(model: PoseModelName, clips: readonly string[]): void {
  describe(`real clips on ${model}`, { concurrency: 2 }, () => {
    let started: Promise<PoseEngine>;
    before(() => {
      assert.ok(existsSync(CLIPS), `the shared clips are missing: ${CLIPS} (../shared/datasets/squat_clips_gif beside the project)`);
      const engine = new PoseEngine(
        loadInferenceConfig({ INFERENCE_TOKEN_SECRET: 'unit-inference-secret-unit-inference-secret', INFERENCE_POSE_MODEL: model, INFERENCE_POSE_WORKERS: '2', INFERENCE_POSE_BACKEND: 'wasm' }),
      );
      engine.onApplicationBootstrap();
      started = engine.warmed.then(() => engine);
    });
    after(async () => (await started).onApplicationShutdown());
    for (const file of clips) {
      const todo = KNOWN_WRONG[`${model} ${file}`];
      it(`${model} on ${file}: exactly one rep and the verdicts its label implies`, todo !== undefined ? { todo } : {}, async () => {
        const engine = await started;
        const { analyses, reps, sent } = await streamClip(engine, file);
        assert.equal(analyses.length, sent, 'every frame analysed');
        const blaze = model !== 'movenet-lightning';
        // Frames that show a person (the AI-Trainer clips open on two empty frames).
        const seen = analyses.filter((a) => a.keypoints.some((k) => k.score > 0.5));
        assert.ok(seen.length >= sent - 3, `${file}: a person found in ${seen.length} of ${sent} frames`);
        for (const a of analyses) {
          assert.equal(a.poseModel, model);
          assert.equal(a.keypoints.length, 17);
          if (blaze) {
            assert.equal(a.landmarks?.length, 33, 'BlazePose: 33 landmarks');
            assert.deepEqual(a.feet?.map((f) => f.name), ['left_heel', 'right_heel', 'left_foot_index', 'right_foot_index']);
          } else {
            assert.equal(a.landmarks, undefined, 'MoveNet has no landmarks');
            assert.equal(a.feet, undefined, 'MoveNet has no feet');
          }
        }
        let footLine = '';
        if (blaze) {
          // Heels and toes sit below the ankles (image y grows downward) on the frames with a person.
          const below: number[] = [];
          for (const a of seen) {
            const k = Object.fromEntries(a.keypoints.map((p) => [p.name, p]));
            const f = Object.fromEntries((a.feet ?? []).map((p) => [p.name, p]));
            for (const side of ['left', 'right'] as const) {
              const ankle = k[`${side}_ankle`]!.y;
              below.push(f[`${side}_heel`]!.y - ankle, f[`${side}_foot_index`]!.y - ankle);
            }
          }
          const share = below.filter((d) => d > 0).length / below.length;
          assert.ok(share >= 0.9, `${file}: heels/toes below the ankles in ${(share * 100).toFixed(0)}% of points`);
          const feetScore = median(seen.flatMap((a) => (a.feet ?? []).map((p) => p.score)));
          assert.ok(feetScore > 0.5, `${file}: median foot visibility ${feetScore}`);
          footLine = ` feet below ankles ${(share * 100).toFixed(0)}% (median ${median(below).toFixed(3)} of the height), median visibility ${feetScore.toFixed(2)}`;
        }
        const rep = reps[0];
        console.log(
          `CLIP ${model} ${file}: reps ${reps.length}` +
            (rep ? ` lumbar ${rep.lumbar} knee ${rep.knee} ankle ${rep.ankle} depth ${rep.depthJudgement} (${rep.depth}) class ${rep.formClass} score ${rep.score}` : '') +
            (rep?.confidence ? ` confidence ${JSON.stringify(rep.confidence)}` : '') +
            footLine,
        );
        assert.equal(reps.length, 1, `${model} ${file}: exactly one rep (got ${reps.length}); stages ${analyses.map((a) => a.stage[0]).join('')}`);
        assert.equal(analyses.at(-1)?.reps, 1);
        EXPECTED[file]?.(rep as RepMessage);
      });
    }
  });
}
