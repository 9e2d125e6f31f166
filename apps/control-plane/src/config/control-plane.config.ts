import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { baseConfigShape, env, loadConfig, sharedKeys, tokenKeys, type Env, type LoadConfigOptions, type RenamedKeys } from '@squirret/config';
import { z } from 'zod';

/** The shared clips beside the repository (`../shared/datasets/squat_clips_gif`), from `apps/control-plane/dist/src/config`. */
const SHARED_CLIPS_DIR = resolve(__dirname, '../../../../../../shared/datasets/squat_clips_gif');

/**
 * Every setting of the control plane, validated once at boot. See `.env.example` for each. The keys
 * other services read too come from `@squirret/config` under their shared names; this service's own
 * keys start with `CONTROL_PLANE_`.
 */
export const ControlPlaneConfigSchema = z.object({
  ...baseConfigShape({ port: 8081 }),
  ...tokenKeys,
  DATABASE_URL: sharedKeys.DATABASE_URL,
  SESSION_TOKEN_SECRET: sharedKeys.SESSION_TOKEN_SECRET,
  INFERENCE_TOKEN_SECRET: sharedKeys.INFERENCE_TOKEN_SECRET,
  INTERNAL_API_KEY: sharedKeys.INTERNAL_API_KEY,
  CONTROL_PLANE_SESSION_TOKEN_TTL_SEC: env.int(24 * 3600, 60),
  CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC: env.int(15 * 60, 30),
  /** Guest sessions one client address may open per window (shared through Redis). */
  CONTROL_PLANE_SESSION_RATE_LIMIT: env.int(30, 1),
  CONTROL_PLANE_SESSION_RATE_WINDOW_SEC: env.int(60, 1),
  /** Serve `POST /api/session` before the framework's pipeline (sessions.fast-route.ts); false: through Nest. */
  CONTROL_PLANE_FAST_SESSION: env.bool(true),
  /**
   * Folder of sample GIF clips the console (`/console`) offers besides the camera; unset: the shared
   * datasets' `squat_clips_gif` when it exists beside the repository, else no clips. Read, never copied.
   */
  CONTROL_PLANE_CONSOLE_CLIPS_DIR: z
    .string()
    .min(1)
    .optional()
    .transform((v) => v ?? (existsSync(SHARED_CLIPS_DIR) ? SHARED_CLIPS_DIR : undefined)),
});

/** The unprefixed names of the previous release, still accepted (with a deprecation warning). */
export const CONTROL_PLANE_RENAMED_KEYS: RenamedKeys = {
  SESSION_TOKEN_TTL_SEC: 'CONTROL_PLANE_SESSION_TOKEN_TTL_SEC',
  INFERENCE_TOKEN_TTL_SEC: 'CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC',
  SESSION_RATE_LIMIT: 'CONTROL_PLANE_SESSION_RATE_LIMIT',
  SESSION_RATE_WINDOW_SEC: 'CONTROL_PLANE_SESSION_RATE_WINDOW_SEC',
  CONSOLE_CLIPS_DIR: 'CONTROL_PLANE_CONSOLE_CLIPS_DIR',
};

export type ControlPlaneConfig = z.infer<typeof ControlPlaneConfigSchema>;

/** `warn` receives the deprecation warnings of old key names (default: one JSON line on stderr). */
export function loadControlPlaneConfig(source: Env, options: Pick<LoadConfigOptions, 'warn'> = {}): ControlPlaneConfig {
  return loadConfig(ControlPlaneConfigSchema, source, { renamed: CONTROL_PLANE_RENAMED_KEYS, ...options });
}
