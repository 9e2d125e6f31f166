import { PT_ROOM_ID, type StoredMessage } from '@squirret/contracts';
import type { RoomNotice } from '../conversations/room-fanout';
import { roomKeyIdOf } from '../conversations/room-key';

/** `pt:<id>` → `pt_<id>`, the public room id of the distributor chat. */
export const publicPtRoomId = (roomKey: string): string => PT_ROOM_ID.format(roomKeyIdOf(roomKey));

/**
 * A stored message in docs/contracts/distributor-chat.md's shape `{type: "chat"|"spread"|"system", content, user_id,
 * room_id}`, plus its id (ack, resume, history), the sender's name and role, and the time.
 */
export function distributorWireObject(m: StoredMessage): Record<string, unknown> {
  return {
    type: m.kind === 'spread' ? 'spread' : m.kind === 'chat' ? 'chat' : 'system',
    id: m.id,
    content: m.content,
    user_id: m.senderId,
    user_name: m.senderName,
    sender_role: m.speaker,
    room_id: publicPtRoomId(m.roomKey),
    timestamp: m.createdAt,
    ...(m.clientId !== null ? { clientId: m.clientId } : {}),
  };
}

export const distributorWire = (m: StoredMessage): string => JSON.stringify(distributorWireObject(m));

/** A join or leave notice (`system`, not stored). */
export function noticeWireObject(n: RoomNotice): Record<string, unknown> {
  const who = n.userName ?? n.userId;
  return {
    type: 'system',
    event: n.event,
    content: n.event === 'join' ? `${who}님이 입장했습니다.` : `${who}님이 퇴장했습니다.`,
    user_id: n.userId,
    user_name: n.userName,
    room_id: publicPtRoomId(n.roomKey),
    timestamp: n.at,
  };
}
