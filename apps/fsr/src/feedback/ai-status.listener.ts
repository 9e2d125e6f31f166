import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus, Unsubscribe } from '@squirret/bus';
import { FSR_BUS, FSR_LIVE_STORE } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';

/** Keeps the latest `ai.status` of each session in the live store, for the stage and the combined feedback. */
@Injectable()
export class AiStatusListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('fsr-ai-status');
  private off: Unsubscribe | undefined;

  constructor(
    @Inject(FSR_BUS) private readonly bus: Bus,
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
  ) {}

  async onModuleInit(): Promise<void> {
    // Every instance receives every event and writes the same value: idempotent, and an instance
    // that starts later still finds the latest status in the shared store.
    this.off = await this.bus.subscribe('ai.status', (e) =>
      this.store.putAiStatus(e).catch((err: unknown) => this.logger.warn({ err: String(err) }, 'ai.status not stored')),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.off?.();
  }
}
