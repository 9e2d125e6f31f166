// Test support for the console's browser test: a fake-camera file made from a real clip, an
// insole that posts like the ESP32 does, and a TCP proxy in front of the data plane that a test
// can cut (a dropped connection, as a phone losing its network would see).
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { decodeGifFrames } from '@squirret/pose';
import sharp from 'sharp';

/** Chromium's MJPEG fake capture plays a file at this rate (media/capture/video/file_video_capture_device.cc). */
export const MJPEG_FPS = 30;

/**
 * Writes an MJPEG file (JPEG frames back to back) for `--use-file-for-fake-video-capture` from a
 * one-rep GIF: `leadMs` of its first person frame, the clip at its own timing resampled to 30 fps,
 * then its last frame for `holdMs` (the person standing after the rep). The fake camera loops the
 * file, so `holdMs` bounds how long one pass shows exactly one rep. Frames are resized to even
 * dimensions (the capture converts to I420). Returns the path and the pass length.
 */
export async function writeMjpegFromGif(gif: Buffer, dir: string, opts: { firstFrame: number; leadMs: number; holdMs: number }): Promise<{ path: string; passMs: number; width: number; height: number }> {
  const clip = await decodeGifFrames(gif);
  const width = clip.width + (clip.width % 2);
  const height = clip.height + (clip.height % 2);
  const even = await Promise.all(clip.frames.map((f) => sharp(f).resize(width, height, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer()));
  const person = even.slice(opts.firstFrame);
  const delays = clip.delaysMs.slice(opts.firstFrame).map((d) => (d > 0 ? d : 100));
  const step = 1000 / MJPEG_FPS;
  const out: Buffer[] = [];
  for (let t = 0; t < opts.leadMs; t += step) out.push(person[0]!);
  // The clip: at time t show the frame whose display interval holds t.
  const total = delays.reduce((a, b) => a + b, 0);
  for (let t = 0, i = 0, start = 0; t < total; t += step) {
    while (i < delays.length - 1 && t >= start + delays[i]!) start += delays[i++]!;
    out.push(person[i]!);
  }
  for (let t = 0; t < opts.holdMs; t += step) out.push(person.at(-1)!);
  const path = join(dir, 'one-rep.mjpeg');
  writeFileSync(path, Buffer.concat(out));
  return { path, passMs: out.length * step, width, height };
}

/** An ESP32 insole pair posting to /api/fsr_data: the load sways between the forefoot and the heel. */
export class InsolePoster {
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;
  posted = 0;
  failed = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly deviceId: string,
    private readonly periodMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.post(), this.periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async post(): Promise<void> {
    const phase = Math.sin(this.tick++ / 5);
    const front = 30 + 20 * phase;
    const heel = 60 - front;
    for (const side of ['left', 'right'] as const) {
      const inner = side === 'left' ? 1.1 : 0.9;
      const body = {
        side,
        deviceId: this.deviceId,
        ratio1: round((front / 2) * inner),
        ratio2: round((front / 2) * (2 - inner)),
        ratio3: 12,
        ratio4: 8,
        ratio5: round((heel / 2) * inner),
        ratio6: round((heel / 2) * (2 - inner)),
      };
      try {
        const r = await fetch(`${this.baseUrl}/api/fsr_data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        await r.arrayBuffer();
        if (r.status === 202) this.posted += 1;
        else this.failed += 1;
      } catch {
        this.failed += 1;
      }
    }
  }
}

const round = (v: number): number => Math.round(v * 10) / 10;

/** A TCP proxy to the data plane: `cut()` destroys every connection through it (the browser sees 1006). */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  target = 0;
  cuts = 0;

  async listen(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const forget = () => {
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    return address.port;
  }

  /** Open connections through the proxy right now. */
  get open(): number {
    return this.sockets.size / 2;
  }

  cut(): void {
    this.cuts += 1;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
