import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { RateLimiter } from '@squirret/server-kit';
import type { FastifyRequest } from 'fastify';
import { CP_SESSION_RATE_LIMITER } from '../control-plane.tokens';
import { clientAddress } from './client-address';
import { ErrorBodyDto, SessionTokenResponseDto, UpgradeRequestDto } from './dto/sessions.dto';
import { SessionsService } from './sessions.service';

/** The app's own session: guest issue (docs/contracts/ios-api.md §3.1) and guest-to-user upgrade (docs/contracts/ios-api.md §3.2). */
@ApiTags('sessions')
@Controller()
export class AppSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(CP_SESSION_RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  /** Called by the app itself (no internal key), so it is rate limited per client address. */
  @Post('internal/session')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionTokenResponseDto, description: 'A guest session and its STOMP token' })
  @ApiResponse({ status: 429, type: ErrorBodyDto })
  async issueGuest(@Req() req: FastifyRequest): Promise<SessionTokenResponseDto> {
    await this.limiter.consume(clientAddress(req));
    return this.sessions.issueGuest();
  }

  @Post('auth/upgrade')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionTokenResponseDto, description: 'A user token for the same session' })
  @ApiResponse({ status: 400, type: ErrorBodyDto })
  @ApiResponse({ status: 404, type: ErrorBodyDto })
  @ApiResponse({ status: 409, type: ErrorBodyDto })
  upgrade(@Body() body: UpgradeRequestDto): Promise<SessionTokenResponseDto> {
    return this.sessions.upgrade(body);
  }
}
