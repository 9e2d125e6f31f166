import type { SessionEntity } from '../sessions/session.entity';
import type { SessionUsageEntity } from '../usage/session-usage.entity';

/** Usage figures as admin tools read them: the client's and the data plane's, side by side. */
export interface SessionUsageView {
  readonly client: { framesIn: number; framesOut: number; durationSeconds: number; reportedAt: string } | null;
  readonly server: { nodeId: string | null; framesIn: number; framesAnalysed: number; framesDropped: number; durationMs: number; reportedAt: string } | null;
}

/** The admin view of one session (never the row itself). */
export interface SessionAdminView {
  readonly sessionId: string;
  readonly kind: SessionEntity['kind'];
  readonly status: SessionEntity['status'];
  readonly userId: string | null;
  readonly nodeId: string | null;
  readonly wsUrl: string | null;
  readonly createdAt: string;
  readonly upgradedAt: string | null;
  readonly finishedAt: string | null;
  readonly usage: SessionUsageView;
}

/** Maps a session row and its usage row (if any) to the admin view. */
export function toSessionAdminView(s: SessionEntity, u: SessionUsageEntity | null | undefined): SessionAdminView {
  const usage: SessionUsageView = {
    client:
      u?.clientReportedAt != null
        ? {
            framesIn: Number(u.clientFramesIn),
            framesOut: Number(u.clientFramesOut),
            durationSeconds: Number(u.clientDurationSeconds),
            reportedAt: u.clientReportedAt.toISOString(),
          }
        : null,
    server:
      u?.serverReportedAt != null
        ? {
            nodeId: u.serverNodeId,
            framesIn: Number(u.serverFramesIn),
            framesAnalysed: Number(u.serverFramesAnalysed),
            framesDropped: Number(u.serverFramesDropped),
            durationMs: Number(u.serverDurationMs),
            reportedAt: u.serverReportedAt.toISOString(),
          }
        : null,
  };
  return {
    sessionId: s.id,
    kind: s.kind,
    status: s.status,
    userId: s.userId,
    nodeId: s.nodeId,
    wsUrl: s.wsUrl,
    createdAt: s.createdAt.toISOString(),
    upgradedAt: s.upgradedAt?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    usage,
  };
}
