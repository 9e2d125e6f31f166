export * from './platform';
export * from './platform.config';
