/**
 * BlazePose detector output decoding: SSD anchors and the best person box. Pure functions.
 *
 * The detector (224x224 input) predicts, for each of 2254 anchors, a score logit and 12 offsets:
 * box centre x/y, box width/height, then 4 keypoints (x, y). Keypoint 0 is the hip centre and
 * keypoint 1 a point whose distance from it is half the full-body size; the pair gives the ROI's
 * centre, size and rotation (see roi.ts). Anchor layout as MediaPipe's SSD anchor generator builds
 * it for pose detection: 5 layers, strides 8/16/32/32/32, two anchors per layer and cell (aspect 1
 * plus the interpolated scale), fixed anchor size, offset 0.5.
 */

/** One SSD anchor centre, normalised to the detector input. */
export interface Anchor {
  readonly x: number;
  readonly y: number;
}

/** How the anchors are laid out over the detector input. */
export interface AnchorLayout {
  readonly inputSize: number;
  readonly strides: readonly number[];
  /** Anchors per cell per layer (MediaPipe: 1 aspect ratio + the interpolated scale = 2). */
  readonly anchorsPerLayer: number;
  readonly offset: number;
}

/** BlazePose detector: 28² x 2 + 14² x 2 + 7² x 6 = 2254 anchors. */
export const BLAZEPOSE_DETECTOR_ANCHORS: AnchorLayout = {
  inputSize: 224,
  strides: [8, 16, 32, 32, 32],
  anchorsPerLayer: 2,
  offset: 0.5,
};

/** Values per anchor in the detector output: score, box (4), keypoints (4 x 2). */
export const DETECTOR_VALUES_PER_ANCHOR = 13;
export const DETECTOR_KEYPOINTS = 4;

/** Anchor centres in the order the detector emits them (layers sharing a stride share one grid). */
export function generateAnchors(layout: AnchorLayout = BLAZEPOSE_DETECTOR_ANCHORS): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < layout.strides.length) {
    const stride = layout.strides[layer] as number;
    let sameStride = 0;
    while (layer < layout.strides.length && layout.strides[layer] === stride) {
      sameStride++;
      layer++;
    }
    const cells = Math.ceil(layout.inputSize / stride);
    const perCell = sameStride * layout.anchorsPerLayer;
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) anchors.push({ x: (x + layout.offset) / cells, y: (y + layout.offset) / cells });
      }
    }
  }
  return anchors;
}

/** A decoded person detection, normalised to the detector input. */
export interface Detection {
  /** Probability in [0, 1]. */
  readonly score: number;
  readonly box: { readonly cx: number; readonly cy: number; readonly w: number; readonly h: number };
  /** Hip centre, full-body scale point, shoulder centre, upper-body scale point. */
  readonly keypoints: readonly { readonly x: number; readonly y: number }[];
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** MediaPipe clips the score logit to ±100 before the sigmoid. */
const SCORE_CLIP = 100;

/**
 * The highest-scoring detection at or above `minScore`, or undefined. One person is tracked, so
 * the best anchor stands for the person (non-max suppression would only drop its neighbours).
 */
export function decodeBestDetection(
  raw: ArrayLike<number>,
  anchors: readonly Anchor[],
  minScore = 0.5,
  inputSize = BLAZEPOSE_DETECTOR_ANCHORS.inputSize,
): Detection | undefined {
  if (raw.length !== anchors.length * DETECTOR_VALUES_PER_ANCHOR) {
    throw new RangeError(`detector output must hold ${anchors.length * DETECTOR_VALUES_PER_ANCHOR} values, got ${raw.length}`);
  }
  let best = -1;
  let bestLogit = -Infinity;
  for (let i = 0; i < anchors.length; i++) {
    const logit = raw[i * DETECTOR_VALUES_PER_ANCHOR] ?? -Infinity;
    if (logit > bestLogit) {
      bestLogit = logit;
      best = i;
    }
  }
  if (best < 0) return undefined;
  const score = sigmoid(Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, bestLogit)));
  if (!(score >= minScore)) return undefined;
  const a = anchors[best] as Anchor;
  const at = (j: number): number => (raw[best * DETECTOR_VALUES_PER_ANCHOR + j] ?? 0) / inputSize;
  const keypoints = Array.from({ length: DETECTOR_KEYPOINTS }, (_, k) => ({ x: at(5 + 2 * k) + a.x, y: at(6 + 2 * k) + a.y }));
  return { score, box: { cx: at(1) + a.x, cy: at(2) + a.y, w: at(3), h: at(4) }, keypoints };
}
