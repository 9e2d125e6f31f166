import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { baseConfigShape, databaseUrl, env, loadConfig, tokenKeys, type Env } from '@squirret/config';
import { z } from 'zod';

/** The shared clips beside the repository (`../shared/datasets/squat_clips_gif`), from `apps/control-plane/dist/src/config`. */
const SHARED_CLIPS_DIR = resolve(__dirname, '../../../../../../shared/datasets/squat_clips_gif');

/** Every setting of the control plane, validated once at boot. See `.env.example` for each. */
export const ControlPlaneConfigSchema = z.object({
  ...baseConfigShape({ port: 8081 }),
  ...tokenKeys,
  DATABASE_URL: databaseUrl(),
  SESSION_TOKEN_SECRET: env.secret(),
  INFERENCE_TOKEN_SECRET: env.secret(),
  SESSION_TOKEN_TTL_SEC: env.int(24 * 3600, 60),
  INFERENCE_TOKEN_TTL_SEC: env.int(15 * 60, 30),
  INTERNAL_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  SESSION_RATE_LIMIT: env.int(30, 1),
  SESSION_RATE_WINDOW_SEC: env.int(60, 1),
  /** Serve `POST /api/session` before the framework's pipeline (sessions.fast-route.ts); false: through Nest. */
  CONTROL_PLANE_FAST_SESSION: env.bool(true),
  /**
   * Folder of sample GIF clips the console (`/console`) offers besides the camera; unset: the shared
   * datasets' `squat_clips_gif` when it exists beside the repository, else no clips. Read, never copied.
   */
  CONSOLE_CLIPS_DIR: z.string().min(1).optional().transform((v) => v ?? (existsSync(SHARED_CLIPS_DIR) ? SHARED_CLIPS_DIR : undefined)),
});

export type ControlPlaneConfig = z.infer<typeof ControlPlaneConfigSchema>;

export function loadControlPlaneConfig(source: Env): ControlPlaneConfig {
  return loadConfig(ControlPlaneConfigSchema, source);
}
