import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CoupleRoomIdSchema, PT_ROOM_ID, type PtSessionResponse } from '@squirret/contracts';
import { InternalKeyGuard } from '@squirret/server-kit';
import type { PtSession } from '../distributor/pt.repository';
import { CoupleRoomsService } from '../rooms/couple-rooms.service';
import { AddRoomMemberRequestDto, CreatePtSessionRequestDto, UpsertPersonRequestDto } from '../rooms/dto/rooms.dto';
import { RoomErrors } from '../rooms/rooms.errors';
import { ChatAdminService } from './chat-admin.service';

const roomIdOf = (raw: string): number => {
  const id = CoupleRoomIdSchema.safeParse(raw);
  if (!id.success) throw RoomErrors.notFound(raw.slice(0, 32));
  return id.data;
};

const ptResponse = (p: PtSession): PtSessionResponse => ({ id: p.id, room_id: PT_ROOM_ID.format(p.id), trainer_id: p.trainerId, member_id: p.memberId, created_at: p.createdAt.toISOString() });

/**
 * Internal admin endpoints of the chat rooms (X-Internal-Api-Key when INTERNAL_API_KEY is set):
 * couple room members and stored sessions; trainers, members and PT sessions of the distributor chat.
 */
@Controller('internal/chat')
@UseGuards(InternalKeyGuard)
export class ChatAdminController {
  constructor(
    private readonly rooms: CoupleRoomsService,
    private readonly admin: ChatAdminService,
  ) {}

  /** Adds a user to a couple room (as speaker B); idempotent. */
  @Post('rooms/:roomId/members')
  @HttpCode(201)
  async addMember(@Param('roomId') roomId: string, @Body() body: AddRoomMemberRequestDto) {
    const id = roomIdOf(roomId);
    const m = await this.rooms.addMember(id, body.user_id);
    return { room_id: id, user_id: m.userId, speaker_type: m.speaker, source: m.source };
  }

  /** The room's stored sessions: start, end, topic, participants, the mediator's counters and summary. */
  @Get('rooms/:roomId/sessions')
  async sessions(@Param('roomId') roomId: string) {
    const sessions = await this.rooms.sessionsOf(roomIdOf(roomId));
    return sessions.map((s) => ({
      session_id: s.id,
      room_id: s.roomId,
      topic: s.topic,
      user_a_id: s.userAId,
      user_b_id: s.userBId,
      started_at: s.startedAt.toISOString(),
      ended_at: s.endedAt?.toISOString() ?? null,
      end_reason: s.endReason,
      summary: s.summary,
      turns: s.turns,
      questions: s.questions,
    }));
  }

  @Post('trainers')
  @HttpCode(201)
  async upsertTrainer(@Body() body: UpsertPersonRequestDto) {
    await this.admin.upsertTrainer(body.id, body.name);
    return { id: body.id, name: body.name };
  }

  @Post('members')
  @HttpCode(201)
  async upsertMember(@Body() body: UpsertPersonRequestDto) {
    await this.admin.upsertMember(body.id, body.name);
    return { id: body.id, name: body.name };
  }

  /** A PT session between a trainer and a member: their chat room `pt_<id>`. */
  @Post('pt-sessions')
  @HttpCode(201)
  async createPtSession(@Body() body: CreatePtSessionRequestDto): Promise<PtSessionResponse> {
    return ptResponse(await this.admin.createPtSession(body.trainer_id, body.member_id));
  }

  @Get('trainers/:trainerId/pt-sessions')
  async ptSessionsOf(@Param('trainerId') trainerId: string): Promise<PtSessionResponse[]> {
    return (await this.admin.ptSessionsOf(trainerId.slice(0, 128))).map(ptResponse);
  }
}
