import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import type { FsrConfig } from '../config/fsr.config';
import { FsrMetrics } from '../fsr.metrics';
import { FSR_BUS, FSR_CLOCK, FSR_CONFIG, FSR_LIVE_STORE, type Clock } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';
import { FeedbackService } from './feedback.service';

/**
 * Every FSR_FEEDBACK_INTERVAL_MS, publishes `fsr.feedback` for each device that sent a sample within
 * the window (for the session channel's voice messages). With several instances each tick of each
 * device is claimed in the live store, so exactly one instance publishes it.
 */
@Injectable()
export class FeedbackPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('fsr-feedback');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly feedback: FeedbackService,
    private readonly metrics: FsrMetrics,
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
    @Inject(FSR_BUS) private readonly bus: Bus,
    @Inject(FSR_CLOCK) private readonly clock: Clock,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.tick(this.clock.now()).catch((err: unknown) => this.logger.warn({ err: String(err) }, 'feedback tick failed')),
      this.config.FSR_FEEDBACK_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Publishes this tick's feedback of every active device this instance wins; returns how many it published. */
  async tick(now: number): Promise<number> {
    const tick = Math.floor(now / this.config.FSR_FEEDBACK_INTERVAL_MS);
    const devices = await this.store.activeDevices(now - this.config.FSR_FEEDBACK_WINDOW_MS);
    let published = 0;
    for (const deviceId of devices) {
      if (!(await this.store.claimTick(deviceId, tick))) continue;
      const { evaluation, sessionId } = await this.feedback.evaluate({ deviceId });
      await this.bus.publish('fsr.feedback', {
        deviceId,
        sessionId,
        stage: evaluation.stage,
        status: evaluation.status,
        feedback: evaluation.sentences.join(' '),
        metrics: evaluation.metrics,
        at: now,
      });
      this.metrics.feedbackPublished.inc();
      published++;
    }
    return published;
  }
}
