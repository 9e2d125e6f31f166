import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CP_DATA_SOURCE } from '../control-plane.tokens';
import { SessionUsageEntity } from './session-usage.entity';
import type { UsageJobs, USAGE_JOBS } from './usage.jobs';

/** Writes the usage ledger. Both writers upsert their own columns only, so their order does not matter. */
@Injectable()
export class UsageRepository {
  constructor(@Inject(CP_DATA_SOURCE) private readonly ds: DataSource) {}

  async recordClient(u: UsageJobs[typeof USAGE_JOBS.recordClient]): Promise<void> {
    await this.ds.query(
      `INSERT INTO cp_session_usage (session_id, client_frames_in, client_frames_out, client_duration_seconds, client_reported_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id) DO UPDATE SET
         client_frames_in = EXCLUDED.client_frames_in, client_frames_out = EXCLUDED.client_frames_out,
         client_duration_seconds = EXCLUDED.client_duration_seconds, client_reported_at = EXCLUDED.client_reported_at
       WHERE cp_session_usage.client_reported_at IS NULL`,
      [u.sessionId, u.framesIn, u.framesOut, u.durationSeconds, u.at],
    );
  }

  /** Server figures add up over the streams of one session (a reconnect is a second stream). */
  async recordServer(u: UsageJobs[typeof USAGE_JOBS.recordServer]): Promise<void> {
    await this.ds.query(
      `INSERT INTO cp_session_usage (session_id, server_node_id, server_frames_in, server_frames_analysed, server_frames_dropped, server_duration_ms, server_reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (session_id) DO UPDATE SET
         server_node_id = EXCLUDED.server_node_id,
         server_frames_in = COALESCE(cp_session_usage.server_frames_in, 0) + EXCLUDED.server_frames_in,
         server_frames_analysed = COALESCE(cp_session_usage.server_frames_analysed, 0) + EXCLUDED.server_frames_analysed,
         server_frames_dropped = COALESCE(cp_session_usage.server_frames_dropped, 0) + EXCLUDED.server_frames_dropped,
         server_duration_ms = COALESCE(cp_session_usage.server_duration_ms, 0) + EXCLUDED.server_duration_ms,
         server_reported_at = EXCLUDED.server_reported_at`,
      [u.sessionId, u.nodeId, u.framesIn, u.framesAnalysed, u.framesDropped, u.durationMs, u.at],
    );
  }

  find(sessionId: string): Promise<SessionUsageEntity | null> {
    return this.ds.getRepository(SessionUsageEntity).findOneBy({ sessionId });
  }
}
