import { Hs256Jwt, hmacKey, newJti, type BaseClaims } from '@squirret/auth';
import { env, loadConfig } from '@squirret/config';
import { z } from 'zod';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { loadPlatformConfig } from './platform.config';

/** What the demo-token tool reads: the same keys the chat service verifies with. */
const DemoTokenConfigSchema = z.object({
  SPRING_JWT_SECRET_ENCODING: z.enum(['raw', 'base64']).default('raw'),
  SPRING_USER_ID_CLAIM: z.string().min(1).default('sub'),
  SPRING_ROLE_CLAIM: z.string().min(1).default('role'),
  SPRING_COUPLE_ID_CLAIM: z.string().min(1).default('couple_id'),
  SPRING_NAME_CLAIM: z.string().min(1).default('name'),
  DEMO_TOKEN_TTL_SEC: env.int(3600, 60),
});

const USAGE = `usage: npm run demo-token -w apps/platform -- <user id> [ROLE] [--couple <id>] [--name <name>]
  e.g.  demo-trainer TRAINER        (the seeded trainer 김코치)
        demo-member-1 MEMBER        (the seeded member 이회원)
        alice USER --couple 7       (a couple-chat user of couple 7)
Signs an HS256 token like the Spring service would, with SPRING_JWT_SECRET when set, else with the
development secret the all-in-one start generated in DATA_DIR/dev-secrets.json. Never in production.`;

/**
 * Mints a demo Spring token for the all-in-one start. The secret comes from configuration (or the
 * generated, git-ignored development secret), never from code.
 */
function main(args: string[]): void {
  const platform = loadPlatformConfig(process.env);
  const config = loadConfig(DemoTokenConfigSchema, process.env);
  const positional = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const [userId, role = 'USER'] = positional;
  if (!userId || args.includes('--help')) {
    console.error(USAGE);
    process.exit(2);
  }
  if (platform.NODE_ENV === 'production') {
    console.error('demo tokens are for development only');
    process.exit(1);
  }
  const secret = platform.SPRING_JWT_SECRET ?? loadOrCreateDevSecrets(platform.DATA_DIR).springJwtSecret;
  const encoding = platform.SPRING_JWT_SECRET ? config.SPRING_JWT_SECRET_ENCODING : 'raw';
  const now = Math.floor(Date.now() / 1000);
  const couple = flag('couple');
  const name = flag('name');
  // Extra claims beside the base ones, named as configured.
  const claims: BaseClaims & Record<string, unknown> = {
    sub: userId,
    [config.SPRING_USER_ID_CLAIM]: userId,
    [config.SPRING_ROLE_CLAIM]: role.toUpperCase(),
    ...(couple ? { [config.SPRING_COUPLE_ID_CLAIM]: Number(couple) } : {}),
    ...(name ? { [config.SPRING_NAME_CLAIM]: name } : {}),
    iat: now,
    exp: now + config.DEMO_TOKEN_TTL_SEC,
    jti: newJti(),
  };
  const jwt = new Hs256Jwt(hmacKey(secret, encoding));
  console.log(jwt.sign(claims));
}

main(process.argv.slice(2));
