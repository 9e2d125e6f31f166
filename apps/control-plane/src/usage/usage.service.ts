import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import type { JobQueue } from '@squirret/server-kit';
import { CP_BUS, CP_JOBS } from '../control-plane.tokens';
import { UsageRepository } from './usage.repository';
import { USAGE_JOBS, type UsageJobs } from './usage.jobs';

/**
 * Records usage through jobs: the client's figures when a session finishes, the data plane's own
 * (`session.usage` on the bus) when a stream ends. Both land in one row, side by side.
 */
@Injectable()
export class UsageService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('usage');
  private off: Unsubscribe | undefined;

  constructor(
    @Inject(CP_JOBS) private readonly jobs: JobQueue<UsageJobs>,
    @Inject(CP_BUS) private readonly bus: Bus,
    private readonly repo: UsageRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    this.jobs.process(USAGE_JOBS.recordClient, (d) => this.repo.recordClient(d));
    this.jobs.process(USAGE_JOBS.recordServer, (d) => this.repo.recordServer(d));
    this.off = await this.bus.subscribe('session.usage', async (e) => {
      // One job per stream end; the job id makes a redelivered event count once.
      await this.jobs.enqueue(
        USAGE_JOBS.recordServer,
        { ...e, at: new Date(e.at).toISOString() },
        { jobId: `${e.sessionId}:${e.nodeId}:${e.at}` },
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.off?.();
  }

  /** Queues the client's figures; idempotent per session. */
  async recordClientFigures(data: UsageJobs[typeof USAGE_JOBS.recordClient]): Promise<void> {
    await this.jobs.enqueue(USAGE_JOBS.recordClient, data, { jobId: data.sessionId });
    this.logger.log({ sessionId: data.sessionId }, 'client usage queued');
  }
}
