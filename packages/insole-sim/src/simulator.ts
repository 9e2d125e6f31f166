import {
  FSR_BATCH_MAX_SAMPLES,
  FSR_DEVICE_ID_HEADER,
  type FsrBatchSample,
  type FsrFeedbackResponse,
  type FsrFoot,
  type FsrStreamMessage,
} from '@squirret/contracts';
import { WebSocket } from 'ws';
import { insoleFrame, type InsolePattern, type InsolePhase } from './patterns';

/** What one simulator run is told: where, how many insole pairs, how fast, which pattern, for how long. */
export interface SimulatorOptions {
  readonly baseUrl: string;
  readonly devices: number;
  readonly hz: number;
  readonly pattern: InsolePattern;
  /** Post every second's samples as one `/api/fsr_data/batch` instead of one POST per foot per tick. */
  readonly batch: boolean;
  /** Stay "offline" for the first N ms: buffer every sample, then flush them through `/batch`. */
  readonly offlineMs: number;
  readonly durationMs: number;
  readonly feedbackEveryMs: number;
  readonly devicePrefix: string;
  /** `X-Internal-Api-Key` for issuing device tokens when the service requires it. */
  readonly internalKey?: string | undefined;
  /** Binds the devices to an app session (its AI status then sets the stage). */
  readonly sessionId?: string | undefined;
  /** Where lines go (stdout by default). */
  readonly log?: (line: string) => void;
}

/** One feedback answer as the simulator saw it, with the phase the pattern was in. */
export interface FeedbackObservation {
  readonly deviceId: string;
  readonly atMs: number;
  readonly phase: InsolePhase;
  readonly feedback: FsrFeedbackResponse;
}

/** What a run did: counts, and every distinct (stage, status, feedback) seen per device. */
export interface SimulatorSummary {
  readonly pattern: InsolePattern;
  readonly devices: readonly string[];
  readonly tokens: boolean;
  readonly sent: number;
  readonly accepted: number;
  readonly refused: number;
  /** Refused samples by HTTP status, or `network` when the connection kept failing. */
  readonly refusedBy: Readonly<Record<string, number>>;
  readonly batches: number;
  /** Requests sent again after a connection error. */
  readonly retried: number;
  readonly streamed: number;
  readonly feedback: readonly { readonly stage: string; readonly status: string; readonly feedback: string; readonly count: number }[];
}

/** Tries per request when the connection fails (not when the service answers). */
const POST_ATTEMPTS = 3;

/** An error with fetch's cause (its own message is only "fetch failed"). */
const describe = (e: unknown): string =>
  e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);

interface Device {
  readonly id: string;
  readonly offsetMs: number;
  token?: string;
  buffer: FsrBatchSample[];
  lastFeedback?: string;
}

/** Runs simulated ESP32 insole pairs against the FSR service and reports what the feedback said. */
export class InsoleSimulator {
  private readonly log: (line: string) => void;
  private sent = 0;
  private accepted = 0;
  private refused = 0;
  private batches = 0;
  private retried = 0;
  private readonly refusedBy: Record<string, number> = {};
  private streamed = 0;
  private readonly seen = new Map<string, { stage: string; status: string; feedback: string; count: number }>();
  private readonly sockets: WebSocket[] = [];

  constructor(private readonly o: SimulatorOptions) {
    this.log = o.log ?? ((l) => process.stdout.write(`${l}\n`));
  }

