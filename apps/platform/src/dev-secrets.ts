import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Token secrets generated for a local all-in-one start. */
export interface DevSecrets {
  readonly sessionTokenSecret: string;
  readonly inferenceTokenSecret: string;
  /** Stands in for the Spring service's shared HS256 secret (chat rooms); added to older files on first need. */
  readonly springJwtSecret: string;
}

/**
 * Secrets stay out of code: when none are configured for a local start, random ones are generated
 * once and kept (mode 0600) in the git-ignored data folder, so tokens survive a restart.
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : undefined;
  if (stored?.sessionTokenSecret && stored.inferenceTokenSecret && stored.springJwtSecret) return stored as DevSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: DevSecrets = {
    sessionTokenSecret: stored?.sessionTokenSecret ?? randomBytes(48).toString('base64url'),
    inferenceTokenSecret: stored?.inferenceTokenSecret ?? randomBytes(48).toString('base64url'),
    springJwtSecret: stored?.springJwtSecret ?? randomBytes(48).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
