import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { FsrConfig } from '../config/fsr.config';
import { FSR_CLOCK, FSR_CONFIG, type Clock } from '../fsr.tokens';
import { SamplesRepository } from './samples.repository';

const DAY_MS = 24 * 3600 * 1000;

/** Deletes samples older than FSR_RETENTION_DAYS, once at start and every FSR_RETENTION_SWEEP_SEC (0 days: never). */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('fsr-retention');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly samples: SamplesRepository,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
    @Inject(FSR_CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.FSR_RETENTION_DAYS === 0) return;
    const run = () => void this.sweep().catch((err: unknown) => this.logger.warn({ err: String(err) }, 'retention sweep failed'));
    run();
    this.timer = setInterval(run, this.config.FSR_RETENTION_SWEEP_SEC * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes what is past retention as of now; returns how many rows went. */
  async sweep(): Promise<number> {
    if (this.config.FSR_RETENTION_DAYS === 0) return 0;
    const cutoff = new Date(this.clock.now() - this.config.FSR_RETENTION_DAYS * DAY_MS);
    const deleted = await this.samples.deleteOlderThan(cutoff);
    if (deleted > 0) this.logger.log({ deleted, cutoff: cutoff.toISOString() }, 'old samples deleted');
    return deleted;
  }
}
