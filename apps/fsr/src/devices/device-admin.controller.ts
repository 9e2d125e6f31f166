import { Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FsrDeviceIdSchema, type FsrDeviceRevokeResponse, type FsrDeviceTokenResponse } from '@squirret/contracts';
import { InternalKeyGuard, INTERNAL_API_KEY_HEADER, parseOrThrow } from '@squirret/server-kit';
import { z } from 'zod';
import { FSR_DEVICE_TOKENS, FSR_TOKEN_GENERATIONS, type Clock, FSR_CLOCK } from '../fsr.tokens';
import { ErrorBodyDto, FsrDeviceRevokeResponseDto, FsrDeviceTokenResponseDto } from '../fsr.dto';
import type { DeviceTokens } from './device-tokens';
import type { TokenGenerations } from './token-generations';

const DeviceParamSchema = z.object({ deviceId: FsrDeviceIdSchema });

/** Internal admin: issues and revokes device tokens for an insole (internal key when configured). */
@ApiTags('internal')
@ApiHeader({ name: INTERNAL_API_KEY_HEADER, required: false, description: 'Required when INTERNAL_API_KEY is configured' })
@ApiResponse({ status: 400, type: ErrorBodyDto })
@ApiResponse({ status: 401, type: ErrorBodyDto })
@ApiResponse({ status: 403, type: ErrorBodyDto })
@ApiResponse({ status: 409, type: ErrorBodyDto, description: 'DEVICE_TOKENS_DISABLED: no FSR_DEVICE_TOKEN_SECRET' })
@Controller('internal/fsr/devices')
@UseGuards(InternalKeyGuard)
export class DeviceAdminController {
  constructor(
    @Inject(FSR_DEVICE_TOKENS) private readonly tokens: DeviceTokens,
    @Inject(FSR_TOKEN_GENERATIONS) private readonly generations: TokenGenerations,
    @Inject(FSR_CLOCK) private readonly clock: Clock,
  ) {}

  @Post(':deviceId/token')
  @HttpCode(200)
  @ApiOkResponse({ type: FsrDeviceTokenResponseDto })
  async issue(@Param('deviceId') deviceId: string): Promise<FsrDeviceTokenResponse> {
    const { deviceId: id } = parseOrThrow(DeviceParamSchema, { deviceId });
    this.tokens.assertEnabled();
    return { deviceId: id, ...this.tokens.issue(id, await this.generations.current(id)) };
  }

  /** Every token issued to the device so far stops working on every instance (a lost or stolen insole). */
  @Post(':deviceId/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: FsrDeviceRevokeResponseDto })
  async revoke(@Param('deviceId') deviceId: string): Promise<FsrDeviceRevokeResponse> {
    const { deviceId: id } = parseOrThrow(DeviceParamSchema, { deviceId });
    this.tokens.assertEnabled();
    const tokenGeneration = await this.generations.revoke(id);
    return { deviceId: id, tokenGeneration, revokedAt: new Date(this.clock.now()).toISOString() };
  }
}
