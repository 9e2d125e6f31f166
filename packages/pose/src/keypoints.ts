import { COCO17, type Keypoint } from '@squirret/contracts';
import { inputToOriginal, type Letterbox } from './letterbox';

/** Values per keypoint in MoveNet's output row: y, x, score. */
const STRIDE = 3;

/**
 * Turns MoveNet's raw output ([1,1,17,3] = y, x, score, normalised to the model input) into the
 * 17 named COCO keypoints normalised to the original image.
 */
export function decodeMoveNetOutput(raw: ArrayLike<number>, letterbox: Letterbox): Keypoint[] {
  if (raw.length !== COCO17.length * STRIDE) {
    throw new RangeError(`MoveNet output must hold ${COCO17.length * STRIDE} values, got ${raw.length}`);
  }
  return COCO17.map((name, i) => {
    const yIn = raw[i * STRIDE] ?? 0;
    const xIn = raw[i * STRIDE + 1] ?? 0;
    const score = raw[i * STRIDE + 2] ?? 0;
    const { x, y } = inputToOriginal(letterbox, xIn, yIn);
    return { name, x, y, score: Math.min(1, Math.max(0, score)) };
  });
}
