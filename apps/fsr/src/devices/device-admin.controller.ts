import { Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FsrDeviceIdSchema, type FsrDeviceTokenResponse } from '@squirret/contracts';
import { InternalKeyGuard, INTERNAL_API_KEY_HEADER, parseOrThrow } from '@squirret/server-kit';
import { z } from 'zod';
import { FSR_DEVICE_TOKENS } from '../fsr.tokens';
import { ErrorBodyDto, FsrDeviceTokenResponseDto } from '../fsr.dto';
import type { DeviceTokens } from './device-tokens';

const DeviceParamSchema = z.object({ deviceId: FsrDeviceIdSchema });

/** Internal admin: issues a device token for an insole (internal key when configured). */
@ApiTags('internal')
@ApiHeader({ name: INTERNAL_API_KEY_HEADER, required: false, description: 'Required when INTERNAL_API_KEY is configured' })
@Controller('internal/fsr/devices')
@UseGuards(InternalKeyGuard)
export class DeviceAdminController {
  constructor(@Inject(FSR_DEVICE_TOKENS) private readonly tokens: DeviceTokens) {}

  @Post(':deviceId/token')
  @HttpCode(200)
  @ApiOkResponse({ type: FsrDeviceTokenResponseDto })
  @ApiResponse({ status: 400, type: ErrorBodyDto })
  @ApiResponse({ status: 401, type: ErrorBodyDto })
  @ApiResponse({ status: 403, type: ErrorBodyDto })
  @ApiResponse({ status: 409, type: ErrorBodyDto, description: 'DEVICE_TOKENS_DISABLED: no FSR_DEVICE_TOKEN_SECRET' })
  issue(@Param('deviceId') deviceId: string): FsrDeviceTokenResponse {
    const { deviceId: id } = parseOrThrow(DeviceParamSchema, { deviceId });
    return { deviceId: id, ...this.tokens.issue(id) };
  }
}
