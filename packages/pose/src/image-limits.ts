/** Bounds on an incoming image, checked before any pixel is decoded. */
export interface ImageLimits {
  /** Largest encoded size accepted, in bytes. */
  readonly maxBytes: number;
  /** Largest width x height accepted (after EXIF orientation). */
  readonly maxPixels: number;
}

// A phone camera frame sent for pose estimation is a few hundred KB at most; 8 MiB and
// 16 Mpx leave room for a full-resolution still while keeping a decompression bomb out.
export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxPixels: 4096 * 4096,
});

export function resolveImageLimits(partial: Partial<ImageLimits> = {}): ImageLimits {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`image limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}
