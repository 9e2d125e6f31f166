import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import { env, loadConfig, type Env } from '@squirret/config';
import { POSE_MODELS } from '@squirret/contracts';
import { z } from 'zod';

/** Every setting of the inference data plane, validated once at boot. */
export const InferenceConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8082),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  BUS_PREFIX: z.string().default('squirret:'),
  INFERENCE_TOKEN_SECRET: env.secret(),
  NODE_ID: z.string().min(1).max(128).default(`${hostname()}-${process.pid}`),
  /**
   * The base URL clients reach this node's WebSocket at (wsUrl = <base>/ws/<sessionId>).
   * Unset: ws://<HOST>:<bound port>, read once the server listens.
   */
  PUBLIC_WS_BASE: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').optional(),
  /** Concurrent sessions this node accepts. */
  CAPACITY: env.int(8 * availableParallelism(), 1),
  /** Heartbeat on `inference.node`, and how long after the last one the control plane forgets a node. */
  HEARTBEAT_MS: env.int(500, 50),
  NODE_TTL_MS: env.int(1_500, 100),
  BODY_LIMIT_BYTES: env.int(16 * 1024, 256),
  TRUST_PROXY: env.bool(false),
  TOKEN_CLOCK_SKEW_SEC: env.int(5),
  /** Pose workers (one per core by default); 0 disables the model (allocation-only node, tests). */
  POSE_WORKERS: env.int(availableParallelism(), 0),
  POSE_BACKEND: z.enum(['auto', 'tensorflow', 'wasm']).default('auto'),
  /**
   * The pose model: BlazePose (33 landmarks with heels and toes; lite or full) or MoveNet Lightning
   * (COCO-17 only, no feet). Default blazepose-full: the one BlazePose variant on which the shipped
   * analyzer gets every verdict of the real clips that it gets on MoveNet (lite misjudges the
   * bending-forward clip's lumbar), and MediaPipe Pose's default complexity (the training data was
   * recorded with MediaPipe Pose). It costs about 1.4x MoveNet per frame here, lite about 0.8x
   * (packages/pose/README.md): switch to lite once the analyzer judges it right.
   */
  POSE_MODEL: z.enum(POSE_MODELS).default('blazepose-full'),
  /** Largest image accepted, in bytes and in pixels. */
  MAX_IMAGE_BYTES: env.int(2 * 1024 * 1024, 1024),
  MAX_IMAGE_PIXELS: env.int(4096 * 4096, 64 * 64),
  /** Largest WebSocket message (base64 inflates images by 4/3). */
  WS_MAX_MESSAGE_BYTES: env.int(3 * 1024 * 1024, 4096),
  WS_MAX_BUFFERED_BYTES: env.int(1024 * 1024, 4096),
  /** ai.status is published at most this often per session (and on every completed rep). */
  AI_STATUS_THROTTLE_MS: env.int(500, 0),
  /** Session state (reps, stage, counters) is kept this long after a disconnect for a reconnect. */
  SESSION_STATE_TTL_MS: env.int(10 * 60_000, 1_000),
  /** Consecutive bad messages after which a socket is closed. */
  MAX_CONSECUTIVE_ERRORS: env.int(20, 1),
  /** How long a shutdown waits for in-flight frames, then for the clients told 1012 to leave. */
  DRAIN_TIMEOUT_MS: env.int(5_000, 0),
  /** A session's state is checkpointed on every rep and at least this often while frames flow. */
  CHECKPOINT_INTERVAL_MS: env.int(2_000, 100),
  /** `session.usage` is published this often per stream while it streams (and when it closes). */
  USAGE_REPORT_MS: env.int(15_000, 100),
});

export type InferenceConfig = z.infer<typeof InferenceConfigSchema>;

export function loadInferenceConfig(source: Env): InferenceConfig {
  return loadConfig(InferenceConfigSchema, source);
}
