export * from './config/fsr.config';
export * from './fsr.module';
export * from './runtime';
export * from './app';
export * from './ingest/ingest.fast-route';
export * from './fsr.metrics';
