import { Injectable } from '@nestjs/common';
import { SessionErrors } from '../sessions/sessions.errors';
import { SessionsRepository } from '../sessions/sessions.repository';
import { UsageRepository } from '../usage/usage.repository';
import { toSessionAdminView, type SessionAdminView } from './session-admin.mapper';

/** Reads one session and its usage for the admin view; SESSION_NOT_FOUND when there is none. */
@Injectable()
export class SessionAdminService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly usage: UsageRepository,
  ) {}

  async view(id: string): Promise<SessionAdminView> {
    const s = await this.sessions.find(id);
    if (!s) throw SessionErrors.notFound(id);
    return toSessionAdminView(s, await this.usage.find(id));
  }
}
