export * from './patterns';
export * from './simulator';
export { parseSimulatorArgs } from './cli';
