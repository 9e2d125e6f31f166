export * from './config/inference.config';
export * from './inference.module';
export * from './allocation/node-announcer';
export * from './inference.metrics';
