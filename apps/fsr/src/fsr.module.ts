import { Inject, Module, type DynamicModule, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Bus } from '@squirret/bus';
import { DependencyHealth, type RateLimiter } from '@squirret/server-kit';
import type { DataSource } from 'typeorm';
import type { FsrConfig } from './config/fsr.config';
import { DeviceAdminController } from './devices/device-admin.controller';
import { DeviceTokens } from './devices/device-tokens';
import { PgGenerationSink, TokenGenerations } from './devices/token-generations';
import { AiStatusListener } from './feedback/ai-status.listener';
import { FeedbackController } from './feedback/feedback.controller';
import { FeedbackPublisher } from './feedback/feedback.publisher';
import { FeedbackService } from './feedback/feedback.service';
import { FsrMetrics } from './fsr.metrics';
import {
  FSR_BUS,
  FSR_CLOCK,
  FSR_CONFIG,
  FSR_DATA_SOURCE,
  FSR_DEVICE_TOKENS,
  FSR_LIVE_STORE,
  FSR_RATE_LIMITER,
  FSR_SAMPLE_JOURNAL,
  FSR_SAMPLE_WRITER,
  FSR_TOKEN_GENERATIONS,
  systemClock,
  type Clock,
} from './fsr.tokens';
import { IngestController } from './ingest/ingest.controller';
import { IngestService } from './ingest/ingest.service';
import { LatestController } from './latest/latest.controller';
import type { LiveStore } from './live/live-store';
import { RetentionService } from './samples/retention.service';
import type { SampleJournal } from './samples/sample-journal';
import type { SampleWriter } from './samples/sample-writer';
import { SamplesRepository } from './samples/samples.repository';
import { FsrStreamGateway } from './stream/fsr-stream.gateway';

/** Ingest routes an ESP32 posts to many times a second: the request logger skips them (metrics count them). */
export const FSR_INGEST_ROUTES = ['/api/fsr_data', '/api/fsr_data/batch'] as const;

/** The fsr service's I/O, built by its runtime (standalone) or by the all-in-one process. */
export interface FsrDeps {
  readonly config: FsrConfig;
  readonly dataSource: DataSource;
  readonly bus: Bus;
  readonly store: LiveStore;
  readonly writer: SampleWriter;
  /** The local journal written before each 202 (absent when FSR_JOURNAL_DIR is off). */
  readonly journal?: SampleJournal;
  readonly rateLimiter: RateLimiter;
  readonly clock?: Clock;
}


/**
 * Starts the writer's shutdown budget when the app begins to close (SIGTERM), before the HTTP
 * server has drained, so `close()` flushes for as long as the process is allowed to live.
 */
class WriterShutdown implements OnModuleDestroy {
  constructor(@Inject(FSR_SAMPLE_WRITER) private readonly writer: SampleWriter) {}

  onModuleDestroy(): void {
    this.writer.beginShutdown();
  }
}

/** Follows device-token revocations while device tokens are on. */
class DeviceTokenLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(FSR_TOKEN_GENERATIONS) private readonly generations: TokenGenerations,
    @Inject(FSR_DEVICE_TOKENS) private readonly tokens: DeviceTokens,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.tokens.required) await this.generations.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.generations.stop();
  }
}

/** The fsr service: ESP32 ingest, latest, live stream, 10-second and combined feedback, device tokens. */
@Module({})
export class FsrModule {
  static forRoot(deps: FsrDeps): DynamicModule {
    const c = deps.config;
    const clock = deps.clock ?? systemClock;
    const generations = new TokenGenerations(new PgGenerationSink(deps.dataSource), deps.bus, c.FSR_DEVICE_TOKEN_REFRESH_SEC * 1000, () => clock.now());
    return {
      module: FsrModule,
      controllers: [IngestController, LatestController, FeedbackController, DeviceAdminController],
      providers: [
        { provide: FSR_CONFIG, useValue: c },
        { provide: FSR_DATA_SOURCE, useValue: deps.dataSource },
        { provide: FSR_BUS, useValue: deps.bus },
        { provide: FSR_CLOCK, useValue: clock },
        { provide: FSR_LIVE_STORE, useValue: deps.store },
        { provide: FSR_SAMPLE_WRITER, useValue: deps.writer },
        { provide: FSR_SAMPLE_JOURNAL, useValue: deps.journal ?? null },
        WriterShutdown,
        { provide: FSR_RATE_LIMITER, useValue: deps.rateLimiter },
        {
          provide: FSR_DEVICE_TOKENS,
          useValue: new DeviceTokens(
            { secret: c.FSR_DEVICE_TOKEN_SECRET, ttlSec: c.FSR_DEVICE_TOKEN_TTL_SEC },
            () => Math.floor(clock.now() / 1000),
            (deviceId) => generations.of(deviceId),
          ),
        },
        { provide: FSR_TOKEN_GENERATIONS, useValue: generations },
        DeviceTokenLifecycle,
        { provide: SamplesRepository, useFactory: (ds: DataSource) => new SamplesRepository(ds), inject: [FSR_DATA_SOURCE] },
        FsrMetrics,
        IngestService,
        FeedbackService,
        FeedbackPublisher,
        AiStatusListener,
        RetentionService,
        FsrStreamGateway,
        DependencyHealth.provider('fsr', { database: FSR_DATA_SOURCE, bus: FSR_BUS }),
      ],
    };
  }
}
