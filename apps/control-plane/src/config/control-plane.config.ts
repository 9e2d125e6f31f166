import { baseConfigShape, databaseUrl, env, loadConfig, tokenKeys, type Env } from '@squirret/config';
import { z } from 'zod';

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
});

export type ControlPlaneConfig = z.infer<typeof ControlPlaneConfigSchema>;

export function loadControlPlaneConfig(source: Env): ControlPlaneConfig {
  return loadConfig(ControlPlaneConfigSchema, source);
}
