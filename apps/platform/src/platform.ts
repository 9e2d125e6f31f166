import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createBus, redisConnectionsFor, type Bus } from '@squirret/bus';
import type { PoseModelName } from '@squirret/contracts';
import { ChatModule, createChatDeps, loadChatConfig } from '@squirret/chat';
import { ControlPlaneModule, controlPlaneFastRoutes, createControlPlaneDeps, loadControlPlaneConfig } from '@squirret/control-plane';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '@squirret/database';
import { FSR_INGEST_ROUTES, FsrModule, createFsrDeps, fsrFastRoutes, loadFsrConfig } from '@squirret/fsr';
import { InferenceModule, loadInferenceConfig } from '@squirret/inference';
import type { Env } from '@squirret/config';
import { KitModule, buildOpenApi, createHttpApp, serveApiDocs, serveOpenApi } from '@squirret/server-kit';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { loadPlatformConfig, type PlatformConfig } from './platform.config';

@Module({})
class PlatformRootModule {}

/** The all-in-one process, built but not yet listening. */
export interface Platform {
  readonly app: NestFastifyApplication;
  readonly config: PlatformConfig;
  readonly databaseUrl: string;
  readonly embedded: EmbeddedDatabase | undefined;
  readonly bus: Bus;
  /** What the data plane runs (INFERENCE_POSE_MODEL, INFERENCE_POSE_WORKERS), for the start-up banner. */
  readonly pose: { readonly model: PoseModelName; readonly workers: number };
  /** The chat rooms use the generated development Spring secret (tokens: `npm run demo-token -w apps/platform`). */
  readonly devSpringSecret: boolean;
  close(): Promise<void>;
}

/**
 * Builds the four services into one NestJS app on one port: embedded PostgreSQL when no
 * DATABASE_URL is set, the in-memory bus and in-process jobs when no REDIS_URL is set.
 * Each service still reads its settings through its own validated schema.
 */
export async function buildPlatform(source: Env, log: (msg: string) => void = () => undefined): Promise<Platform> {
  const config = loadPlatformConfig(source);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    log(`starting embedded PostgreSQL (data in ${join(config.DATA_DIR, 'postgres')})`);
    embedded = await startEmbeddedPostgres({ dataDir: join(config.DATA_DIR, 'postgres'), port: config.EMBEDDED_PG_PORT });
    databaseUrl = embedded.url;
  }
  const needsDevSecrets = !config.SESSION_TOKEN_SECRET || !config.INFERENCE_TOKEN_SECRET;
  if (needsDevSecrets && config.NODE_ENV === 'production') {
    throw new Error('invalid configuration:\n  - SESSION_TOKEN_SECRET and INFERENCE_TOKEN_SECRET are required in production');
  }
  const production = config.NODE_ENV === 'production';
  // Chat rooms: outside production a generated Spring secret stands in (mint demo tokens with
  // `npm run demo-token -w apps/platform`), and demo trainers and members are seeded.
  const devSpring = !config.SPRING_JWT_SECRET && !production;
  const dev = needsDevSecrets || devSpring ? loadOrCreateDevSecrets(config.DATA_DIR) : undefined;
  const shared: Env = {
    ...source,
    HOST: config.HOST,
    PORT: String(config.PORT),
    DATABASE_URL: databaseUrl,
    SESSION_TOKEN_SECRET: config.SESSION_TOKEN_SECRET ?? dev?.sessionTokenSecret,
    INFERENCE_TOKEN_SECRET: config.INFERENCE_TOKEN_SECRET ?? dev?.inferenceTokenSecret,
    SPRING_JWT_SECRET: config.SPRING_JWT_SECRET ?? (devSpring ? dev?.springJwtSecret : undefined),
    ...(devSpring ? { SPRING_JWT_SECRET_ENCODING: 'raw' } : {}),
    CHAT_DEMO_DATA: source.CHAT_DEMO_DATA ?? (production ? 'false' : 'true'),
    // The FSR sample journal (SIGKILL loses no acknowledged sample) lives beside the embedded
    // database it replays into; with a DATABASE_URL it is off unless FSR_JOURNAL_DIR names a
    // directory of this process's own (a shared default would mix databases).
    FSR_JOURNAL_DIR: source.FSR_JOURNAL_DIR ?? (embedded ? join(config.DATA_DIR, 'fsr-journal') : undefined),
  };
  const cpConfig = loadControlPlaneConfig(shared);
  const infConfig = loadInferenceConfig(shared);
  const fsrConfig = loadFsrConfig(shared);
  const chatConfig = loadChatConfig(shared);

  // One set of Redis connections (none without REDIS_URL) for the bus, the limiters and the stores.
  const redis = redisConnectionsFor(config.REDIS_URL);
  const bus = createBus({ redis, prefix: config.BUS_PREFIX });
  const cp = await createControlPlaneDeps(cpConfig, { bus, redis });
  const chat = await createChatDeps(chatConfig, { bus, redis });
  const fsr = await createFsrDeps(fsrConfig, { bus, redis });
  const root: DynamicModule = {
    module: PlatformRootModule,
    imports: [
      KitModule.forRoot({
        logging: { level: config.LOG_LEVEL, service: 'platform', unloggedPostRoutes: FSR_INGEST_ROUTES },
        internalApiKey: cpConfig.INTERNAL_API_KEY,
      }),
      ControlPlaneModule.forRoot(cp.deps),
      InferenceModule.forRoot({ config: infConfig, bus, redis }),
      FsrModule.forRoot(fsr.deps),
      ChatModule.forRoot(chat.deps),
    ],
  };
  const app = await createHttpApp(root, { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: config.TRUST_PROXY, fastRoutes: (a) => [...controlPlaneFastRoutes(a), ...fsrFastRoutes(a)] });
  serveOpenApi(
    app,
    buildOpenApi(app, {
      title: 'Squirret platform (all-in-one)',
      description: 'The HTTP endpoints of the all-in-one process: control plane, FSR and chat (docs/contracts/ios-api.md and the chat seeds).',
    }),
  );
  serveApiDocs(app, {
    title: 'Squirret platform',
    description: 'The all-in-one process: control plane, inference data plane, FSR service and chat on one port.',
    openapi: [{ name: 'Platform (all-in-one): control plane, FSR, chat', url: '/openapi.json' }],
    asyncapi: true,
  });
  return {
    app,
    config,
    databaseUrl,
    embedded,
    bus,
    pose: { model: infConfig.INFERENCE_POSE_MODEL, workers: infConfig.INFERENCE_POSE_WORKERS },
    devSpringSecret: devSpring,
    close: async () => {
      await fsr.close();
      await cp.close();
      await chat.close();
      await bus.close();
      await redis?.close();
      await embedded?.stop();
    },
  };
}
