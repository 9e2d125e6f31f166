import type { Logger as TypeOrmLogger } from 'typeorm';

/** Where the database layer writes its log lines (a pino logger fits). */
export interface DatabaseLogSink {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

/** One JSON line per entry on stdout, the shape pino writes (used when the app gives no sink). */
export const jsonLineSink: DatabaseLogSink = {
  warn: (obj, msg) => process.stdout.write(`${JSON.stringify({ level: 40, time: Date.now(), name: 'database', msg, ...obj })}\n`),
  error: (obj, msg) => process.stdout.write(`${JSON.stringify({ level: 50, time: Date.now(), name: 'database', msg, ...obj })}\n`),
  info: (obj, msg) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), name: 'database', msg, ...obj })}\n`),
};

const MAX_SQL_CHARS = 300;

/** The statement's first characters, for finding it in the code; never its parameters. */
function sqlHead(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_SQL_CHARS ? `${flat.slice(0, MAX_SQL_CHARS)}…` : flat;
}

/**
 * PostgreSQL quotes the offending value in some messages (`invalid input syntax for type uuid:
 * "…"`); the quoted parts are cut so no user data reaches the log.
 */
export function scrubDatabaseMessage(message: string): string {
  return message.replace(/"[^"]*"/g, '"…"').slice(0, 300);
}

/**
 * TypeORM's logger replaced: its own prints failed queries with all their parameters (user ids,
 * emails, thousands of sample values per batch) as raw lines outside the JSON log. This one writes
 * through the app's sink, with the SQLSTATE, a scrubbed message and the statement's head, and never
 * the parameters. Successful queries are not logged.
 */
export class SafeTypeOrmLogger implements TypeOrmLogger {
  constructor(private readonly sink: DatabaseLogSink = jsonLineSink) {}

  logQuery(): void {
    // Not logged: every statement with its parameters would be both noise and a leak.
  }

  /** `_parameters` are taken and never read. */
  logQueryError(error: string | Error, query: string, _parameters?: unknown[]): void {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    const message = typeof error === 'string' ? error : error.message;
    this.sink.warn({ sqlState: typeof code === 'string' ? code : undefined, err: scrubDatabaseMessage(message), sql: sqlHead(query) }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.sink.warn({ ms: time, sql: sqlHead(query) }, 'slow query');
  }

  logSchemaBuild(): void {
    // The schema comes only from migrations; nothing is built.
  }

  logMigration(message: string): void {
    this.sink.info({}, scrubDatabaseMessage(message));
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = scrubDatabaseMessage(message instanceof Error ? message.message : String(message));
    if (level === 'warn') this.sink.warn({}, text);
    else this.sink.info({}, text);
  }
}
