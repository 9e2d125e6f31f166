import { cropToImage, type Roi } from './roi';

/** Decoded RGB pixels of a whole frame, row-major, 3 bytes per pixel. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Samples a rotated ROI of `image` into a size x size float tensor buffer (RGB, HWC), with each
 * channel mapped from [0, 255] to [lo, hi]. Bilinear; pixels outside the image are black (the
 * value `lo`), as a letterbox pads. Writes into `out` (reused per frame) and returns it.
 */
export function cropToTensor(image: RgbImage, roi: Roi, size: number, range: readonly [number, number], out?: Float32Array): Float32Array {
  const values = size * size * 3;
  const buf = out ?? new Float32Array(values);
  if (buf.length !== values) throw new RangeError(`output buffer holds ${buf.length} values, need ${values}`);
  const { data, width, height } = image;
  if (data.length !== width * height * 3) throw new RangeError(`image data is ${data.length} bytes for ${width}x${height} RGB`);
  const [lo, hi] = range;
  const k = (hi - lo) / 255;
  // The crop-to-image map is affine: step along a row and down a column by constant vectors.
  const origin = cropToImage(roi, 0.5 / size, 0.5 / size);
  const right = cropToImage(roi, 1.5 / size, 0.5 / size);
  const down = cropToImage(roi, 0.5 / size, 1.5 / size);
  const ux = right.x - origin.x;
  const uy = right.y - origin.y;
  const vx = down.x - origin.x;
  const vy = down.y - origin.y;
  const px = (ix: number, iy: number, c: number): number =>
    ix < 0 || iy < 0 || ix >= width || iy >= height ? 0 : (data[(iy * width + ix) * 3 + c] as number);
  let o = 0;
  for (let row = 0; row < size; row++) {
    // pixel centres: image pixel i covers [i, i+1), so sample at (x - 0.5)
    let sx = origin.x + row * vx - 0.5;
    let sy = origin.y + row * vy - 0.5;
    for (let col = 0; col < size; col++, sx += ux, sy += uy) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        const i00 = (y0 * width + x0) * 3;
        const i10 = i00 + 3;
        const i01 = i00 + width * 3;
        const i11 = i01 + 3;
        for (let c = 0; c < 3; c++) {
          const top = (data[i00 + c] as number) + ((data[i10 + c] as number) - (data[i00 + c] as number)) * fx;
          const bottom = (data[i01 + c] as number) + ((data[i11 + c] as number) - (data[i01 + c] as number)) * fx;
          buf[o++] = lo + (top + (bottom - top) * fy) * k;
        }
      } else {
        for (let c = 0; c < 3; c++) {
          const top = px(x0, y0, c) + (px(x0 + 1, y0, c) - px(x0, y0, c)) * fx;
          const bottom = px(x0, y0 + 1, c) + (px(x0 + 1, y0 + 1, c) - px(x0, y0 + 1, c)) * fx;
          buf[o++] = lo + (top + (bottom - top) * fy) * k;
        }
      }
    }
  }
  return buf;
}
