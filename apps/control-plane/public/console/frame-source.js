// Where frames come from: the camera (getUserMedia) or a sample GIF clip decoded in the page
// (WebCodecs ImageDecoder), each frame encoded as JPEG in the binary SQF1 frame.

const MAGIC = [0x53, 0x51, 0x46, 0x31]; // "SQF1"
const HEADER_BYTES = 16;
const MAX_WIDTH = 640;
const JPEG_QUALITY = 0.8;

/** The binary frame (apps/inference/src/stream/frame-parser.ts): magic, uint32 LE frameNumber, float64 LE epoch ms, image. */
export function encodeFrame(frameNumber, timestampMs, jpeg) {
  const out = new Uint8Array(HEADER_BYTES + jpeg.byteLength);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, frameNumber >>> 0, true);
  view.setFloat64(8, timestampMs, true);
  out.set(new Uint8Array(jpeg), HEADER_BYTES);
  return out.buffer;
}

function scaled(width, height) {
  const k = width > MAX_WIDTH ? MAX_WIDTH / width : 1;
  return { width: Math.round(width * k), height: Math.round(height * k) };
}

function workCanvas(width, height) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

async function toJpeg(canvas) {
  const blob = await new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('JPEG encode failed'))), 'image/jpeg', JPEG_QUALITY),
  );
  return blob.arrayBuffer();
}

/** The camera: each `next()` is the newest frame the camera presented since the last one (newest wins). */
export class CameraSource {
  constructor(video) {
    this.video = video;
    this.kind = 'camera';
    this.presented = 0;
    this.taken = 0;
    /** Camera frames never sent: newer ones replaced them while a frame was in flight. */
    this.skipped = 0;
    this.waiters = [];
  }

  async open() {
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    this.video.srcObject = this.stream;
    await this.video.play();
    if (!this.video.videoWidth) await new Promise((r) => this.video.addEventListener('loadedmetadata', r, { once: true }));
    const { width, height } = scaled(this.video.videoWidth, this.video.videoHeight);
    this.width = width;
    this.height = height;
    this.canvas = workCanvas(width, height);
    this.ctx = this.canvas.getContext('2d');
    const onFrame = () => {
      this.presented += 1;
      for (const w of this.waiters.splice(0)) w();
      if (this.stream) this.video.requestVideoFrameCallback(onFrame);
    };
    if ('requestVideoFrameCallback' in this.video) this.video.requestVideoFrameCallback(onFrame);
    else this.presented = Infinity;
  }

  /** `{jpeg, timestampMs}` of the newest frame (waits for one not yet sent). */
  async next() {
    if (this.presented !== Infinity && this.presented <= this.taken) {
      await new Promise((r) => this.waiters.push(r));
    }
    if (!this.stream) return undefined;
    if (this.presented !== Infinity && this.taken > 0) this.skipped += Math.max(0, this.presented - this.taken - 1);
    this.taken = this.presented;
    const timestampMs = Date.now();
    this.ctx.drawImage(this.video, 0, 0, this.width, this.height);
    return { jpeg: await toJpeg(this.canvas), timestampMs };
  }

  close() {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
    for (const w of this.waiters.splice(0)) w();
    this.video.srcObject = null;
  }
}

/**
 * A sample clip, streamed once: every frame in order with the clip's own timing as timestamps,
 * then its last frame held for HOLD_MS (the person standing after the rep, as a camera would keep
 * showing; a rep is confirmed a moment after it ends). Then `next()` returns undefined.
 */
export class ClipSource {
  static HOLD_MS = 1500;

  constructor(url, display) {
    this.url = url;
    this.display = display;
    this.kind = 'clip';
    this.index = 0;
    this.skipped = 0;
  }

  async open() {
    if (typeof ImageDecoder === 'undefined') throw new Error('이 브라우저는 ImageDecoder(WebCodecs)를 지원하지 않습니다');
    const res = await fetch(this.url);
    if (!res.ok) throw new Error(`클립을 불러오지 못했습니다 (${res.status})`);
    this.decoder = new ImageDecoder({ data: await res.arrayBuffer(), type: 'image/gif' });
    await this.decoder.tracks.ready;
    // frameCount grows while the data is parsed: wait for all of it.
    await this.decoder.completed;
    this.frameCount = this.decoder.tracks.selectedTrack.frameCount;
    const first = (await this.decoder.decode({ frameIndex: 0 })).image;
    const { width, height } = scaled(first.displayWidth, first.displayHeight);
    first.close();
    this.width = width;
    this.height = height;
    this.canvas = workCanvas(width, height);
    this.ctx = this.canvas.getContext('2d');
    this.display.width = width;
    this.display.height = height;
    this.t = Date.now();
    this.lastStepMs = 80;
    this.holdLeft = undefined;
  }

  async next() {
    if (!this.decoder) return undefined;
    if (this.index < this.frameCount) {
      const { image } = await this.decoder.decode({ frameIndex: this.index });
      this.index += 1;
      this.ctx.drawImage(image, 0, 0, this.width, this.height);
      const step = image.duration ? image.duration / 1000 : this.lastStepMs;
      image.close();
      this.lastStepMs = step > 0 ? step : 80;
    } else {
      if (this.holdLeft === undefined) this.holdLeft = Math.ceil(ClipSource.HOLD_MS / this.lastStepMs);
      if (this.holdLeft <= 0) return undefined;
      this.holdLeft -= 1;
    }
    const timestampMs = this.t;
    this.t += this.lastStepMs;
    this.display.getContext('2d').drawImage(this.canvas, 0, 0);
    return { jpeg: await toJpeg(this.canvas), timestampMs };
  }

  close() {
    this.decoder?.close();
    this.decoder = undefined;
  }
}
