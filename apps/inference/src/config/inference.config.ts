import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import { baseConfigShape, env, loadConfig, sharedKeys, tokenKeys, type Env, type RenamedKeys } from '@squirret/config';
import { POSE_MODELS } from '@squirret/contracts';
import { z } from 'zod';

/** hostname-pid, with anything the gateway's route would refuse made a `-` (any hostname boots). */
function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'inference';
  return `${host}-${process.pid}`;
}

/**
 * Every setting of the inference data plane, validated once at boot. The shared keys come from
 * `@squirret/config`'s base shape; this service's own keys start with `INFERENCE_`.
 */
export const InferenceConfigSchema = z.object({
  ...baseConfigShape({ port: 8082, wsMaxBufferedBytes: 1024 * 1024 }),
  ...tokenKeys,
  INFERENCE_TOKEN_SECRET: sharedKeys.INFERENCE_TOKEN_SECRET,
  /**
   * This node's id on the bus and in the gateway's route (`/inference/<INFERENCE_NODE_ID>/…`): letters,
   * digits, `.`, `_`, `-` (a Kubernetes pod name or a compose service name fits).
   */
  INFERENCE_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-" (at most 128), starting with a letter or digit')
    .default(defaultNodeId()),
  /**
   * The base URL clients reach this node's WebSocket at (wsUrl = <base>/ws/<sessionId>), announced
   * with every heartbeat. Behind the gateway it names the node, e.g. `wss://gw.example.com/inference/{nodeId}`:
   * `{nodeId}` is replaced by INFERENCE_NODE_ID, so one setting serves every replica (a StatefulSet whose INFERENCE_NODE_ID
   * is the pod name). Unset: ws://<HOST>:<bound port>, read once the server listens (direct connection).
   */
  INFERENCE_PUBLIC_WS_BASE: z
    .string()
    .regex(/^wss?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be a ws:// or wss:// URL without query or fragment')
    .optional(),
  /** Concurrent sessions this node accepts. */
  INFERENCE_CAPACITY: env.int(8 * availableParallelism(), 1),
  /** Heartbeat on `inference.node`, and how long after the last one the control plane forgets a node. */
  INFERENCE_HEARTBEAT_MS: env.int(500, 50),
  INFERENCE_NODE_TTL_MS: env.int(1_500, 100),
  /** Pose workers (one per core by default); 0 disables the model (allocation-only node, tests). */
  INFERENCE_POSE_WORKERS: env.int(availableParallelism(), 0),
  INFERENCE_POSE_BACKEND: z.enum(['auto', 'tensorflow', 'wasm']).default('auto'),
  /**
   * Frames one pose worker holds at once, run in order: at 2 it starts the next frame as it posts a
   * result, instead of idling until this process's event loop sends it one (1-2 ms a frame, 3-4% of a
   * saturated worker's time on 2 cores). Frames in a worker's inbox count against the pool's queue
   * (INFERENCE_CAPACITY); a crashed or timed-out worker loses every frame it holds. 1 = one per worker.
   */
  INFERENCE_POSE_PIPELINE_DEPTH: env.int(2, 1).refine((v) => v <= 8, 'at most 8 (2 removes the idle gap; more only holds frames longer)'),
  /**
   * The pose model: BlazePose (33 landmarks with heels and toes; lite or full) or MoveNet Lightning
   * (COCO-17 only, no feet). Default blazepose-full: the one BlazePose variant on which the shipped
   * analyzer gets every verdict of the real clips that it gets on MoveNet (lite misjudges the
   * bending-forward clip's lumbar), and MediaPipe Pose's default complexity (the training data was
   * recorded with MediaPipe Pose). It costs about 1.4x MoveNet per frame here, lite about 0.8x
   * (packages/pose/README.md): switch to lite once the analyzer judges it right.
   */
  INFERENCE_POSE_MODEL: z.enum(POSE_MODELS).default('blazepose-full'),
  /** Largest image accepted, in bytes and in pixels. */
  INFERENCE_MAX_IMAGE_BYTES: env.int(2 * 1024 * 1024, 1024),
  INFERENCE_MAX_IMAGE_PIXELS: env.int(4096 * 4096, 64 * 64),
  /** Largest WebSocket message (base64 inflates images by 4/3). */
  INFERENCE_WS_MAX_MESSAGE_BYTES: env.int(3 * 1024 * 1024, 4096),
  /**
   * Liveness ping period of the frame socket: a client that did not answer the previous ping (a
   * phone that lost its network without a FIN) is closed with 4010 and its capacity slot freed
   * within two periods, not at its token's expiry. 0: no pings.
   */
  INFERENCE_WS_PING_MS: env.int(15_000, 0).refine((v) => v === 0 || v >= 50, 'must be 0 (no pings) or at least 50'),
  /** ai.status is published at most this often per session (and on every completed rep). */
  INFERENCE_AI_STATUS_THROTTLE_MS: env.int(500, 0),
  /** Session state (reps, stage, counters) is kept this long after a disconnect for a reconnect. */
  INFERENCE_SESSION_STATE_TTL_MS: env.int(10 * 60_000, 1_000),
  /** Consecutive bad messages after which a socket is closed. */
  INFERENCE_MAX_CONSECUTIVE_ERRORS: env.int(20, 1),
  /** How long a shutdown waits for in-flight frames, then for the clients told 1012 to leave. */
  INFERENCE_DRAIN_TIMEOUT_MS: env.int(5_000, 0),
  /** A session's state is checkpointed on every rep and at least this often while frames flow. */
  INFERENCE_CHECKPOINT_INTERVAL_MS: env.int(2_000, 100),
  /** `session.usage` is published this often per stream while it streams (and when it closes). */
  INFERENCE_USAGE_REPORT_MS: env.int(15_000, 100),
});

/** The unprefixed names of the previous release, still accepted (with a deprecation warning). */
export const INFERENCE_RENAMED_KEYS: RenamedKeys = {
  NODE_ID: 'INFERENCE_NODE_ID',
  PUBLIC_WS_BASE: 'INFERENCE_PUBLIC_WS_BASE',
  CAPACITY: 'INFERENCE_CAPACITY',
  HEARTBEAT_MS: 'INFERENCE_HEARTBEAT_MS',
  NODE_TTL_MS: 'INFERENCE_NODE_TTL_MS',
  POSE_WORKERS: 'INFERENCE_POSE_WORKERS',
  POSE_MODEL: 'INFERENCE_POSE_MODEL',
  POSE_BACKEND: 'INFERENCE_POSE_BACKEND',
  MAX_IMAGE_BYTES: 'INFERENCE_MAX_IMAGE_BYTES',
  MAX_IMAGE_PIXELS: 'INFERENCE_MAX_IMAGE_PIXELS',
  WS_MAX_MESSAGE_BYTES: 'INFERENCE_WS_MAX_MESSAGE_BYTES',
  AI_STATUS_THROTTLE_MS: 'INFERENCE_AI_STATUS_THROTTLE_MS',
  SESSION_STATE_TTL_MS: 'INFERENCE_SESSION_STATE_TTL_MS',
  MAX_CONSECUTIVE_ERRORS: 'INFERENCE_MAX_CONSECUTIVE_ERRORS',
  DRAIN_TIMEOUT_MS: 'INFERENCE_DRAIN_TIMEOUT_MS',
  CHECKPOINT_INTERVAL_MS: 'INFERENCE_CHECKPOINT_INTERVAL_MS',
  USAGE_REPORT_MS: 'INFERENCE_USAGE_REPORT_MS',
};

type ParsedInferenceConfig = z.infer<typeof InferenceConfigSchema>;

/**
 * The old property names the WebSocket gateway still reads; they go when the gateway moves to the
 * realtime layer (it then reads the INFERENCE_ names). Same values, read-only.
 */
interface LegacyGatewayNames {
  /** @deprecated read INFERENCE_NODE_ID */
  readonly NODE_ID: ParsedInferenceConfig['INFERENCE_NODE_ID'];
  /** @deprecated read INFERENCE_CAPACITY */
  readonly CAPACITY: ParsedInferenceConfig['INFERENCE_CAPACITY'];
  /** @deprecated read INFERENCE_MAX_IMAGE_BYTES */
  readonly MAX_IMAGE_BYTES: ParsedInferenceConfig['INFERENCE_MAX_IMAGE_BYTES'];
  /** @deprecated read INFERENCE_WS_MAX_MESSAGE_BYTES */
  readonly WS_MAX_MESSAGE_BYTES: ParsedInferenceConfig['INFERENCE_WS_MAX_MESSAGE_BYTES'];
  /** @deprecated read INFERENCE_AI_STATUS_THROTTLE_MS */
  readonly AI_STATUS_THROTTLE_MS: ParsedInferenceConfig['INFERENCE_AI_STATUS_THROTTLE_MS'];
  /** @deprecated read INFERENCE_MAX_CONSECUTIVE_ERRORS */
  readonly MAX_CONSECUTIVE_ERRORS: ParsedInferenceConfig['INFERENCE_MAX_CONSECUTIVE_ERRORS'];
  /** @deprecated read INFERENCE_DRAIN_TIMEOUT_MS */
  readonly DRAIN_TIMEOUT_MS: ParsedInferenceConfig['INFERENCE_DRAIN_TIMEOUT_MS'];
  /** @deprecated read INFERENCE_USAGE_REPORT_MS */
  readonly USAGE_REPORT_MS: ParsedInferenceConfig['INFERENCE_USAGE_REPORT_MS'];
}

export type InferenceConfig = ParsedInferenceConfig & LegacyGatewayNames;

export function loadInferenceConfig(source: Env): InferenceConfig {
  const c = loadConfig(InferenceConfigSchema, source, { renamed: INFERENCE_RENAMED_KEYS });
  return {
    ...c,
    NODE_ID: c.INFERENCE_NODE_ID,
    CAPACITY: c.INFERENCE_CAPACITY,
    MAX_IMAGE_BYTES: c.INFERENCE_MAX_IMAGE_BYTES,
    WS_MAX_MESSAGE_BYTES: c.INFERENCE_WS_MAX_MESSAGE_BYTES,
    AI_STATUS_THROTTLE_MS: c.INFERENCE_AI_STATUS_THROTTLE_MS,
    MAX_CONSECUTIVE_ERRORS: c.INFERENCE_MAX_CONSECUTIVE_ERRORS,
    DRAIN_TIMEOUT_MS: c.INFERENCE_DRAIN_TIMEOUT_MS,
    USAGE_REPORT_MS: c.INFERENCE_USAGE_REPORT_MS,
  };
}
