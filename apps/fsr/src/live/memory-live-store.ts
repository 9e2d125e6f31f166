import type { AiStatusEvent } from '@squirret/contracts';
import type { FootSample } from '../samples/foot-sample';
import type { LatestFeet, LiveStore, LiveStoreSettings, RecordRequest } from './live-store';

interface DeviceState {
  left: FootSample | null;
  right: FootSample | null;
  sessionId: string | null;
  window: TimeWindow;
  lastSeen: number;
}

/** LiveStore of one process (no REDIS_URL): plain maps, the same semantics as the Redis one. */
export class MemoryLiveStore implements LiveStore {
  private readonly devices = new Map<string, DeviceState>();
  private readonly ai = new Map<string, AiStatusEvent>();
  private readonly ticks = new Map<string, number>();

  constructor(
    private readonly settings: LiveStoreSettings,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async record(req: RecordRequest): Promise<FootSample[]> {
    const state = this.state(req.deviceId, req.now) ?? { left: null, right: null, sessionId: null, window: new TimeWindow(), lastSeen: req.now };
    this.devices.set(req.deviceId, state);
    const fresh: FootSample[] = [];
    const from = req.now - this.settings.windowMs;
    for (const s of req.samples) {
      if (s.at >= from) state.window.insert(s);
      const prev = state[s.side];
      if (!prev || s.at >= prev.at) {
        state[s.side] = s;
        fresh.push(s);
      }
    }
    if (req.sessionId) state.sessionId = req.sessionId;
    state.lastSeen = req.now;
    state.window.trim(from, this.settings.windowCap);
    return fresh;
  }

  async latest(deviceId: string): Promise<LatestFeet> {
    const s = this.state(deviceId, this.now());
    return { left: s?.left ?? null, right: s?.right ?? null, sessionId: s?.sessionId ?? null };
  }

  async window(deviceId: string, from: number, to: number): Promise<FootSample[]> {
    const s = this.state(deviceId, this.now());
    return s ? s.window.between(from, to) : [];
  }

  async activeDevices(since: number): Promise<string[]> {
    const now = this.now();
    const active: string[] = [];
    for (const [id, s] of [...this.devices]) {
      if (!this.state(id, now)) continue;
      // Called every feedback tick: also where idle devices give their window's memory back.
      s.window.trim(now - this.settings.windowMs, this.settings.windowCap);
      if (s.lastSeen >= since) active.push(id);
    }
    return active;
  }

  async putAiStatus(event: AiStatusEvent): Promise<void> {
    this.ai.set(event.sessionId ?? '', event);
  }

  async aiStatus(sessionId: string | null, notBefore: number): Promise<AiStatusEvent | undefined> {
    const e = this.ai.get(sessionId ?? '');
    return e && e.at >= notBefore ? e : undefined;
  }

  async claimTick(deviceId: string, tick: number): Promise<boolean> {
    const now = this.now();
    for (const [k, exp] of this.ticks) if (exp <= now) this.ticks.delete(k);
    const key = `${deviceId}:${tick}`;
    if (this.ticks.has(key)) return false;
    this.ticks.set(key, now + this.settings.tickTtlMs);
    return true;
  }

  /** The device's state unless it expired (its latest feet outlive its last sample by latestTtlMs). */
  private state(deviceId: string, now: number): DeviceState | undefined {
    const s = this.devices.get(deviceId);
    if (s && s.lastSeen + this.settings.latestTtlMs <= now) {
      this.devices.delete(deviceId);
      return undefined;
    }
    return s;
  }
}

/**
 * A device's window: samples in time order, in an array read from `head` on. Dropping the oldest
 * only moves `head` (the array is compacted once the dropped part is half of it), so keeping a
 * full window at its cap costs O(1) per sample instead of shifting the whole array each time.
 */
export class TimeWindow {
  private items: FootSample[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Inserts keeping time order: samples mostly arrive in order, so this is nearly always a push. */
  insert(s: FootSample): void {
    const items = this.items;
    let i = items.length;
    while (i > this.head && items[i - 1]!.at > s.at) i--;
    if (i === items.length) items.push(s);
    else items.splice(i, 0, s);
  }

  /** Drops what is older than `from` and what is beyond the cap, oldest first. */
  trim(from: number, cap: number): void {
    const items = this.items;
    let head = this.head;
    while (head < items.length && items[head]!.at < from) head++;
    head = Math.max(head, items.length - cap);
    if (head >= items.length) {
      this.items = [];
      this.head = 0;
      return;
    }
    if (head > 64 && head * 2 >= items.length) {
      this.items = items.slice(head);
      this.head = 0;
      return;
    }
    this.head = head;
  }

  /** The samples taken in [from, to], in time order. */
  between(from: number, to: number): FootSample[] {
    const out: FootSample[] = [];
    const items = this.items;
    for (let i = this.head; i < items.length; i++) {
      const x = items[i]!;
      if (x.at >= from && x.at <= to) out.push(x);
    }
    return out;
  }
}
