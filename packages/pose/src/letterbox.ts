/** Where an original image sits inside the square model input after a keep-aspect resize and padding. */
export interface Letterbox {
  readonly srcWidth: number;
  readonly srcHeight: number;
  /** Side of the square model input, in pixels (192 for MoveNet Lightning). */
  readonly inputSize: number;
  /** Size of the resized image inside the input, in pixels. */
  readonly contentWidth: number;
  readonly contentHeight: number;
  /** Padding before the content, in input pixels (the rest of the padding goes after it). */
  readonly padLeft: number;
  readonly padTop: number;
}

export function computeLetterbox(srcWidth: number, srcHeight: number, inputSize: number): Letterbox {
  if (!(srcWidth > 0 && srcHeight > 0 && inputSize > 0)) {
    throw new RangeError(`letterbox needs positive sizes, got ${srcWidth}x${srcHeight} -> ${inputSize}`);
  }
  const scale = inputSize / Math.max(srcWidth, srcHeight);
  const contentWidth = Math.min(inputSize, Math.max(1, Math.round(srcWidth * scale)));
  const contentHeight = Math.min(inputSize, Math.max(1, Math.round(srcHeight * scale)));
  return {
    srcWidth,
    srcHeight,
    inputSize,
    contentWidth,
    contentHeight,
    padLeft: Math.floor((inputSize - contentWidth) / 2),
    padTop: Math.floor((inputSize - contentHeight) / 2),
  };
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Maps a point normalised to the model input back to [0, 1] coordinates of the original image. */
export function inputToOriginal(lb: Letterbox, xIn: number, yIn: number): { x: number; y: number } {
  return {
    x: clamp01((xIn * lb.inputSize - lb.padLeft) / lb.contentWidth),
    y: clamp01((yIn * lb.inputSize - lb.padTop) / lb.contentHeight),
  };
}

/** Inverse of inputToOriginal (no clamping): where an original-image point lands in the model input. */
export function originalToInput(lb: Letterbox, x: number, y: number): { x: number; y: number } {
  return {
    x: (x * lb.contentWidth + lb.padLeft) / lb.inputSize,
    y: (y * lb.contentHeight + lb.padTop) / lb.inputSize,
  };
}
