import { Inject, Injectable } from '@nestjs/common';
import { PT_ROOM_ID, type HistoryQuery, type TrainerRoomList } from '@squirret/contracts';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { MessagesRepository } from '../conversations/messages.repository';
import { ptRoomKey } from '../conversations/room-key';
import { RoomErrors } from '../rooms/rooms.errors';
import { SpringAuthService } from '../spring-auth/spring-auth.service';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { distributorWireObject, publicPtRoomId } from './distributor-wire';
import { PtRepository, type PtSession } from './pt.repository';

/** The caller's side of a PT room. */
export interface PtSeat {
  readonly pt: PtSession;
  readonly role: 'trainer' | 'member';
  readonly name: string;
}

/**
 * The trainer-member chat (docs/contracts/distributor-chat.md): a trainer reaches only their own members' rooms, a member
 * only their trainer's; which side one is on comes from the PT session in PostgreSQL and the
 * caller's id from the token (never from a `user_id` query parameter).
 */
@Injectable()
export class DistributorService {
  private readonly minuteFormat: Intl.DateTimeFormat;

  constructor(
    private readonly pts: PtRepository,
    private readonly messages: MessagesRepository,
    private readonly auth: SpringAuthService,
    @Inject(CHAT_CONFIG) config: ChatConfig,
  ) {
    // sv-SE writes "YYYY-MM-DD HH:MM", the contract's format.
    this.minuteFormat = new Intl.DateTimeFormat('sv-SE', {
      timeZone: config.CHAT_TIMEZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
  }

  /** `GET /distributor/chat/rooms` as JSON: the trainer's member rooms, most recent first, with unread counts. */
  async roomList(user: SpringIdentity): Promise<TrainerRoomList> {
    if (!this.auth.isTrainer(user)) throw RoomErrors.notTrainer();
    const pts = await this.pts.ofTrainer(user.userId);
    const activity = await this.messages.activity(pts.map((p) => ptRoomKey(p.id)), user.userId);
    const rooms = pts.map((p) => {
      const a = activity.get(ptRoomKey(p.id));
      const at = a?.lastActivity ?? p.createdAt;
      return {
        sortKey: at.getTime(),
        room: {
          id: publicPtRoomId(ptRoomKey(p.id)),
          member_name: p.memberName,
          member_id: p.memberId,
          last_activity: this.minuteFormat.format(at),
          unread_count: a?.unread ?? 0,
          last_message_id: a?.lastMessageId ?? 0,
        },
      };
    });
    rooms.sort((x, y) => y.sortKey - x.sortKey);
    return { chat_rooms: rooms.map((r) => r.room) };
  }

  /** The caller's seat in a PT room, or ROOM_NOT_FOUND / NOT_A_MEMBER. */
  async seat(user: SpringIdentity, ptId: number): Promise<PtSeat> {
    const pt = await this.pts.find(ptId);
    if (!pt) throw RoomErrors.notFound(PT_ROOM_ID.format(ptId));
    if (pt.trainerId === user.userId) return { pt, role: 'trainer', name: pt.trainerName };
    if (pt.memberId === user.userId) return { pt, role: 'member', name: pt.memberName };
    throw RoomErrors.notMember(PT_ROOM_ID.format(ptId));
  }

  async history(user: SpringIdentity, ptId: number, query: HistoryQuery): Promise<{ messages: Record<string, unknown>[]; has_more: boolean; room_id: string; you: { user_id: string; role: string }; peer_name: string }> {
    const seat = await this.seat(user, ptId);
    const page = await this.messages.page(ptRoomKey(ptId), query.before, query.limit);
    return {
      room_id: `pt_${ptId}`,
      you: { user_id: user.userId, role: seat.role },
      peer_name: seat.role === 'trainer' ? seat.pt.memberName : seat.pt.trainerName,
      messages: page.messages.map(distributorWireObject),
      has_more: page.hasMore,
    };
  }

  /** Every member room of a trainer (the targets of a spread). */
  roomsOf(trainerId: string): Promise<PtSession[]> {
    return this.pts.ofTrainer(trainerId);
  }
}
