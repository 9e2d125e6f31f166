import type { SpeakerType, StoredMessage } from '@squirret/contracts';
import type { CoupleMember } from './couple-rooms.repository';
import type { CoupleSession } from './couple-sessions.repository';

/** Id the AI participant speaks with (`sender_id` of its messages). */
export const AI_SENDER_ID = 'AI';

/**
 * A stored message in docs/contracts/couple-chat.md's shape: member and AI lines as `{content, sender_id, timestamp,
 * speaker_type}` (with `type: "message"`), system lines as `{type: "system", content, session_id}`.
 * `id` is what clients ack, resume from and page history by.
 */
export function coupleWireObject(m: StoredMessage): Record<string, unknown> {
  const common = { id: m.id, room_id: roomIdOf(m.roomKey), session_id: m.sessionId, timestamp: m.createdAt };
  if (m.kind === 'system') return { type: 'system', content: m.content, ...common, event: m.event };
  return {
    type: 'message',
    content: m.content,
    sender_id: m.kind === 'ai' ? AI_SENDER_ID : m.senderId,
    speaker_type: (m.kind === 'ai' ? 'AI' : m.speaker) as SpeakerType,
    ...common,
    ...(m.clientId !== null ? { clientId: m.clientId } : {}),
  };
}

export const coupleWire = (m: StoredMessage): string => JSON.stringify(coupleWireObject(m));

const roomIdOf = (roomKey: string): number => Number(roomKey.slice(roomKey.indexOf(':') + 1));

/** The message a client gets on connecting: the session, its participants and topic (docs/contracts/couple-chat.md). */
export function sessionWireObject(
  session: CoupleSession,
  members: readonly CoupleMember[],
  you: CoupleMember,
  lastMessageId: number,
): Record<string, unknown> {
  return {
    type: 'session',
    session_id: session.id,
    content: '채팅 세션에 연결되었습니다.',
    room_id: session.roomId,
    topic: session.topic,
    user_a_id: session.userAId,
    user_b_id: session.userBId,
    started_at: session.startedAt.toISOString(),
    participants: [...members.map((m) => ({ user_id: m.userId, speaker_type: m.speaker })), { user_id: AI_SENDER_ID, speaker_type: 'AI' }],
    you: { user_id: you.userId, speaker_type: you.speaker },
    awaiting_response: session.awaitingResponse,
    last_message_id: lastMessageId,
  };
}
