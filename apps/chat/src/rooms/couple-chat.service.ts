import { Injectable } from '@nestjs/common';
import { CoupleClientMessageSchema, type ChatAck, type CoupleClientMessage, type StoredMessage } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import { MediatorService } from '../assistant/mediator.service';
import type { ChatSocket, ChatSocketHandler } from '../conversations/chat-socket';
import { ChatSocketsRegistry } from '../conversations/chat-sockets.registry';
import { MessageLimits } from '../conversations/message-limits';
import { MessageWriter } from '../conversations/message-writer';
import { MessagesRepository } from '../conversations/messages.repository';
import { RoomRelay } from '../conversations/room-relay.service';
import { coupleRoomKey } from '../conversations/room-key';
import { RoomErrors } from './rooms.errors';
import { CLOSE_CODES } from '@squirret/contracts';

/** What a couple-chat socket is bound to. */
export interface CoupleSocketContext {
  readonly roomId: number;
  readonly sessionId: number;
  readonly speaker: 'A' | 'B';
  readonly topic: string;
  ended: boolean;
}

/**
 * Messages on a couple-chat socket (docs/contracts/couple-chat.md): a member's `{content}` is checked, stored, acked and
 * delivered with its speaker type; `{type: "response"}` answers the mediator's question; `{type:
 * "read"}` moves the read position. When a session ends, its sockets get the summary and close
 * with 4003.
 */
@Injectable()
export class CoupleChatService implements ChatSocketHandler {
  private readonly contexts = new WeakMap<ChatSocket, CoupleSocketContext>();

  constructor(
    private readonly writer: MessageWriter,
    private readonly messages: MessagesRepository,
    private readonly limits: MessageLimits,
    private readonly relay: RoomRelay,
    private readonly mediator: MediatorService,
    private readonly registry: ChatSocketsRegistry,
  ) {}

  bind(socket: ChatSocket, context: CoupleSocketContext): void {
    this.contexts.set(socket, context);
    this.registry.add(socket);
  }

  async handle(socket: ChatSocket, raw: unknown): Promise<void> {
    const ctx = this.contexts.get(socket);
    if (!ctx) return;
    // The contract's client sends a bare {"content"}: that is a chat message.
    const withType = typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('type' in raw) ? { ...raw, type: 'message' } : raw;
    const msg: CoupleClientMessage = parseOrThrow(CoupleClientMessageSchema, withType);
    if (msg.type === 'read') {
      await this.messages.markRead(coupleRoomKey(ctx.roomId), socket.identity.userId, msg.messageId);
      return;
    }
    if (ctx.ended) throw RoomErrors.sessionEnded(ctx.sessionId);
    if (msg.type === 'response') {
      if (msg.session_id !== ctx.sessionId) throw RoomErrors.wrongSession(ctx.sessionId);
      await this.limits.rate(socket.identity.userId);
      const last = await this.mediator.answer(ctx.sessionId, msg.content);
      if (last) socket.send(ack(msg.clientId, last, false));
      return;
    }
    const content = this.limits.content(msg.content);
    await this.limits.rate(socket.identity.userId);
    const { message, duplicate, turns } = await this.writer.append({
      roomKey: coupleRoomKey(ctx.roomId),
      kind: 'chat',
      senderId: socket.identity.userId,
      senderName: socket.identity.name,
      speaker: ctx.speaker,
      content,
      sessionId: ctx.sessionId,
      clientId: msg.clientId ?? null,
      event: null,
    });
    socket.send(ack(msg.clientId, message, duplicate));
    if (duplicate) return;
    this.relay.publish([message]);
    // The turn was counted in the same transaction; null once the session has ended.
    if (turns) await this.mediator.afterMessage(ctx, turns, content);
  }

  renderNotice(): undefined {
    // The couple chat's wire has no presence notices (its `system` type is the AI's questions).
    return undefined;
  }

  afterDeliver(socket: ChatSocket, message: StoredMessage): void {
    const ctx = this.contexts.get(socket);
    if (ctx && message.event === 'session_ended' && message.sessionId === ctx.sessionId) {
      ctx.ended = true;
      socket.close(CLOSE_CODES.SESSION_FINISHED, 'session ended');
    }
  }

  closed(socket: ChatSocket): void {
    this.relay.fanout.leave(socket);
    this.registry.remove(socket);
  }
}

const ack = (clientId: string | undefined, m: StoredMessage, duplicate: boolean): ChatAck => ({ type: 'ack', clientId: clientId ?? null, messageId: m.id, duplicate });
