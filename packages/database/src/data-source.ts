import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';

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
}

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
    logging: ['error', 'migration'],
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'squirret',
      connectionTimeoutMillis: 5_000,
    },
  };
  return new DataSource(config);
}

/** Initializes the data source and applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const ds = createDataSource(options);
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
