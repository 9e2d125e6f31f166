export * from './frame-source';
export * from './streamer';
export { formatSummary } from './cli';
