import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CoupleRoomIdSchema, HistoryQuerySchema, type RoomListItem, type RoomResponse } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import { CurrentUser, SpringAuthGuard } from '../spring-auth/spring-auth.guard';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { CoupleRoomsService } from './couple-rooms.service';
import { CreateRoomRequestDto } from './dto/rooms.dto';
import { RoomErrors } from './rooms.errors';

/** Couple rooms over REST (docs/contracts/couple-chat.md), with a Spring token in `Authorization: Bearer`. */
@Controller('api/rooms')
@UseGuards(SpringAuthGuard)
export class CoupleRoomsController {
  constructor(private readonly rooms: CoupleRoomsService) {}

  @Post()
  @HttpCode(201)
  create(@CurrentUser() user: SpringIdentity, @Body() body: CreateRoomRequestDto): Promise<RoomResponse> {
    return this.rooms.create(user, body);
  }

  /** The caller's rooms, each with their unread count. */
  @Get()
  list(@CurrentUser() user: SpringIdentity): Promise<RoomListItem[]> {
    return this.rooms.list(user);
  }

  /** History: `?before=<message id>&limit=<1..100>`, oldest first, with `has_more`. */
  @Get(':roomId/messages')
  history(@CurrentUser() user: SpringIdentity, @Param('roomId') roomId: string, @Query() query: Record<string, string>) {
    const id = CoupleRoomIdSchema.safeParse(roomId);
    if (!id.success) throw RoomErrors.notFound(roomId.slice(0, 32));
    return this.rooms.history(user, id.data, parseOrThrow(HistoryQuerySchema, query));
  }
}
