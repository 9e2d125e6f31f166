import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FsrDeviceQuerySchema, type FsrLatestResponse } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import type { FsrConfig } from '../config/fsr.config';
import { ErrorBodyDto, FsrLatestResponseDto } from '../fsr.dto';
import { toLatestResponse } from '../fsr.mapper';
import { FSR_CONFIG, FSR_LIVE_STORE } from '../fsr.tokens';
import type { LiveStore } from '../live/live-store';

/** `GET /api/fsr_data/latest` (docs/contracts/ios-api.md §5.2): each foot's latest sample, null for a foot with no data. */
@ApiTags('fsr')
@Controller('api/fsr_data')
export class LatestController {
  constructor(
    @Inject(FSR_LIVE_STORE) private readonly store: LiveStore,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {}

  @Get('latest')
  @ApiQuery({ name: 'deviceId', required: false })
  @ApiOkResponse({ type: FsrLatestResponseDto })
  @ApiResponse({ status: 400, type: ErrorBodyDto })
  async latest(@Query() query: unknown): Promise<FsrLatestResponse> {
    const { deviceId } = parseOrThrow(FsrDeviceQuerySchema, query);
    return toLatestResponse(await this.store.latest(deviceId ?? this.config.FSR_DEFAULT_DEVICE_ID));
  }
}
