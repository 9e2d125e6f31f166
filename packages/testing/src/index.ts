export * from './process';
