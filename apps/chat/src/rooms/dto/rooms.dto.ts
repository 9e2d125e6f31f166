import { AddRoomMemberRequestSchema, CreatePtSessionRequestSchema, CreateRoomRequestSchema, UpsertPersonRequestSchema } from '@squirret/contracts';
import { createZodDto } from 'nestjs-zod';

// HTTP DTOs of the chat rooms, made from the contracts' schemas and validated by the global pipe.
export class CreateRoomRequestDto extends createZodDto(CreateRoomRequestSchema) {}
export class AddRoomMemberRequestDto extends createZodDto(AddRoomMemberRequestSchema) {}
export class UpsertPersonRequestDto extends createZodDto(UpsertPersonRequestSchema) {}
export class CreatePtSessionRequestDto extends createZodDto(CreatePtSessionRequestSchema) {}
