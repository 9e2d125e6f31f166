import { Injectable } from '@nestjs/common';
import type { CreateRoomRequest, HistoryQuery, RoomListItem, RoomResponse } from '@squirret/contracts';
import { MessagesRepository } from '../conversations/messages.repository';
import { coupleRoomKey } from '../conversations/room-key';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { CoupleRoomsRepository, type CoupleMember, type CoupleRoom } from './couple-rooms.repository';
import { CoupleSessionsRepository, type CoupleSession } from './couple-sessions.repository';
import { coupleWireObject } from './couple-wire';
import { RoomErrors } from './rooms.errors';

/** Everything a connecting client needs: its room, its place in it, the open session and the newest message id. */
export interface CoupleEntry {
  readonly room: CoupleRoom;
  readonly member: CoupleMember;
  readonly members: readonly CoupleMember[];
  readonly session: CoupleSession;
  readonly head: number;
}

const toResponse = (r: CoupleRoom): RoomResponse => ({ room_id: r.id, room_name: r.name, couple_id: r.coupleId, created_at: r.createdAt.toISOString() });

/**
 * Couple rooms (docs/contracts/couple-chat.md): creation, listing, history, and who may enter. A user may enter a room
 * they created, one whose couple id their token carries (they become member B on first entry),
 * or one an admin added them to; anyone else is refused.
 */
@Injectable()
export class CoupleRoomsService {
  constructor(
    private readonly rooms: CoupleRoomsRepository,
    private readonly sessions: CoupleSessionsRepository,
    private readonly messages: MessagesRepository,
  ) {}

  async create(user: SpringIdentity, body: CreateRoomRequest): Promise<RoomResponse> {
    // A token that names a couple may only create rooms for that couple.
    if (user.coupleId !== null && user.coupleId !== body.couple_id) throw RoomErrors.coupleMismatch();
    return toResponse(await this.rooms.create(body.room_name, body.couple_id, user.userId));
  }

  async list(user: SpringIdentity): Promise<RoomListItem[]> {
    const rooms = await this.rooms.listFor(user.userId, user.coupleId);
    const activity = await this.messages.activity(rooms.map((r) => coupleRoomKey(r.id)), user.userId);
    return rooms.map((r) => {
      const a = activity.get(coupleRoomKey(r.id));
      return { ...toResponse(r), unread_count: a?.unread ?? 0, last_message_id: a?.lastMessageId ?? 0, last_activity: (a?.lastActivity ?? r.createdAt).toISOString() };
    });
  }

  async history(user: SpringIdentity, roomId: number, query: HistoryQuery): Promise<{ messages: Record<string, unknown>[]; has_more: boolean }> {
    const { room } = await this.authorize(user, roomId);
    const page = await this.messages.page(coupleRoomKey(room.id), query.before, query.limit);
    return { messages: page.messages.map(coupleWireObject), has_more: page.hasMore };
  }

  /** The room and the caller's place in it, or ROOM_NOT_FOUND / NOT_A_MEMBER. */
  async authorize(user: SpringIdentity, roomId: number): Promise<{ room: CoupleRoom; member: CoupleMember }> {
    const room = await this.rooms.find(roomId);
    if (!room) throw RoomErrors.notFound(roomId);
    const member = await this.rooms.member(room.id, user.userId);
    if (member) return { room, member };
    if (user.coupleId !== null && user.coupleId === room.coupleId) return { room, member: await this.rooms.addMember(room.id, user.userId, 'couple') };
    throw RoomErrors.notMember(roomId);
  }

  /** Authorizes a WebSocket client and opens (or joins) the room's session. */
  async enter(user: SpringIdentity, roomId: number, topic: string | null): Promise<CoupleEntry> {
    const { room, member } = await this.authorize(user, roomId);
    let session = await this.sessions.open(room.id, topic ?? room.name, room.creatorId);
    if (member.speaker === 'B' && session.userBId === null) session = (await this.sessions.setUserB(session.id, member.userId)) ?? session;
    const [members, head] = await Promise.all([this.rooms.members(room.id), this.messages.head(coupleRoomKey(room.id))]);
    return { room, member, members, session, head };
  }

  async addMember(roomId: number, userId: string): Promise<CoupleMember> {
    const room = await this.rooms.find(roomId);
    if (!room) throw RoomErrors.notFound(roomId);
    return this.rooms.addMember(room.id, userId, 'admin');
  }

  async sessionsOf(roomId: number): Promise<CoupleSession[]> {
    const room = await this.rooms.find(roomId);
    if (!room) throw RoomErrors.notFound(roomId);
    return this.sessions.listForRoom(room.id);
  }
}
