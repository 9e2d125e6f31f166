import {
  ErrorBodySchema,
  FsrAcceptedResponseSchema,
  FsrBatchAcceptedResponseSchema,
  FsrBatchRequestSchema,
  FsrCombinedFeedbackResponseSchema,
  FsrDeviceRevokeResponseSchema,
  FsrDeviceTokenResponseSchema,
  FsrFeedbackResponseSchema,
  FsrLatestResponseSchema,
  FsrSampleRequestSchema,
} from '@squirret/contracts';
import { createZodDto } from 'nestjs-zod';

// HTTP DTOs made from the contracts' schemas, for the OpenAPI document. Ingest bodies are parsed
// in the controller (parseOrThrow) so that rejections can be counted per reason.
export class FsrSampleRequestDto extends createZodDto(FsrSampleRequestSchema) {}
export class FsrBatchRequestDto extends createZodDto(FsrBatchRequestSchema) {}
export class FsrAcceptedResponseDto extends createZodDto(FsrAcceptedResponseSchema) {}
export class FsrBatchAcceptedResponseDto extends createZodDto(FsrBatchAcceptedResponseSchema) {}
export class FsrLatestResponseDto extends createZodDto(FsrLatestResponseSchema) {}
export class FsrFeedbackResponseDto extends createZodDto(FsrFeedbackResponseSchema) {}
export class FsrCombinedFeedbackResponseDto extends createZodDto(FsrCombinedFeedbackResponseSchema) {}
export class FsrDeviceTokenResponseDto extends createZodDto(FsrDeviceTokenResponseSchema) {}
export class FsrDeviceRevokeResponseDto extends createZodDto(FsrDeviceRevokeResponseSchema) {}
export class ErrorBodyDto extends createZodDto(ErrorBodySchema) {}
