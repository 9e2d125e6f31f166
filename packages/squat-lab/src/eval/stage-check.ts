import { COCO17, type Keypoint, type KeypointName } from '@squirret/contracts';
import { SquatAnalyzer } from '@squirret/squat';
import { DEFAULT_STAGE_OPTIONS } from '@squirret/squat';
import { STAGE_DIR, datasetDir, readStageRows } from './dataset';

/**
 * Checks the stage machine and the depth thresholds on exercise_correction_squat_stage: real MediaPipe
 * frames of other people, labelled up (standing) / down (bottom). The rows are the frames a person
 * chose to label while the video played, in time order but with gaps, so they are streamed as if
 * at 30 fps. Reported, never fitted.
 */

/** What the stage check measured on one file. */
export interface StageCheck {
  readonly file: string;
  readonly frames: number;
  /** Reps expected: "down" runs that are followed by an "up" run. */
  readonly expectedReps: number;
  readonly countedReps: number;
  /** Share of "down" frames deeper than the rep threshold, and of "up" frames shallower than the descent threshold. */
  readonly downDeepEnough: number;
  readonly upStanding: number;
}

const NAMES = new Set<string>(COCO17);
const round4 = (v: number): number => Math.round(v * 10000) / 10000;

export function checkStages(file: 'train.csv' | 'test.csv', datasets?: string): StageCheck {
  const rows = readStageRows(datasetDir(STAGE_DIR, datasets), file);
  const analyzer = new SquatAnalyzer();
  let expected = 0;
  let down = 0;
  let downDeep = 0;
  let up = 0;
  let upStand = 0;
  rows.forEach((row, i) => {
    if (i > 0 && rows[i - 1]!.label === 'down' && row.label === 'up') expected++;
    const kps: Keypoint[] = row.points
      .filter((p) => NAMES.has(p.name))
      .map((p) => ({ name: p.name as KeypointName, x: p.x, y: p.y, score: p.v }));
    const a = analyzer.push(kps, Math.round((i * 1000) / 30));
    const d = a.metrics.depth;
    if (d === null) return;
    if (row.label === 'down') {
      down++;
      if (d >= DEFAULT_STAGE_OPTIONS.minRepDepth) downDeep++;
    } else {
      up++;
      if (d < DEFAULT_STAGE_OPTIONS.descentEnter) upStand++;
    }
  });
  return {
    file,
    frames: rows.length,
    expectedReps: expected,
    countedReps: analyzer.reps,
    downDeepEnough: round4(down > 0 ? downDeep / down : 0),
    upStanding: round4(up > 0 ? upStand / up : 0),
  };
}
