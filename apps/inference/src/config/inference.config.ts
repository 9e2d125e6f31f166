import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import { env, loadConfig, type Env } from '@squirret/config';
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
  HEARTBEAT_MS: env.int(2_000, 100),
  BODY_LIMIT_BYTES: env.int(16 * 1024, 256),
  TRUST_PROXY: env.bool(false),
});

export type InferenceConfig = z.infer<typeof InferenceConfigSchema>;

export function loadInferenceConfig(source: Env): InferenceConfig {
  return loadConfig(InferenceConfigSchema, source);
}
