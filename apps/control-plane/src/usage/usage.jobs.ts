/** Job names of the control plane's queue: typed constants, never loose strings. */
export const USAGE_JOBS = {
  recordClient: 'usage.record-client',
  recordServer: 'usage.record-server',
} as const;

/** Data of each usage job. */
export interface UsageJobs extends Record<string, unknown> {
  [USAGE_JOBS.recordClient]: { sessionId: string; framesIn: number; framesOut: number; durationSeconds: number; at: string };
  [USAGE_JOBS.recordServer]: {
    sessionId: string;
    nodeId: string;
    framesIn: number;
    framesAnalysed: number;
    framesDropped: number;
    durationMs: number;
    at: string;
  };
}

/** The queue the control plane's jobs run on. */
export const CONTROL_PLANE_QUEUE = 'control-plane';
