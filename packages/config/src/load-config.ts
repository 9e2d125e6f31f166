import { z } from 'zod';

/** Thrown when the environment does not satisfy an app's config schema; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables as read once at boot (process.env, or a test's own object). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against an app's schema, read once at boot.
 * Empty strings count as unset so `FOO=` in a .env file falls back to the default.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

/** Common building blocks for config schemas. */
export const env = {
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  int: (def: number, min = 0) => z.coerce.number().int().min(min).default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  url: () => z.string().url(),
  /** A secret: never printed by `describeConfig`. At least 32 characters for HS256. */
  secret: () => z.string().min(32, 'must be at least 32 characters'),
  list: (def: string[]) =>
    z
      .string()
      .default(def.join(','))
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
} as const;

/** Names of config keys that hold secrets; masked wherever config is printed. */
export const SECRET_KEY_PATTERN = /(SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL|REDIS_URL)/i;

/** A printable view of a config object with secrets masked. */
export function describeConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    out[k] = SECRET_KEY_PATTERN.test(k) && v !== undefined ? '***' : v;
  }
  return out;
}
