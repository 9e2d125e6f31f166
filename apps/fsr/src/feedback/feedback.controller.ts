import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FsrFeedbackQuerySchema, type FsrCombinedFeedbackResponse, type FsrFeedbackResponse } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import type { FsrConfig } from '../config/fsr.config';
import { ErrorBodyDto, FsrCombinedFeedbackResponseDto, FsrFeedbackResponseDto } from '../fsr.dto';
import { FSR_CONFIG } from '../fsr.tokens';
import { FeedbackService, type FeedbackTarget } from './feedback.service';

/** The 10-second feedback (docs/contracts/ios-api.md §5.4) and the AI + FSR combined feedback (docs/contracts/ios-api.md §5.5). */
@ApiTags('fsr')
@ApiQuery({ name: 'deviceId', required: false })
@ApiQuery({ name: 'sessionId', required: false, description: 'Whose AI status counts; default: the session the device last named, else the one posted without a session' })
@ApiResponse({ status: 400, type: ErrorBodyDto })
@Controller('api/fsr_data/feedback')
export class FeedbackController {
  constructor(
    private readonly feedback: FeedbackService,
    @Inject(FSR_CONFIG) private readonly config: FsrConfig,
  ) {}

  @Get()
  @ApiOkResponse({ type: FsrFeedbackResponseDto })
  window(@Query() query: unknown): Promise<FsrFeedbackResponse> {
    return this.feedback.feedback(this.target(query));
  }

  @Get('combined')
  @ApiOkResponse({ type: FsrCombinedFeedbackResponseDto })
  combined(@Query() query: unknown): Promise<FsrCombinedFeedbackResponse> {
    return this.feedback.combined(this.target(query));
  }

  private target(query: unknown): FeedbackTarget {
    const q = parseOrThrow(FsrFeedbackQuerySchema, query);
    return { deviceId: q.deviceId ?? this.config.FSR_DEFAULT_DEVICE_ID, sessionId: q.sessionId };
  }
}
