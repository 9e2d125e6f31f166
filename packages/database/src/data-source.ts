import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { SafeTypeOrmLogger, type DatabaseLogSink } from './safe-logger';

/** What an app hands to the database bootstrap: its entities and its committed migrations. */
export interface DatabaseOptions {
  readonly url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function | string>;
  /** Name of the migrations table, one per app so apps migrate independently. */
  readonly migrationsTableName: string;
  readonly poolSize?: number;
  readonly applicationName?: string;
  /** Where query failures are logged (never with their parameters); JSON lines on stdout by default. */
  readonly logger?: DatabaseLogSink;
  /** How long a request waits for a pool connection before failing (then answered 503). */
  readonly connectionTimeoutMs?: number;
}

/**
 * Waiting for a pool connection: short, so while PostgreSQL is away a request fails (503
 * DEPENDENCY_UNAVAILABLE) instead of hanging, and one that started just before PostgreSQL came
 * back still gets a fresh connection within it.
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 2_000;

/** First key of the migration advisory locks (`pg_advisory_lock(int, int)`): "SQrt". */
const MIGRATION_LOCK_CLASS = 0x53517274;

/**
 * A TypeORM data source that never synchronizes: the schema comes only from migrations, run at
 * boot (`migrationsRun`), each in its own transaction.
 */
export function createDataSource(options: DatabaseOptions): DataSource {
  const config: DataSourceOptions = {
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: options.migrationsTableName,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    logger: new SafeTypeOrmLogger(options.logger),
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'squirret',
      connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    },
  };
  return new DataSource(config);
}

/**
 * Initializes the data source and applies pending migrations under a PostgreSQL advisory lock
 * (one per migrations table, so per app), so any number of replicas started at once migrate one
 * after the other: the first applies them, the rest find nothing pending. The lock is held by a
 * dedicated connection and released after (a crashed holder's lock goes with its connection).
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const ds = createDataSource(options);
  await ds.initialize();
  try {
    await migrateUnderLock(ds, options.migrationsTableName);
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    throw err;
  }
  return ds;
}

async function migrateUnderLock(ds: DataSource, lockName: string): Promise<void> {
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, lockName]);
    try {
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, lockName]);
    }
  } finally {
    await lock.release();
  }
}
