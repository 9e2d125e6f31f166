import { Inject, Logger } from '@nestjs/common';
import { AppError, PtRoomIdSchema } from '@squirret/contracts';
import { RealtimeGateway, type RealtimeGatewayHooks, type RealtimeServer } from '@squirret/server-kit';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { ChatSocket } from '../conversations/chat-socket';
import { MessagesRepository } from '../conversations/messages.repository';
import { RoomRelay } from '../conversations/room-relay.service';
import { ptRoomKey } from '../conversations/room-key';
import { admitChatSocket, chatRealtimeOptions, type ChatAdmission, type ChatRealtimeSocket } from '../conversations/chat-endpoint';
import { lastMessageIdOf, socketOptions } from '../conversations/socket-edge';
import { SpringAuthService } from '../spring-auth/spring-auth.service';
import { DistributorChatService } from './distributor-chat.service';
import { distributorWire } from './distributor-wire';
import { DistributorService } from './distributor.service';

/**
 * `ws /distributor/ws/chat/{room_id}?token=<Spring token>[&lastMessageId=N]` (docs/contracts/distributor-chat.md). The
 * token alone says who the client is; a bad one closes with 1008, and so does a room of another
 * trainer or member; an unknown room closes with 4004.
 */
@RealtimeGateway('distributor-chat', /^\/distributor\/ws\/chat\/(?<roomId>[^/]+)$/)
export class DistributorChatGateway implements RealtimeGatewayHooks<ChatAdmission> {
  private readonly logger = new Logger('distributor-chat');

  constructor(
    private readonly auth: SpringAuthService,
    private readonly distributor: DistributorService,
    private readonly chat: DistributorChatService,
    private readonly messages: MessagesRepository,
    private readonly relay: RoomRelay,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {}

  afterInit(server: RealtimeServer<ChatAdmission>): void {
    server.configure(chatRealtimeOptions('/distributor/ws/chat', this.config, this.auth));
  }

  handleConnection(socket: ChatRealtimeSocket): void {
    admitChatSocket(socket, this.logger, (s) => this.accept(s));
  }

  private async accept(ws: ChatRealtimeSocket): Promise<void> {
    const { identity, rawRoomId, query } = ws.context;
    const ptId = PtRoomIdSchema.safeParse(rawRoomId);
    if (!ptId.success) throw new AppError('ROOM_NOT_FOUND', 'room_id must look like pt_<session id>');
    const after = lastMessageIdOf(query);
    let ready!: () => void;
    const roomKey = ptRoomKey(ptId.data);
    const socket = new ChatSocket(ws, identity, roomKey, distributorWire, this.chat, socketOptions(this.config), new Promise<void>((r) => (ready = r)));
    const seat = await this.distributor.seat(identity, ptId.data);
    const head = await this.messages.head(roomKey);
    if (!socket.open) return;
    this.chat.bind(socket, seat);
    socket.send({
      type: 'system',
      event: 'connected',
      content: '채팅방에 연결되었습니다.',
      user_id: identity.userId,
      user_name: seat.name,
      role: seat.role,
      room_id: rawRoomId,
      peer_name: seat.role === 'trainer' ? seat.pt.memberName : seat.pt.trainerName,
      last_message_id: head,
    });
    await this.relay.fanout.join(socket, after ?? head);
    if (!socket.open) {
      this.relay.fanout.leave(socket);
    } else {
      this.chat.announce(socket, 'join');
    }
    ready();
  }
}
