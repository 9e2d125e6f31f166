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

/** Old key name -> its new name: the old one is still accepted, with a warning, for one release. */
export type RenamedKeys = Readonly<Record<string, string>>;

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Keys renamed in this release (old -> new). */
  readonly renamed?: RenamedKeys;
  /** Where deprecation warnings go (default: one JSON line on stderr, as the services log). */
  readonly warn?: (message: string, fields: Record<string, string>) => void;
}

const stderrWarn = (message: string, fields: Record<string, string>): void => {
  process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...fields })}\n`);
};

/**
 * Validates the environment against an app's schema, read once at boot.
 * Empty strings count as unset so `FOO=` in a .env file falls back to the default.
 * A renamed key's old name is read when the new one is unset, and logged as deprecated either way.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env, options: LoadConfigOptions = {}): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const warn = options.warn ?? stderrWarn;
  for (const [from, to] of Object.entries(options.renamed ?? {})) {
    const old = cleaned[from];
    if (old === undefined) continue;
    delete cleaned[from];
    if (cleaned[to] === undefined) {
      cleaned[to] = old;
      warn(`config key ${from} is deprecated and will be removed in the next release; set ${to} instead`, { key: from, use: to });
    } else {
      warn(`config key ${from} is deprecated and ignored because ${to} is set`, { key: from, use: to });
    }
  }
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

/** Log levels the services accept. */
export const LogLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The one rule for a PostgreSQL URL. */
export const databaseUrl = () => z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

/**
 * The keys every service reads with the same meaning (one declaration; the all-in-one process
 * hands every service the same environment). Each app spreads this into its schema and adds its
 * own keys under its own prefix (`INFERENCE_`, `FSR_`, `CHAT_`, ...). The defaults that differ per
 * service (its port, its socket send buffer) are arguments.
 */
export function baseConfigShape(defaults: { readonly port: number; readonly wsMaxBufferedBytes?: number }) {
  return {
    HOST: z.string().default('127.0.0.1'),
    PORT: env.port(defaults.port),
    LOG_LEVEL: LogLevelSchema.default('info'),
    /** Unset: in-memory bus, limiters and stores (one process). */
    REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    /** Namespaces bus channels and Redis keys (one deployment, or one test run). */
    BUS_PREFIX: z.string().default('squirret:'),
    BODY_LIMIT_BYTES: env.int(16 * 1024, 256),
    TRUST_PROXY: env.bool(false),
    /** Unsent bytes one WebSocket client may have queued before it is cut off as a slow consumer. */
    WS_MAX_BUFFERED_BYTES: env.int(defaults.wsMaxBufferedBytes ?? 256 * 1024, 1024),
  };
}

/** Keys the token-issuing and token-checking services share. */
export const tokenKeys = {
  /** Allowed clock skew for exp / nbf / iat, in seconds. */
  TOKEN_CLOCK_SKEW_SEC: env.int(5),
};

/**
 * Keys that several services read with the same meaning, declared once with one rule. Unlike the
 * base shape not every service reads each of them, so an app picks the ones it reads
 * (`DATABASE_URL: sharedKeys.DATABASE_URL`); they keep their unprefixed names because they are shared.
 */
export const sharedKeys = {
  DATABASE_URL: databaseUrl(),
  /** Signs (control plane) and verifies (chat) the app's session token. */
  SESSION_TOKEN_SECRET: env.secret(),
  /** Signs (control plane) and verifies (inference) the inference token. */
  INFERENCE_TOKEN_SECRET: env.secret(),
  /** When set, /internal/* needs it in X-Internal-Api-Key (the all-in-one process hands every service the same one). */
  INTERNAL_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
};
