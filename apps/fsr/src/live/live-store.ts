import type { AiStatusEvent } from '@squirret/contracts';
import type { FootSample } from '../samples/foot-sample';

/** A device's latest feet and the session it last said it belongs to. */
export interface LatestFeet {
  readonly left: FootSample | null;
  readonly right: FootSample | null;
  readonly sessionId: string | null;
}

/** Samples of one device to add to the live state (sorted by `at`). */
export interface RecordRequest {
  readonly deviceId: string;
  readonly sessionId: string | null;
  readonly samples: readonly FootSample[];
  readonly now: number;
}

/** Bounds and lifetimes of the live state. */
export interface LiveStoreSettings {
  /** The feedback window: samples older than `now - windowMs` leave it. */
  readonly windowMs: number;
  /** Most samples kept per device window (a bound on memory; the rate limit keeps it far away). */
  readonly windowCap: number;
  /** How long a device's latest feet stay after its last sample. */
  readonly latestTtlMs: number;
  /** How long an AI status is kept. */
  readonly aiStatusTtlMs: number;
  /** How long a feedback tick claim is kept (longer than one interval). */
  readonly tickTtlMs: number;
}

/**
 * The state every instance must see alike: latest feet, the 10-second window, active devices, the
 * latest AI status per session, and who publishes each feedback tick. In memory when the service
 * runs alone, in Redis when REDIS_URL is configured.
 */
export interface LiveStore {
  /**
   * Adds samples to the device's window and moves its latest feet forward. Returns the samples that
   * became their foot's latest (in time order): those are the new samples the stream pushes. A
   * buffered sample older than the foot's latest is stored but does not go back in time.
   */
  record(req: RecordRequest): Promise<FootSample[]>;
  latest(deviceId: string): Promise<LatestFeet>;
  /** The device's samples taken in [from, to]. */
  window(deviceId: string, from: number, to: number): Promise<FootSample[]>;
  /** Devices that sent a sample at or after `since` (receive time). */
  activeDevices(since: number): Promise<string[]>;
  putAiStatus(event: AiStatusEvent): Promise<void>;
  /** The latest AI status of a session (null: the one posted without a session), if not older than `notBefore`. */
  aiStatus(sessionId: string | null, notBefore: number): Promise<AiStatusEvent | undefined>;
  /** True for exactly one caller per device and tick, across instances: that one publishes the feedback. */
  claimTick(deviceId: string, tick: number): Promise<boolean>;
}
