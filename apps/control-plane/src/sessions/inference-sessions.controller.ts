import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SessionIdParamSchema, type CreateInferenceSessionRequest, type CreateInferenceSessionResponse } from '@squirret/contracts';
import { parseOrThrow, type RateLimiter } from '@squirret/server-kit';
import type { FastifyRequest } from 'fastify';
import { CP_SESSION_RATE_LIMITER } from '../control-plane.tokens';
import { clientAddress } from './client-address';
import {
  CreateInferenceSessionRequestDto,
  CreateInferenceSessionResponseDto,
  ErrorBodyDto,
  FinishSessionRequestDto,
  FinishSessionResponseDto,
  RefreshInferenceSessionResponseDto,
} from './dto/sessions.dto';
import { SessionErrors } from './sessions.errors';
import { SessionsService } from './sessions.service';

/** Path ids that are not UUIDs cannot name a session: answered as unknown (404). */
function sessionIdParam(id: string): string {
  try {
    return parseOrThrow(SessionIdParamSchema, { id }).id;
  } catch {
    throw SessionErrors.notFound(id.slice(0, 64));
  }
}

/** Inference sessions (docs/contracts/ios-api.md §8.2): create with a data-plane allocation, refresh the token, finish. */
@ApiTags('inference sessions')
@Controller('api/session')
export class InferenceSessionsController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(CP_SESSION_RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: CreateInferenceSessionResponseDto })
  @ApiResponse({ status: 400, type: ErrorBodyDto })
  @ApiResponse({ status: 429, type: ErrorBodyDto })
  @ApiResponse({ status: 503, type: ErrorBodyDto, description: 'NO_CAPACITY: no live data-plane node' })
  create(@Req() req: FastifyRequest, @Body() body: CreateInferenceSessionRequestDto): Promise<CreateInferenceSessionResponseDto> {
    return this.createFor(clientAddress(req), body);
  }

  /**
   * The steps of `create` for a client address and a validated body; also served as a fast route
   * (sessions.fast-route.ts), which calls it without the framework's per-request pipeline.
   */
  async createFor(address: string, body: CreateInferenceSessionRequest): Promise<CreateInferenceSessionResponse> {
    await this.limiter.consume(address || 'unknown');
    return this.sessions.createInference(body.userId);
  }

  @Post(':id/refresh')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({
    type: RefreshInferenceSessionResponseDto,
    description: 'A new token and the wsUrl to connect to: the same node, or another one when the session\'s node died or drains',
  })
  @ApiResponse({ status: 404, type: ErrorBodyDto })
  @ApiResponse({ status: 409, type: ErrorBodyDto })
  @ApiResponse({ status: 503, type: ErrorBodyDto, description: 'NO_CAPACITY: the session\'s node is gone and no other node is live' })
  refresh(@Param('id') id: string): Promise<RefreshInferenceSessionResponseDto> {
    return this.sessions.refresh(sessionIdParam(id));
  }

  @Post(':id/finish')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: FinishSessionResponseDto })
  @ApiResponse({ status: 400, type: ErrorBodyDto })
  @ApiResponse({ status: 404, type: ErrorBodyDto })
  finish(@Param('id') id: string, @Body() body: FinishSessionRequestDto): Promise<FinishSessionResponseDto> {
    return this.sessions.finish(sessionIdParam(id), body);
  }
}
