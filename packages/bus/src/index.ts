export * from './bus';
export * from './memory-bus';
export * from './redis-bus';
export * from './create-bus';
export * from './redis-connections';
