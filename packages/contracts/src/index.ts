export * from './ids';
export * from './pose';
export * from './errors';
export * from './close-codes';
export * from './tokens';
export * from './control-plane';
export * from './bus-events';
export * from './session-channel';
