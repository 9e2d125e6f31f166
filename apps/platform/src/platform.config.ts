import { resolve } from 'node:path';
import { baseConfigShape, databaseUrl, env, loadConfig, type Env } from '@squirret/config';
import { z } from 'zod';

/** Repository root, found from this file's place in `apps/platform/dist/src`. */
export const REPO_ROOT = resolve(__dirname, '../../../..');

/** Settings of the all-in-one process. Each service's own settings are read by its own schema. */
export const PlatformConfigSchema = z.object({
  ...baseConfigShape({ port: 8080 }),
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: databaseUrl().optional(),
  /** Where the embedded PostgreSQL and the generated development secrets live (git-ignored). */
  DATA_DIR: z.string().default(resolve(REPO_ROOT, '.data')),
  EMBEDDED_PG_PORT: env.port(54329),
  SESSION_TOKEN_SECRET: env.secret().optional(),
  INFERENCE_TOKEN_SECRET: env.secret().optional(),
  /** The Spring service's HS256 secret for the chat rooms; unset outside production: a generated dev one. */
  SPRING_JWT_SECRET: env.secret().optional(),
});

export type PlatformConfig = z.infer<typeof PlatformConfigSchema>;

export function loadPlatformConfig(source: Env): PlatformConfig {
  return loadConfig(PlatformConfigSchema, source);
}