  async run(): Promise<SimulatorSummary> {
    const devices: Device[] = Array.from({ length: this.o.devices }, (_, i) => ({
      id: `${this.o.devicePrefix}${i + 1}`,
      // devices squat out of step with each other, as a room of people would
      offsetMs: i * 700,
      buffer: [],
    }));
    for (const d of devices) {
      const token = await this.issueToken(d.id);
      if (token) d.token = token;
    }
    const tokens = devices.some((d) => d.token);
    this.log(`simulating ${devices.length} insole pair(s) at ${this.o.hz} Hz, pattern ${this.o.pattern}, ${tokens ? 'with device tokens' : 'no device tokens (ingest is open)'}${this.o.offlineMs > 0 ? `, offline for the first ${this.o.offlineMs} ms` : ''}`);
    for (const d of devices) this.subscribe(d.id);

    const start = Date.now();
    const tickMs = 1000 / this.o.hz;
    let tick = 0;
    let nextFeedback = start + this.o.feedbackEveryMs;
    let nextBatch = start + 1000;
    const inFlight = new Set<Promise<void>>();
    const track = (p: Promise<void>) => {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    };
    let wasOffline = this.o.offlineMs > 0;
    while (Date.now() - start < this.o.durationMs) {
      const now = Date.now();
      const offline = now - start < this.o.offlineMs;
      for (const d of devices) {
        const frame = insoleFrame(this.o.pattern, now - start + d.offsetMs, { seed: tick + 1 });
        if (offline || this.o.batch) {
          for (const f of [frame.left, frame.right]) d.buffer.push({ ...f, ts: now / 1000 });
        } else {
          for (const f of [frame.left, frame.right]) track(this.postOne(d, f));
        }
      }
      if (wasOffline && !offline) {
        this.log(`back online after ${now - start} ms: flushing ${devices.reduce((a, d) => a + d.buffer.length, 0)} buffered sample(s)`);
        wasOffline = false;
        for (const d of devices) track(this.flush(d));
        nextBatch = now + 1000;
      } else if (!offline && this.o.batch && now >= nextBatch) {
        for (const d of devices) track(this.flush(d));
        nextBatch = now + 1000;
      }
      if (now >= nextFeedback && !offline) {
        nextFeedback = now + this.o.feedbackEveryMs;
        for (const d of devices) track(this.pollFeedback(d, now - start));
      }
      tick++;
      const wait = start + tick * tickMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    for (const d of devices) track(this.flush(d));
    await Promise.all([...inFlight]);
    for (const d of devices) await this.pollFeedback(d, Date.now() - start);
    for (const ws of this.sockets) ws.close();
    return {
      pattern: this.o.pattern,
      devices: devices.map((d) => d.id),
      tokens,
      sent: this.sent,
      accepted: this.accepted,
      refused: this.refused,
      refusedBy: this.refusedBy,
      batches: this.batches,
      retried: this.retried,
      streamed: this.streamed,
      feedback: [...this.seen.values()],
    };
  }

  /** A device token when the service issues them; undefined when tokens are off (409 DEVICE_TOKENS_DISABLED). */
  private async issueToken(deviceId: string): Promise<string | undefined> {
    const res = await this.fetchRetrying(
      `${this.o.baseUrl}/internal/fsr/devices/${encodeURIComponent(deviceId)}/token`,
      { method: 'POST', headers: this.o.internalKey ? { 'x-internal-api-key': this.o.internalKey } : {} },
      `${deviceId} token`,
    );
    const body = (await res.json().catch(() => ({}))) as { token?: string; code?: string; message?: string };
    if (res.ok && body.token) return body.token;
    if (res.status === 409) return undefined;
    throw new Error(`device token for ${deviceId}: ${res.status} ${body.code ?? ''} ${body.message ?? ''}${res.status === 401 || res.status === 403 ? ' (pass --internal-key)' : ''}`);
  }

  private headers(d: Device): Record<string, string> {
    return { 'content-type': 'application/json', [FSR_DEVICE_ID_HEADER]: d.id, ...(d.token ? { authorization: `Bearer ${d.token}` } : {}) };
  }

  private async postOne(d: Device, foot: FsrFoot): Promise<void> {
    this.sent++;
    const body = { ...foot, ...(this.o.sessionId ? { sessionId: this.o.sessionId } : {}) };
    await this.post(`/api/fsr_data`, d, body, 1);
  }

  private async flush(d: Device): Promise<void> {
    while (d.buffer.length > 0) {
      const samples = d.buffer.splice(0, FSR_BATCH_MAX_SAMPLES);
      this.sent += samples.length;
      this.batches++;
      await this.post(`/api/fsr_data/batch`, d, { samples, ...(this.o.sessionId ? { sessionId: this.o.sessionId } : {}) }, samples.length);
    }
  }

  private async post(path: string, d: Device, body: unknown, samples: number): Promise<void> {
    const what = `${d.id} ${path}`;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchRetrying(`${this.o.baseUrl}${path}`, { method: 'POST', headers: this.headers(d), body: JSON.stringify(body) }, what);
      } catch (e) {
        this.refuse('network', samples);
        this.log(`${what}: ${describe(e)}, gave up after ${POST_ATTEMPTS} attempts`);
        return;
      }
      const text = await res.text();
      if (res.status === 202) {
        this.accepted += samples;
        return;
      }
      // 408: the service timed out reading the body (a starved client); nothing was stored, so it is safe to send again
      if (res.status === 408 && attempt < POST_ATTEMPTS) {
        this.retried++;
        continue;
      }
      this.refuse(String(res.status), samples);
      this.log(`${what}: ${res.status} ${text.slice(0, 200)}`);
      return;
    }
  }

  private refuse(reason: string, samples: number): void {
    this.refused += samples;
    this.refusedBy[reason] = (this.refusedBy[reason] ?? 0) + samples;
  }

  /**
   * fetch, sent again when the connection fails (never when the service answers): a kept-alive
   * connection the server closed as it was reused (ECONNRESET, "other side closed") is what a
   * busy machine produces. Firmware resends too; the service stores at least once, so a resend of
   * a POST it did receive may store a second copy.
   */
  private async fetchRetrying(url: string, init: RequestInit, what: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(url, init);
      } catch (e) {
        if (attempt >= POST_ATTEMPTS) throw e;
        this.retried++;
        this.log(`${what}: ${describe(e)}, sending again`);
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  private async pollFeedback(d: Device, atMs: number): Promise<void> {
    const q = new URLSearchParams({ deviceId: d.id, ...(this.o.sessionId ? { sessionId: this.o.sessionId } : {}) });
    const res = await this.fetchRetrying(`${this.o.baseUrl}/api/fsr_data/feedback?${q}`, {}, `${d.id} feedback`).catch((e: unknown) => {
      this.log(`${d.id} feedback: ${describe(e)}`);
      return undefined;
    });
    if (!res) return;
    if (!res.ok) {
      this.log(`${d.id} feedback: ${res.status}`);
      return;
    }
    const fb = (await res.json()) as FsrFeedbackResponse;
    const phase = insoleFrame(this.o.pattern, atMs + d.offsetMs).phase;
    const key = `${fb.stage}|${fb.status}|${fb.feedback}`;
    const entry = this.seen.get(key) ?? { stage: fb.stage, status: fb.status, feedback: fb.feedback, count: 0 };
    entry.count++;
    this.seen.set(key, entry);
    const m = fb.metrics;
    const figures = m ? ` (front ${m.front}, heel ${m.heel}, inner ${m.inner}, outer ${m.outer}, L-R ${m.leftRightDiff})` : '';
    const line = `${fb.stage} ${fb.status}: ${fb.feedback}`;
    // one line per change, so a person can follow the squat without a wall of repeats
    if (line !== d.lastFeedback) this.log(`[${(atMs / 1000).toFixed(1)}s] ${d.id} (${phase}) ${line}${figures}`);
    d.lastFeedback = line;
  }

  /** Counts what `/ws/fsr-data` streams for the device (the seed's live channel). */
  private subscribe(deviceId: string): void {
    const ws = new WebSocket(`${this.o.baseUrl.replace(/^http/, 'ws')}/ws/fsr-data?deviceId=${encodeURIComponent(deviceId)}`);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as FsrStreamMessage;
      if (m.type === 'sample') this.streamed++;
    });
    ws.on('error', (e) => this.log(`${deviceId} stream: ${e.message}`));
    this.sockets.push(ws);
  }
}
