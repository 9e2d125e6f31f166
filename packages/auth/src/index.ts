export * from './jwt';
export * from './tokens';
