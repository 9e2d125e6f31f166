import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { type ImageLimits, DEFAULT_IMAGE_LIMITS } from './image-limits';
import { computeLetterbox, type Letterbox } from './letterbox';
import { MOVENET_INPUT_SIZE } from './model-files';
import type { RgbImage } from './blazepose/crop';
import { PoseError } from './pose.errors';

/**
 * Size in pixels of the decoded (EXIF-oriented) frame a pose's normalised coordinates refer to: x is
 * over `width`, y over `height`, so `width / height` turns x into y's units (the analyzer's aspect ratio).
 */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** Image formats accepted as camera frames. */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

/** A decoded frame ready for MoveNet: square RGB pixels plus the letterbox to map keypoints back. */
export interface ModelInput {
  /** inputSize x inputSize x 3 bytes, row-major RGB. */
  readonly rgb: Uint8Array;
  readonly letterbox: Letterbox;
  readonly format: ImageFormat;
  readonly decodeMs: number;
}

/** Frames of an animated GIF, each re-encoded as JPEG so they look like camera frames on the wire. */
export interface GifFrames {
  readonly width: number;
  readonly height: number;
  readonly frames: Buffer[];
  readonly delaysMs: number[];
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0): boolean =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Recognises JPEG, PNG and WebP by their magic bytes, before libvips sees the data. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  return undefined;
}

const SHARP_FORMATS: Readonly<Record<ImageFormat, string>> = { jpeg: 'jpeg', png: 'png', webp: 'webp' };

/**
 * Decodes a JPEG/PNG/WebP frame and letterboxes it into the square model input: keep the aspect
 * ratio, centre it, pad with black. Only the magic bytes and the header are read before the limits
 * are checked, so an oversize image costs no pixel decoding.
 */
export async function decodeToModelInput(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
  inputSize: number = MOVENET_INPUT_SIZE,
): Promise<ModelInput> {
  const started = performance.now();
  const { format, width, height } = await readCheckedHeader(bytes, limits);
  const letterbox = computeLetterbox(width, height, inputSize);
  const black = { r: 0, g: 0, b: 0 };
  let rgb: Buffer;
  try {
    // libvips pipeline order is orient -> flatten -> resize -> extend. `failOn: 'error'` rejects corrupt
    // or truncated data (a half-received frame would give a half-grey picture and a wrong pose) but
    // tolerates mere warnings such as trailing bytes.
    const out = await sharp(bytes, { autoOrient: true, limitInputPixels: limits.maxPixels, failOn: 'error' })
      .flatten({ background: black })
      .toColourspace('srgb')
      .resize(letterbox.contentWidth, letterbox.contentHeight, { fit: 'fill' })
      .extend({
        left: letterbox.padLeft,
        top: letterbox.padTop,
        right: inputSize - letterbox.contentWidth - letterbox.padLeft,
        bottom: inputSize - letterbox.contentHeight - letterbox.padTop,
        background: black,
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.info.width !== inputSize || out.info.height !== inputSize || out.info.channels !== 3) {
      throw new Error(`pipeline produced ${out.info.width}x${out.info.height}x${out.info.channels}`);
    }
    rgb = out.data;
  } catch (error) {
    throw new PoseError('INVALID_IMAGE', `cannot decode ${format} image: ${(error as Error).message}`);
  }
  return { rgb, letterbox, format, decodeMs: performance.now() - started };
}

/** Format and (oriented) size of a frame, after the byte and pixel limits were checked on the header alone. */
async function readCheckedHeader(bytes: Uint8Array, limits: ImageLimits): Promise<{ format: ImageFormat; width: number; height: number }> {
  if (bytes.byteLength > limits.maxBytes) {
    throw new PoseError('IMAGE_TOO_LARGE', `image is ${bytes.byteLength} bytes, the limit is ${limits.maxBytes}`);
  }
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw new PoseError('INVALID_IMAGE', 'not a JPEG, PNG or WebP image');

  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (meta.format !== SHARP_FORMATS[format]) throw new Error(`header says ${meta.format}, bytes say ${format}`);
    ({ width, height } = meta.autoOrient);
  } catch (error) {
    throw new PoseError('INVALID_IMAGE', `unreadable ${format} header: ${(error as Error).message}`);
  }
  if (!(width > 0 && height > 0)) throw new PoseError('INVALID_IMAGE', `image has no size (${width}x${height})`);
  if (width * height > limits.maxPixels) {
    throw new PoseError('IMAGE_TOO_LARGE', `image is ${width}x${height} pixels, the limit is ${limits.maxPixels}`);
  }

  return { format, width, height };
}

