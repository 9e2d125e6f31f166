import { baseConfigShape, env, loadConfig, sharedKeys, tokenKeys, type Env, type RenamedKeys } from '@squirret/config';
import { z } from 'zod';

/** Every setting of the chat service, validated once at boot. */
export const ChatConfigSchema = z.object({
  ...baseConfigShape({ port: 8084, wsMaxBufferedBytes: 256 * 1024 }),
  ...tokenKeys,
  DATABASE_URL: sharedKeys.DATABASE_URL,
  /** Verifies the app's session token (issued by the control plane). */
  SESSION_TOKEN_SECRET: sharedKeys.SESSION_TOKEN_SECRET,
  /** STOMP heart-beats this server offers to send / wants to receive (ms, 0 = none). */
  CHAT_STOMP_HEARTBEAT_SEND_MS: env.int(10_000),
  CHAT_STOMP_HEARTBEAT_RECEIVE_MS: env.int(10_000),
  /** A socket that has not sent CONNECT after this long is closed. */
  CHAT_STOMP_CONNECT_TIMEOUT_MS: env.int(10_000, 100),
  CHAT_STOMP_MAX_FRAME_BYTES: env.int(64 * 1024, 1024),
  /** Period of the DATA push; voice feedback goes out every VOICE_EVERY_TICKS of them. */
  CHAT_DATA_PUSH_MS: env.int(1_000, 50),
  CHAT_VOICE_EVERY_TICKS: env.int(10, 1),
  /** An FSR sample older than this no longer counts as the device's latest. */
  CHAT_FSR_FRESH_MS: env.int(5_000, 100),

  // ---- chat rooms (docs/chat-rooms.md) ----
  /** When set, /internal/chat/* needs it in X-Internal-Api-Key (the all-in-one process shares the control plane's). */
  INTERNAL_API_KEY: sharedKeys.INTERNAL_API_KEY,
  /** HS256 secret shared with the Spring service that issues user tokens; unset: every room request is 401. */
  SPRING_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How SPRING_JWT_SECRET is written: the raw key text, or base64 as Spring's JJWT setups often keep it. */
  SPRING_JWT_SECRET_ENCODING: z.enum(['raw', 'base64']).default('raw'),
  /** Claims read from the Spring token: user id, role(s), couple id, display name. */
  SPRING_USER_ID_CLAIM: z.string().min(1).default('sub'),
  SPRING_ROLE_CLAIM: z.string().min(1).default('role'),
  SPRING_COUPLE_ID_CLAIM: z.string().min(1).default('couple_id'),
  SPRING_NAME_CLAIM: z.string().min(1).default('name'),
  /** Role value (case-insensitive, `ROLE_` prefix ignored) that makes a caller a trainer. */
  SPRING_TRAINER_ROLE: z.string().min(1).default('TRAINER'),
  /** When set, the token's `aud` must contain it. */
  SPRING_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Origins allowed to call /api/rooms and /distributor/* from a browser (comma-separated; `*` for any). */
  CHAT_CORS_ORIGINS: env.list([]),
  /** Longest message content in characters; longer ones get MESSAGE_TOO_LONG (the socket stays open). */
  CHAT_MAX_MESSAGE_CHARS: env.int(2_000, 1),
  /** Largest WebSocket frame a chat client may send; larger ones close the socket with 1009. */
  CHAT_MAX_FRAME_BYTES: env.int(32 * 1024, 1024),
  /** Messages one user may send per window, over all rooms and instances (shared through Redis). */
  CHAT_RATE_LIMIT: env.int(20, 1),
  CHAT_RATE_WINDOW_SEC: env.int(10, 1),
  /** Ping period of chat sockets; a socket that did not answer the previous ping is closed (4010). */
  CHAT_PING_MS: env.int(30_000, 100),
  /** Time zone of `last_activity` in the trainer's room list (YYYY-MM-DD HH:MM). */
  CHAT_TIMEZONE: z.string().default('Asia/Seoul'),
  /** Seeds demo trainers, members and PT sessions at boot (the all-in-one start turns it on). */
  CHAT_DEMO_DATA: env.bool(false),
  /** Couple-chat AI mediator: ask whether to continue every N member messages, after this much silence, or on heated words. */
  CHAT_MEDIATOR_ENABLED: env.bool(true),
  CHAT_MEDIATOR_TURNS: env.int(20, 1),
  CHAT_MEDIATOR_IDLE_SEC: env.int(300, 1),
  CHAT_MEDIATOR_SWEEP_MS: env.int(5_000, 100),
  CHAT_MEDIATOR_HEATED_WORDS: env.list(['짜증', '화나', '화가', '싫어', '그만해', '최악', '지겨워', '꺼져', '헤어져', '닥쳐']),
});

/** The unprefixed names of the previous release, still accepted (with a deprecation warning). */
export const CHAT_RENAMED_KEYS: RenamedKeys = {
  DATA_PUSH_MS: 'CHAT_DATA_PUSH_MS',
  VOICE_EVERY_TICKS: 'CHAT_VOICE_EVERY_TICKS',
  FSR_FRESH_MS: 'CHAT_FSR_FRESH_MS',
  MEDIATOR_ENABLED: 'CHAT_MEDIATOR_ENABLED',
  MEDIATOR_TURNS: 'CHAT_MEDIATOR_TURNS',
  MEDIATOR_IDLE_SEC: 'CHAT_MEDIATOR_IDLE_SEC',
  MEDIATOR_SWEEP_MS: 'CHAT_MEDIATOR_SWEEP_MS',
  MEDIATOR_HEATED_WORDS: 'CHAT_MEDIATOR_HEATED_WORDS',
  STOMP_HEARTBEAT_SEND_MS: 'CHAT_STOMP_HEARTBEAT_SEND_MS',
  STOMP_HEARTBEAT_RECEIVE_MS: 'CHAT_STOMP_HEARTBEAT_RECEIVE_MS',
  STOMP_CONNECT_TIMEOUT_MS: 'CHAT_STOMP_CONNECT_TIMEOUT_MS',
  STOMP_MAX_FRAME_BYTES: 'CHAT_STOMP_MAX_FRAME_BYTES',
};

type ParsedChatConfig = z.infer<typeof ChatConfigSchema>;

export type ChatConfig = ParsedChatConfig;

export function loadChatConfig(source: Env): ChatConfig {
  return loadConfig(ChatConfigSchema, source, { renamed: CHAT_RENAMED_KEYS });
}
