import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Bus } from '@squirret/bus';
import { InternalKeyGuard, INTERNAL_API_KEY_HEADER } from '@squirret/server-kit';
import { CP_BUS, CP_CLOCK, type Clock } from '../control-plane.tokens';
import { AiStatusRequestDto, AiStatusResponseDto, ErrorBodyDto } from '../sessions/dto/sessions.dto';

/** `POST /internal/ai/status` (docs/contracts/ios-api.md §7 step 5): sets the AI judgement by hand, published as `ai.status`. */
@ApiTags('internal')
@ApiHeader({ name: INTERNAL_API_KEY_HEADER, required: false, description: 'Required when INTERNAL_API_KEY is configured' })
@Controller('internal/ai')
@UseGuards(InternalKeyGuard)
export class AiStatusController {
  constructor(
    @Inject(CP_BUS) private readonly bus: Bus,
    @Inject(CP_CLOCK) private readonly clock: Clock,
  ) {}

  @Post('status')
  @HttpCode(200)
  @ApiOkResponse({ type: AiStatusResponseDto })
  @ApiResponse({ status: 400, type: ErrorBodyDto })
  @ApiResponse({ status: 401, type: ErrorBodyDto })
  @ApiResponse({ status: 403, type: ErrorBodyDto })
  async publish(@Body() body: AiStatusRequestDto): Promise<AiStatusResponseDto> {
    const sessionId = body.sessionId ?? null;
    await this.bus.publish('ai.status', {
      sessionId,
      lumbar: body.lumbar,
      knee: body.knee,
      ankle: body.ankle,
      source: 'internal-api',
      at: this.clock.now(),
    });
    return { status: 'PUBLISHED', sessionId, lumbar: body.lumbar, knee: body.knee, ankle: body.ankle };
  }
}
