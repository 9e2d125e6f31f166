import {
  AiStatusRequestSchema,
  AiStatusResponseSchema,
  CreateInferenceSessionRequestSchema,
  CreateInferenceSessionResponseSchema,
  ErrorBodySchema,
  FinishSessionRequestSchema,
  FinishSessionResponseSchema,
  RefreshInferenceSessionResponseSchema,
  SessionTokenResponseSchema,
  UpgradeRequestSchema,
} from '@squirret/contracts';
import { createZodDto } from 'nestjs-zod';

// HTTP DTOs made from the contracts' schemas: validated by the global pipe, documented in OpenAPI.
export class UpgradeRequestDto extends createZodDto(UpgradeRequestSchema) {}
export class CreateInferenceSessionRequestDto extends createZodDto(CreateInferenceSessionRequestSchema) {}
export class FinishSessionRequestDto extends createZodDto(FinishSessionRequestSchema) {}
export class AiStatusRequestDto extends createZodDto(AiStatusRequestSchema) {}
export class SessionTokenResponseDto extends createZodDto(SessionTokenResponseSchema) {}
export class CreateInferenceSessionResponseDto extends createZodDto(CreateInferenceSessionResponseSchema) {}
export class RefreshInferenceSessionResponseDto extends createZodDto(RefreshInferenceSessionResponseSchema) {}
export class FinishSessionResponseDto extends createZodDto(FinishSessionResponseSchema) {}
export class AiStatusResponseDto extends createZodDto(AiStatusResponseSchema) {}
export class ErrorBodyDto extends createZodDto(ErrorBodySchema) {}
