/** Payload prefix that makes the crashing test worker exit mid-job (see crashing-worker.ts). */
export const CRASH_MAGIC = 'CRASH-THIS-WORKER';
