import { env, loadConfig, type Env } from '@squirret/config';
import { z } from 'zod';

/** Every setting of the fsr service, validated once at boot. */
export const FsrConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(8083),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  BUS_PREFIX: z.string().default('squirret:'),
  BODY_LIMIT_BYTES: env.int(16 * 1024, 256),
  TRUST_PROXY: env.bool(false),
});

export type FsrConfig = z.infer<typeof FsrConfigSchema>;

export function loadFsrConfig(source: Env): FsrConfig {
  return loadConfig(FsrConfigSchema, source);
}
