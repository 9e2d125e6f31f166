/**
 * Regions of interest for the BlazePose landmark model: a rotated square in the original image,
 * found from two alignment points (a centre and a scale point), and the maps between the crop and
 * the image. Pure functions; everything is in pixels of the original image, so rotation is exact
 * whatever the image's aspect ratio.
 */

/** A rotated rectangle in original-image pixels; the crop's "up" is `rotation` radians from the image's. */
export interface Roi {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  /** Radians, in [-π, π); 0 means the crop is upright in the image, π/2 that the crop's up is the image's right. */
  readonly rotation: number;
}

/** A point in original-image pixels. */
export interface PixelPoint {
  readonly x: number;
  readonly y: number;
}

/** MediaPipe enlarges the alignment square by 1.25 on each side so the whole body fits. */
export const ROI_SCALE = 1.25;
/** The scale point sits straight above the centre for an upright person: 90° in image terms. */
const TARGET_ANGLE = Math.PI / 2;

/** Wraps an angle into [-π, π). */
export function normalizeRadians(angle: number): number {
  return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
}

/**
 * The square ROI from a centre point and a scale point (detector keypoints 0/1, or landmarks 33/34):
 * centred on the centre, side = 2 x their distance x `scale`, rotated so the scale point is "up".
 */
export function roiFromAlignmentPoints(center: PixelPoint, scalePoint: PixelPoint, scale = ROI_SCALE): Roi {
  const dx = scalePoint.x - center.x;
  const dy = scalePoint.y - center.y;
  const side = 2 * Math.hypot(dx, dy) * scale;
  // y grows downward in images, hence -dy
  const rotation = normalizeRadians(TARGET_ANGLE - Math.atan2(-dy, dx));
  return { cx: center.x, cy: center.y, width: side, height: side, rotation };
}

/** The whole image, letterboxed into a square (the detector's input): no rotation. */
export function letterboxRoi(srcWidth: number, srcHeight: number): Roi {
  const side = Math.max(srcWidth, srcHeight);
  return { cx: srcWidth / 2, cy: srcHeight / 2, width: side, height: side, rotation: 0 };
}

/** A point in the crop, normalised to [0, 1] (u right, v down), mapped to original-image pixels. */
export function cropToImage(roi: Roi, u: number, v: number): PixelPoint {
  const x = (u - 0.5) * roi.width;
  const y = (v - 0.5) * roi.height;
  const c = Math.cos(roi.rotation);
  const s = Math.sin(roi.rotation);
  return { x: roi.cx + c * x - s * y, y: roi.cy + s * x + c * y };
}

/** Inverse of cropToImage: an original-image pixel point in normalised crop coordinates. */
export function imageToCrop(roi: Roi, p: PixelPoint): { u: number; v: number } {
  const dx = p.x - roi.cx;
  const dy = p.y - roi.cy;
  const c = Math.cos(roi.rotation);
  const s = Math.sin(roi.rotation);
  return { u: (c * dx + s * dy) / roi.width + 0.5, v: (-s * dx + c * dy) / roi.height + 0.5 };
}

/** True when the ROI has a usable, finite size (a degenerate one means tracking is lost). */
export function isUsableRoi(roi: Roi, minSidePx = 8): boolean {
  return [roi.cx, roi.cy, roi.width, roi.height, roi.rotation].every(Number.isFinite) && roi.width >= minSidePx && roi.height >= minSidePx;
}
