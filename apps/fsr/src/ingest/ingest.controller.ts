import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  FSR_DEVICE_ID_HEADER,
  FsrBatchRequestSchema,
  type FsrAcceptedResponse,
  type FsrBatchAcceptedResponse,
} from '@squirret/contracts';
import { parseOrThrow, type RateLimiter } from '@squirret/server-kit';
import type { IncomingHttpHeaders } from 'node:http';
import type { FsrConfig } from '../config/fsr.config';
import type { DeviceTokens } from '../devices/device-tokens';
import { ErrorBodyDto, FsrAcceptedResponseDto, FsrBatchAcceptedResponseDto, FsrBatchRequestDto, FsrSampleRequestDto } from '../fsr.dto';
import { FsrMetrics, type IngestForm } from '../fsr.metrics';
import { FSR_CONFIG, FSR_DEVICE_TOKENS, FSR_RATE_LIMITER } from '../fsr.tokens';
import { resolveDeviceId } from './device-id';
import { IngestService } from './ingest.service';
import { parseSampleBody } from './sample-body';

/** ESP32 ingest (docs/contracts/ios-api.md §5.1): one sample, or a batch of timestamped samples a device buffered. */
@ApiTags('fsr')
@ApiHeader({ name: FSR_DEVICE_ID_HEADER, required: false, description: 'Device id (or the body field deviceId); default device when absent' })
@ApiHeader({ name: 'authorization', required: false, description: 'Bearer <device token>, required when FSR_DEVICE_TOKEN_SECRET is configured' })
@ApiResponse({ status: 400, type: ErrorBodyDto })
@ApiResponse({ status: 401, type: ErrorBodyDto })
@ApiResponse({ status: 403, type: ErrorBodyDto })
@ApiResponse({ status: 429, type: ErrorBodyDto })
@ApiResponse({ status: 503, type: ErrorBodyDto, description: 'INGEST_OVERLOADED: storage is behind; retry' })
@Controller('api/fsr_data')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly metrics: FsrMetrics,
    @Inject(FSR_DEVICE_TOKENS) private readonly tokens: DeviceTokens,
    @Inject(FSR_RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiBody({ type: FsrSampleRequestDto })
  @ApiResponse({ status: 202, type: FsrAcceptedResponseDto })
  async ingestOne(@Headers() headers: IncomingHttpHeaders, @Body() body: unknown): Promise<FsrAcceptedResponse> {
    // The high-rate path (also served as a fast route, see ingest.fast-route.ts): the same steps
    // as `counted`, without its closures and extra promises.
    let n: number;
    try {
      const sample = parseSampleBody(body);
      const deviceId = await this.admit(headers, sample.deviceId);
      n = await this.ingest.ingestOne(deviceId, sample.sessionId ?? null, sample);
    } catch (err) {
      this.metrics.outcome('single', err);
      throw err;
    }
    this.metrics.outcome('single');
    this.metrics.samples.inc({ form: 'single' }, n);
    return { status: 'ACCEPTED' };
  }

  @Post('batch')
  @HttpCode(202)
  @ApiBody({ type: FsrBatchRequestDto })
  @ApiResponse({ status: 202, type: FsrBatchAcceptedResponseDto })
  ingestBatch(@Headers() headers: IncomingHttpHeaders, @Body() body: unknown): Promise<FsrBatchAcceptedResponse> {
    return this.counted('batch', async () => {
      const batch = parseOrThrow(FsrBatchRequestSchema, body);
      const deviceId = await this.admit(headers, batch.deviceId);
      return this.ingest.ingestBatch(deviceId, batch.sessionId ?? null, batch.samples);
    }).then((accepted) => ({ status: 'ACCEPTED', accepted }) as const);
  }

  /** Names the device, checks its token (when required), then spends one request of its rate limit. */
  private async admit(headers: IncomingHttpHeaders, bodyDeviceId: string | undefined): Promise<string> {
    const deviceId = resolveDeviceId(headers, bodyDeviceId, this.config.FSR_DEFAULT_DEVICE_ID);
    this.tokens.authorize(headers.authorization, deviceId);
    await this.limiter.consume(deviceId);
    return deviceId;
  }

  private async counted(form: IngestForm, run: () => Promise<number>): Promise<number> {
    try {
      const n = await run();
      this.metrics.outcome(form);
      this.metrics.samples.inc({ form }, n);
      return n;
    } catch (err) {
      this.metrics.outcome(form, err);
      throw err;
    }
  }
}
