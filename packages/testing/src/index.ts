export * from './process';
export * from './redis';
