import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeGifFrames, decodeToModelInput, sniffImageFormat } from './decode';
import { DEFAULT_IMAGE_LIMITS } from './image-limits';
import { PoseError, type PoseErrorCode } from './pose.errors';
import { clipFrame, clipFrames, clipsDir, FIRST_PERSON_FRAME, FRONT_CLIPS, SIDE_CLIP } from './testing/clips';
import { pngClaimingSize, reencode } from './testing/image-builders';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

async function rejectsWith(promise: Promise<unknown>, code: PoseErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PoseError, `expected a PoseError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe('decodeGifFrames on the real clips', () => {
  // Frame counts, sizes and frame times as the dataset README lists them.
  const expected: Record<string, [frames: number, width: number, height: number, delayMs: number]> = {
    'aitrainer_bending_forward_vid.gif': [50, 240, 427, 80],
    'aitrainer_no_depth_vid.gif': [60, 240, 427, 80],
    'aitrainer_olympic_squat_vid.gif': [57, 240, 427, 80],
    'dnly09_gf_1_sideview_goodform.gif': [87, 108, 192, 20],
  };

  for (const [file, [count, width, height, delayMs]] of Object.entries(expected)) {
    it(`splits ${file} into ${count} JPEG frames of ${width}x${height}`, async () => {
      const gif = await clipFrames(file);
      assert.equal(gif.frames.length, count);
      assert.equal(gif.delaysMs.length, count);
      assert.deepEqual([gif.width, gif.height], [width, height]);
      assert.ok(gif.delaysMs.every((d) => d === delayMs), `delays ${gif.delaysMs.join(',')}`);
      for (const frame of gif.frames) assert.equal(sniffImageFormat(frame), 'jpeg');
    });
  }

  it('rejects a buffer that is not a GIF', async () => {
    await rejectsWith(decodeGifFrames(Buffer.from('GIF? no')), 'INVALID_IMAGE');
  });
});

describe('decodeToModelInput', () => {
  let frame: Buffer;
  before(async () => {
    frame = await clipFrame(FRONT_CLIPS[2], FIRST_PERSON_FRAME + 3);
  });

  it('letterboxes a 240x427 frame into 192x192 RGB with black side bars', async () => {
    const input = await decodeToModelInput(frame);
    assert.equal(input.format, 'jpeg');
    assert.equal(input.rgb.length, 192 * 192 * 3);
    const lb = input.letterbox;
    assert.deepEqual([lb.srcWidth, lb.srcHeight, lb.contentWidth, lb.contentHeight], [240, 427, 108, 192]);
    assert.equal(lb.padLeft, 42);
    const column = (x: number): number[] =>
      Array.from({ length: 192 }, (_, y) => y * 192 * 3 + x * 3).flatMap((i) => [...input.rgb.subarray(i, i + 3)]);
    assert.ok(column(0).every((v) => v === 0), 'left bar is black');
    assert.ok(column(191).every((v) => v === 0), 'right bar is black');
    assert.ok(column(96).some((v) => v > 40), 'the picture is in the middle');
    assert.ok(input.decodeMs >= 0);
  });

  it('accepts PNG (grey, with alpha) and WebP and always gives 3 channels', async () => {
    for (const [format, variant] of [
      ['png', 'rgb'],
      ['png', 'grey'],
      ['png', 'alpha'],
      ['webp', 'rgb'],
    ] as const) {
      const bytes = await reencode(frame, format, variant);
      const input = await decodeToModelInput(bytes);
      assert.equal(input.format, format);
      assert.equal(input.rgb.length, 192 * 192 * 3, `${format}/${variant}`);
    }
  });

  it('rejects bytes that are no image with INVALID_IMAGE', async () => {
    await rejectsWith(decodeToModelInput(Buffer.from('{"not":"an image"}')), 'INVALID_IMAGE');
    await rejectsWith(decodeToModelInput(Buffer.alloc(0)), 'INVALID_IMAGE');
  });

  it('rejects a GIF (not a camera frame format) with INVALID_IMAGE', async () => {
    await rejectsWith(decodeToModelInput(readFileSync(join(clipsDir(), SIDE_CLIP))), 'INVALID_IMAGE');
  });

  it('rejects a JPEG that is cut short or corrupt with INVALID_IMAGE', async () => {
    await rejectsWith(decodeToModelInput(frame.subarray(0, 200)), 'INVALID_IMAGE');
    await rejectsWith(decodeToModelInput(frame.subarray(0, Math.floor(frame.length * 0.7))), 'INVALID_IMAGE');
    const scrambled = Buffer.from(frame);
    scrambled.fill(0x5a, 4, 400); // destroys the quantisation and Huffman tables
    await rejectsWith(decodeToModelInput(scrambled), 'INVALID_IMAGE');
  });

  it('rejects a header claiming more pixels than allowed with IMAGE_TOO_LARGE, without decoding it', async () => {
    const bomb = pngClaimingSize(30_000, 30_000); // 900 Mpx in a few hundred bytes
    assert.ok(bomb.length < 1_000);
    await rejectsWith(decodeToModelInput(bomb), 'IMAGE_TOO_LARGE');
  });

  it('applies configured limits on pixels and bytes', async () => {
    await rejectsWith(decodeToModelInput(frame, { ...DEFAULT_IMAGE_LIMITS, maxPixels: 240 * 427 - 1 }), 'IMAGE_TOO_LARGE');
    await rejectsWith(decodeToModelInput(frame, { ...DEFAULT_IMAGE_LIMITS, maxBytes: frame.length - 1 }), 'IMAGE_TOO_LARGE');
    const exact = await decodeToModelInput(frame, { maxBytes: frame.length, maxPixels: 240 * 427 });
    assert.equal(exact.rgb.length, 192 * 192 * 3);
  });
});

describe('sniffImageFormat', () => {
  it('knows JPEG, PNG and WebP by their magic bytes only', async () => {
    const frame = await clipFrame(SIDE_CLIP, 0);
    assert.equal(sniffImageFormat(frame), 'jpeg');
    assert.equal(sniffImageFormat(await reencode(frame, 'png')), 'png');
    assert.equal(sniffImageFormat(await reencode(frame, 'webp')), 'webp');
    assert.equal(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WAVE')), undefined);
    assert.equal(sniffImageFormat(Buffer.from([0xff, 0xd8])), undefined);
  });
});
