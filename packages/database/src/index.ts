export * from './data-source';
export * from './embedded-postgres';
export * from './scratch-database';
export * from './safe-logger';
