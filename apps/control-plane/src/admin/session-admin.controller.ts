import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { SessionIdParamSchema } from '@squirret/contracts';
import { InternalKeyGuard, INTERNAL_API_KEY_HEADER } from '@squirret/server-kit';
import { SessionErrors } from '../sessions/sessions.errors';
import { SessionsRepository } from '../sessions/sessions.repository';
import { UsageRepository } from '../usage/usage.repository';

/** Usage figures as admin tools read them: the client's and the data plane's, side by side. */
export interface SessionUsageView {
  readonly client: { framesIn: number; framesOut: number; durationSeconds: number; reportedAt: string } | null;
  readonly server: { nodeId: string | null; framesIn: number; framesAnalysed: number; framesDropped: number; durationMs: number; reportedAt: string } | null;
}

/** Internal admin view of one session (for ops and admin tools; internal key when configured). */
@ApiTags('internal')
@ApiHeader({ name: INTERNAL_API_KEY_HEADER, required: false })
@Controller('internal/sessions')
@UseGuards(InternalKeyGuard)
export class SessionAdminController {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly usage: UsageRepository,
  ) {}

  @Get(':id')
  async get(@Param('id') id: string) {
    if (!SessionIdParamSchema.safeParse({ id }).success) throw SessionErrors.notFound(id.slice(0, 64));
    const s = await this.sessions.find(id);
    if (!s) throw SessionErrors.notFound(id);
    const u = await this.usage.find(id);
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
}
