import type { SquatAnalyzerSnapshot } from '@squirret/squat';

/**
 * What a node needs to carry a session on where another left it: the analyzer's snapshot (reps,
 * stage, smoothing, the rep being recorded), the session's frame counters and its clock mapping.
 */
export interface SessionCheckpoint {
  readonly version: 1;
  readonly sessionId: string;
  /** The node that wrote it, and when (epoch ms): a restore only takes a newer one than it has. */
  readonly nodeId: string;
  readonly savedAt: number;
  readonly analyzer: SquatAnalyzerSnapshot;
  readonly counters: { readonly framesIn: number; readonly framesAnalysed: number; readonly framesDropped: number };
  /**
   * The counters as of the session's last `session.usage` report (its usage watermark): the node
   * that restores this reports `counters - reported` with its next delta, so frames the writer
   * received but never reported are not lost with it. Absent in checkpoints of older nodes (then
   * everything up to `counters` counts as reported, as those nodes assumed).
   */
  readonly reported?: { readonly framesIn: number; readonly framesAnalysed: number; readonly framesDropped: number };
  readonly lastTimeMs: number | null;
  readonly useClientTime: boolean | null;
}

const finiteOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));
const count = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Whether a stored checkpoint can be trusted. JSON turns Infinity and NaN into null, so a value
 * that broke the analyzer would come back as a null where a number belongs: anything that is not
 * the shape written here is ignored (the session starts fresh rather than restored poisoned).
 */
export function isSaneCheckpoint(x: unknown, sessionId: string): x is SessionCheckpoint {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Partial<Record<keyof SessionCheckpoint, unknown>>;
  const counters = c.counters as Record<string, unknown> | undefined;
  const reported = c.reported as Record<string, unknown> | undefined;
  const analyzer = c.analyzer as { version?: unknown; lastMs?: unknown } | undefined;
  return (
    c.version === 1 &&
    c.sessionId === sessionId &&
    typeof c.nodeId === 'string' &&
    typeof c.savedAt === 'number' &&
    Number.isFinite(c.savedAt) &&
    finiteOrNull(c.lastTimeMs) &&
    (c.useClientTime === null || typeof c.useClientTime === 'boolean') &&
    typeof counters === 'object' &&
    counters !== null &&
    count(counters.framesIn) &&
    count(counters.framesAnalysed) &&
    count(counters.framesDropped) &&
    (reported === undefined ||
      (typeof reported === 'object' &&
        reported !== null &&
        (['framesIn', 'framesAnalysed', 'framesDropped'] as const).every((k) => count(reported[k]) && (reported[k] as number) <= (counters[k] as number)))) &&
    typeof analyzer === 'object' &&
    analyzer !== null &&
    analyzer.version === 1 &&
    finiteOrNull(analyzer.lastMs)
  );
}
