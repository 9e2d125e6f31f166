import { env, loadConfig, type Env } from '@squirret/config';
import { z } from 'zod';

/** Every setting of the chat service, validated once at boot. */
export const ChatConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8084),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  BUS_PREFIX: z.string().default('squirret:'),
  /** Verifies the app's session token (issued by the control plane). */
  SESSION_TOKEN_SECRET: env.secret(),
  TOKEN_CLOCK_SKEW_SEC: env.int(5),
  BODY_LIMIT_BYTES: env.int(16 * 1024, 256),
  TRUST_PROXY: env.bool(false),
  /** STOMP heart-beats this server offers to send / wants to receive (ms, 0 = none). */
  STOMP_HEARTBEAT_SEND_MS: env.int(10_000),
  STOMP_HEARTBEAT_RECEIVE_MS: env.int(10_000),
  /** A socket that has not sent CONNECT after this long is closed. */
  STOMP_CONNECT_TIMEOUT_MS: env.int(10_000, 100),
  STOMP_MAX_FRAME_BYTES: env.int(64 * 1024, 1024),
  /** Unsent bytes one client may have queued before it is cut off as a slow consumer. */
  WS_MAX_BUFFERED_BYTES: env.int(256 * 1024, 1024),
  /** Period of the DATA push; voice feedback goes out every VOICE_EVERY_TICKS of them. */
  DATA_PUSH_MS: env.int(1_000, 50),
  VOICE_EVERY_TICKS: env.int(10, 1),
  /** An FSR sample older than this no longer counts as the device's latest. */
  FSR_FRESH_MS: env.int(5_000, 100),
});

export type ChatConfig = z.infer<typeof ChatConfigSchema>;

export function loadChatConfig(source: Env): ChatConfig {
  return loadConfig(ChatConfigSchema, source);
}
