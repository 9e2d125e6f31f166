import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { SessionIdParamSchema } from '@squirret/contracts';
import { InternalKeyGuard, INTERNAL_API_KEY_HEADER } from '@squirret/server-kit';
import { SessionErrors } from '../sessions/sessions.errors';
import type { SessionAdminView } from './session-admin.mapper';
import { SessionAdminService } from './session-admin.service';

/** Internal admin view of one session (for ops and admin tools; internal key when configured). */
@ApiTags('internal')
@ApiHeader({ name: INTERNAL_API_KEY_HEADER, required: false })
@Controller('internal/sessions')
@UseGuards(InternalKeyGuard)
export class SessionAdminController {
  constructor(private readonly admin: SessionAdminService) {}

  @Get(':id')
  async get(@Param('id') id: string): Promise<SessionAdminView> {
    if (!SessionIdParamSchema.safeParse({ id }).success) throw SessionErrors.notFound(id.slice(0, 64));
    return this.admin.view(id);
  }
}
