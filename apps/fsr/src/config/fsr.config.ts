import { baseConfigShape, env, loadConfig, sharedKeys, type Env } from '@squirret/config';
import { z } from 'zod';

/**
 * Every setting of the fsr service, validated once at boot. See `.env.example` for each. Keys
 * specific to this service start with `FSR_` because the all-in-one process hands every service
 * the same environment.
 */
export const FsrConfigSchema = z.object({
  ...baseConfigShape({ port: 8083 }),
  DATABASE_URL: sharedKeys.DATABASE_URL,
  INTERNAL_API_KEY: sharedKeys.INTERNAL_API_KEY,

  /** Device used when a sample names none (the contract's single insole). */
  FSR_DEFAULT_DEVICE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1 to 64 letters, digits, ".", "_", ":" or "-"').default('default'),
  /** When set, ingest needs `Authorization: Bearer <device token>` (issued by the internal admin endpoint). */
  FSR_DEVICE_TOKEN_SECRET: env.secret().optional(),
  FSR_DEVICE_TOKEN_TTL_SEC: env.int(365 * 24 * 3600, 60),
  /** Each instance reloads device-token revocations this often (besides the `fsr.device` events). */
  FSR_DEVICE_TOKEN_REFRESH_SEC: env.int(30, 1),
  /**
   * Serve the single-sample ingest (`POST /api/fsr_data`) on the fast route, before the framework's
   * per-request pipeline (same answers, about three times the throughput; see server-kit fast-routes).
   */
  FSR_FAST_INGEST: env.bool(true),
  /** Per-device ingest limit: requests (single or batch) per window. */
  FSR_RATE_LIMIT: env.int(100, 1),
  FSR_RATE_WINDOW_SEC: env.int(1, 1),
  /** The feedback window (the contract's 10 seconds) and how often `fsr.feedback` goes on the bus. */
  FSR_FEEDBACK_WINDOW_MS: env.int(10_000, 1_000),
  FSR_FEEDBACK_INTERVAL_MS: env.int(10_000, 100),
  /** An AI status older than this no longer counts in the combined feedback. */
  FSR_AI_STATUS_MAX_AGE_SEC: env.int(60, 1),
  /** How long a device's latest feet are kept after its last sample. */
  FSR_LATEST_TTL_SEC: env.int(24 * 3600, 10),
  /** A batch sample taken further in the future than this is refused (device clock skew; at most a day). */
  FSR_MAX_FUTURE_SKEW_SEC: z.coerce.number().int().min(0).max(86_400, 'must be at most 86400 (one day)').default(60),
  /** The PostgreSQL writer flushes every N ms or every M rows, whichever comes first. */
  FSR_FLUSH_INTERVAL_MS: env.int(200, 10),
  FSR_FLUSH_MAX_ROWS: env.int(1_000, 1),
  /** Rows held in memory at most (while PostgreSQL is slow or down); beyond it ingest answers 503. */
  FSR_BUFFER_MAX_ROWS: env.int(100_000, 1),
  /** Longest pause between two attempts of a failing flush (exponential backoff with jitter from FSR_FLUSH_INTERVAL_MS). */
  FSR_FLUSH_RETRY_MAX_MS: env.int(5_000, 10),
  /** On SIGTERM the writer keeps trying to store what it holds for this long (serve() exits by force at 15 s). */
  FSR_SHUTDOWN_FLUSH_MS: env.int(12_000, 0),
  /**
   * Local append-only journal of accepted samples, written before the 202 and replayed at start, so
   * that even SIGKILL loses no acknowledged sample. A directory of this instance's own (never shared
   * by two processes); unset or `off`: no journal (a crash then loses the unflushed buffer). The
   * all-in-one process defaults it to `<DATA_DIR>/fsr-journal`.
   */
  FSR_JOURNAL_DIR: z.string().min(1).optional(),
  /**
   * `write` (default): the 202 waits for the append to reach the OS page cache, which survives
   * SIGKILL and any crash of the process (not a power loss); `fdatasync`: for the disk too. Measured
   * on bench:fsr (apps/fsr/README.md): `write` about 7% below no journal; `fdatasync` 12% below on
   * a quiet disk but 10x below while other processes synced the same disk, hence not the default.
   */
  FSR_JOURNAL_SYNC: z.enum(['fdatasync', 'write']).default('write'),
  FSR_JOURNAL_SEGMENT_BYTES: env.int(4 * 1024 * 1024, 4096),
  /** Samples older than this many days are deleted (0 keeps them forever), checked every sweep. */
  FSR_RETENTION_DAYS: env.int(30, 0),
  FSR_RETENTION_SWEEP_SEC: env.int(3_600, 1),
  /** A stream subscriber whose unsent backlog passes this is closed with 4008 (slow consumer). */
  FSR_WS_MAX_BUFFERED_BYTES: env.int(256 * 1024, 1024),
  /** Stream liveness: a ping every this often; a subscriber that missed the last pong is closed (4010). */
  FSR_WS_PING_MS: env.int(30_000, 50),
  /** Largest message a stream client may send (it has nothing to say; this bounds abuse). */
  FSR_WS_MAX_PAYLOAD_BYTES: env.int(4 * 1024, 128),
});

/** The fsr service's validated settings. */
export type FsrConfig = z.infer<typeof FsrConfigSchema>;

export function loadFsrConfig(source: Env): FsrConfig {
  return loadConfig(FsrConfigSchema, source);
}