/** Longest side of a frame decoded for BlazePose; larger frames are shrunk to it. */
export const MAX_RGB_SIDE = 640;

/** A whole decoded frame as RGB bytes, for models that crop it themselves (BlazePose). */
export interface DecodedRgb extends RgbImage {
  readonly format: ImageFormat;
  readonly decodeMs: number;
}

/**
 * Decodes a JPEG/PNG/WebP frame to full-size RGB (EXIF orientation applied, alpha flattened onto
 * black), with the same limits and refusals as decodeToModelInput.
 */
export async function decodeToRgb(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
  maxSide = MAX_RGB_SIDE,
): Promise<DecodedRgb> {
  const started = performance.now();
  const header = await readCheckedHeader(bytes, limits);
  const { format } = header;
  // Larger frames are shrunk by libvips first: the model sees a 256-pixel crop, and coordinates
  // come back normalised, so a full-size raw copy would only cost memory and time.
  const shrink = Math.min(1, maxSide / Math.max(header.width, header.height));
  const width = Math.max(1, Math.round(header.width * shrink));
  const height = Math.max(1, Math.round(header.height * shrink));
  try {
    let pipeline = sharp(bytes, { autoOrient: true, limitInputPixels: limits.maxPixels, failOn: 'error' })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .toColourspace('srgb');
    if (shrink < 1) pipeline = pipeline.resize(width, height, { fit: 'fill' });
    const out = await pipeline
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.info.width !== width || out.info.height !== height || out.info.channels !== 3) {
      throw new Error(`pipeline produced ${out.info.width}x${out.info.height}x${out.info.channels}, header said ${width}x${height}`);
    }
    return { data: out.data, width, height, format, decodeMs: performance.now() - started };
  } catch (error) {
    throw new PoseError('INVALID_IMAGE', `cannot decode ${format} image: ${(error as Error).message}`);
  }
}

/** Splits an animated GIF into JPEG frames (quality 80) with their display times. */
export async function decodeGifFrames(bytes: Buffer, quality = 80): Promise<GifFrames> {
  if (!startsWith(bytes, ascii('GIF8'))) throw new PoseError('INVALID_IMAGE', 'not a GIF');
  const meta = await sharp(bytes, { animated: true }).metadata();
  const pages = meta.pages ?? 1;
  const width = meta.width;
  const height = meta.pageHeight ?? meta.height;
  // One decode of the whole animation (libvips composes frames with their disposal rules), then
  // slice the tall raw strip page by page.
  const { data, info } = await sharp(bytes, { animated: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const frameBytes = width * height * info.channels;
  if (data.byteLength !== frameBytes * pages) {
    throw new PoseError('INVALID_IMAGE', `GIF strip is ${data.byteLength} bytes, expected ${frameBytes * pages}`);
  }
  const frames = await Promise.all(
    Array.from({ length: pages }, (_, i) =>
      sharp(data.subarray(i * frameBytes, (i + 1) * frameBytes), {
        raw: { width, height, channels: info.channels as 1 | 2 | 3 | 4 },
      })
        .jpeg({ quality })
        .toBuffer(),
    ),
  );
  const delays = meta.delay ?? [];
  return { width, height, frames, delaysMs: frames.map((_, i) => delays[i] ?? 0) };
}
