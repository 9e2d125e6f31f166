import { Inject, Injectable } from '@nestjs/common';
import { DistributorClientMessageSchema, type ChatAck, type StoredMessage } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import { CHAT_CLOCK, type Clock } from '../chat.tokens';
import type { ChatSocket, ChatSocketHandler } from '../conversations/chat-socket';
import { ChatSocketsRegistry } from '../conversations/chat-sockets.registry';
import { MessageLimits } from '../conversations/message-limits';
import { MessageWriter } from '../conversations/message-writer';
import { MessagesRepository } from '../conversations/messages.repository';
import type { RoomNotice } from '../conversations/room-fanout';
import { RoomRelay } from '../conversations/room-relay.service';
import { ptRoomKey, type RoomKey } from '../conversations/room-key';
import { RoomErrors } from '../rooms/rooms.errors';
import { noticeWireObject } from './distributor-wire';
import { DistributorService, type PtSeat } from './distributor.service';

/** What a distributor-chat socket is bound to. */
interface PtSocketContext {
  readonly roomKey: RoomKey;
  readonly seat: PtSeat;
}

/**
 * Messages on a trainer-member socket (docs/contracts/distributor-chat.md): `chat` goes to the room, `spread` (trainers
 * only) to every one of the trainer's member rooms in one transaction, `read` moves the read
 * position. Join and leave notices go to the room's other clients as `system`.
 */
@Injectable()
export class DistributorChatService implements ChatSocketHandler {
  private readonly contexts = new WeakMap<ChatSocket, PtSocketContext>();

  constructor(
    private readonly writer: MessageWriter,
    private readonly messages: MessagesRepository,
    private readonly limits: MessageLimits,
    private readonly relay: RoomRelay,
    private readonly distributor: DistributorService,
    private readonly registry: ChatSocketsRegistry,
    @Inject(CHAT_CLOCK) private readonly clock: Clock,
  ) {}

  bind(socket: ChatSocket, seat: PtSeat): void {
    this.contexts.set(socket, { roomKey: ptRoomKey(seat.pt.id), seat });
    this.registry.add(socket);
  }

  /** Tells the room's other clients (on every instance) that this one joined. */
  announce(socket: ChatSocket, event: 'join' | 'leave'): void {
    const ctx = this.contexts.get(socket);
    if (!ctx) return;
    this.relay.notice(
      { roomKey: ctx.roomKey, event, userId: socket.identity.userId, userName: ctx.seat.name, at: new Date(this.clock.now()).toISOString() },
      socket,
    );
  }

  async handle(socket: ChatSocket, raw: unknown): Promise<void> {
    const ctx = this.contexts.get(socket);
    if (!ctx) return;
    const msg = parseOrThrow(DistributorClientMessageSchema, raw);
    if (msg.type === 'read') {
      await this.messages.markRead(ctx.roomKey, socket.identity.userId, msg.messageId);
      return;
    }
    if (msg.type === 'spread' && ctx.seat.role !== 'trainer') throw RoomErrors.notTrainer();
    const content = this.limits.content(msg.content);
    await this.limits.rate(socket.identity.userId);
    const base = {
      kind: msg.type,
      senderId: socket.identity.userId,
      senderName: ctx.seat.name,
      speaker: ctx.seat.role,
      content,
      sessionId: null,
      clientId: msg.clientId ?? null,
      event: null,
    } as const;
    if (msg.type === 'chat') {
      const { message, duplicate } = await this.writer.append({ ...base, roomKey: ctx.roomKey });
      socket.send(ack(msg.clientId, message, duplicate));
      if (!duplicate) this.relay.publish([message]);
      return;
    }
    const rooms = await this.distributor.roomsOf(socket.identity.userId);
    const results = await this.writer.appendAll(rooms.map((r) => ({ ...base, roomKey: ptRoomKey(r.id) })));
    const here = results.find((r) => r.message.roomKey === ctx.roomKey) ?? results[0];
    if (here) socket.send({ ...ack(msg.clientId, here.message, here.duplicate), spread_rooms: results.length });
    this.relay.publish(results.filter((r) => !r.duplicate).map((r) => r.message));
  }

  renderNotice(_socket: ChatSocket, notice: RoomNotice): object {
    return noticeWireObject(notice);
  }

  closed(socket: ChatSocket): void {
    this.relay.fanout.leave(socket);
    this.registry.remove(socket);
    this.announce(socket, 'leave');
  }
}

const ack = (clientId: string | undefined, m: StoredMessage, duplicate: boolean): ChatAck => ({ type: 'ack', clientId: clientId ?? null, messageId: m.id, duplicate });
