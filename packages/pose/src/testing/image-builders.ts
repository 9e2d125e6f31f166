// Test support: small builders for images that are hard to find as real files.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A PNG whose header claims width x height RGB pixels but whose data is a few bytes: a decompression
 * bomb in miniature. Only a decoder that checks the header first survives it cheaply.
 */
export function pngClaimingSize(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Re-encodes a frame in another container format (png, webp), optionally greyscale or with alpha. */
export async function reencode(
  frame: Buffer,
  format: 'png' | 'webp',
  variant: 'rgb' | 'grey' | 'alpha' = 'rgb',
): Promise<Buffer> {
  let img = sharp(frame);
  if (variant === 'grey') img = img.greyscale();
  if (variant === 'alpha') img = img.ensureAlpha(0.5);
  return format === 'png' ? img.png().toBuffer() : img.webp({ quality: 90 }).toBuffer();
}

/** The frame mirrored left-right, re-encoded as JPEG. */
export function mirrored(frame: Buffer): Promise<Buffer> {
  return sharp(frame).flop().jpeg({ quality: 90 }).toBuffer();
}

/**
 * The frame stored sideways (pixels turned 90° anticlockwise) with EXIF orientation 6, as a phone
 * held upright writes it: displayed (auto-oriented), it is the original frame again.
 */
export async function storedSideways(frame: Buffer): Promise<Buffer> {
  return sharp(await sharp(frame).rotate(270).jpeg({ quality: 90 }).toBuffer())
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The frame turned 90° clockwise in its pixels (no EXIF): a portrait frame becomes a landscape one. */
export function turned(frame: Buffer): Promise<Buffer> {
  return sharp(frame).rotate(90).jpeg({ quality: 90 }).toBuffer();
}

/** The frame resized to width x height (stretched if the shape differs), re-encoded as JPEG. */
export function resized(frame: Buffer, width: number, height: number): Promise<Buffer> {
  return sharp(frame).resize(width, height, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
}

/** The frame with black added on its right, `extra` pixels wide, re-encoded as JPEG. */
export function paddedRight(frame: Buffer, extra: number): Promise<Buffer> {
  return sharp(frame)
    .extend({ right: extra, background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
