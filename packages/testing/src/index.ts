export * from './process';
export * from './redis';
export * from './private-services';
export * from './api-docs';
export * from './http';
