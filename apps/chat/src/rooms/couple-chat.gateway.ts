import { Inject, Logger } from '@nestjs/common';
import { AppError, CoupleRoomIdSchema } from '@squirret/contracts';
import { RealtimeGateway, type RealtimeGatewayHooks, type RealtimeServer } from '@squirret/server-kit';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { ChatSocket } from '../conversations/chat-socket';
import { admitChatSocket, chatRealtimeOptions, type ChatAdmission, type ChatRealtimeSocket } from '../conversations/chat-endpoint';
import { lastMessageIdOf, socketOptions } from '../conversations/socket-edge';
import { RoomRelay } from '../conversations/room-relay.service';
import { coupleRoomKey } from '../conversations/room-key';
import { SpringAuthService } from '../spring-auth/spring-auth.service';
import { CoupleChatService } from './couple-chat.service';
import { CoupleRoomsService } from './couple-rooms.service';
import { coupleWire, sessionWireObject } from './couple-wire';

const TOPIC_MAX = 100;

/**
 * `ws /api/sessions/ws/{room_id}?token=<Spring token>[&lastMessageId=N][&topic=…]` (docs/contracts/couple-chat.md).
 * The upgrade is always accepted so a browser can see why it was refused: a bad or expired token,
 * or a room the caller is not a member of, closes with 1008; an unknown room with 4004. Then the
 * session message, then what the client missed since lastMessageId, then live messages.
 */
@RealtimeGateway('couple-chat', /^\/api\/sessions\/ws\/(?<roomId>[^/]+)$/)
export class CoupleChatGateway implements RealtimeGatewayHooks<ChatAdmission> {
  private readonly logger = new Logger('couple-chat');

  constructor(
    private readonly auth: SpringAuthService,
    private readonly rooms: CoupleRoomsService,
    private readonly chat: CoupleChatService,
    private readonly relay: RoomRelay,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {}

  afterInit(server: RealtimeServer<ChatAdmission>): void {
    server.configure(chatRealtimeOptions('/api/sessions/ws', this.config, this.auth));
  }

  handleConnection(socket: ChatRealtimeSocket): void {
    admitChatSocket(socket, this.logger, (s) => this.accept(s));
  }

  private async accept(ws: ChatRealtimeSocket): Promise<void> {
    const { identity, rawRoomId, query } = ws.context;
    const roomId = CoupleRoomIdSchema.safeParse(rawRoomId);
    if (!roomId.success) throw new AppError('ROOM_NOT_FOUND', 'room_id must be a positive integer');
    const topic = query.get('topic')?.trim().slice(0, TOPIC_MAX) || null;
    const after = lastMessageIdOf(query);
    let ready!: () => void;
    const socket = new ChatSocket(ws, identity, coupleRoomKey(roomId.data), coupleWire, this.chat, socketOptions(this.config), new Promise<void>((r) => (ready = r)));
    const entry = await this.rooms.enter(identity, roomId.data, topic);
    if (!socket.open) return;
    this.chat.bind(socket, { roomId: entry.room.id, sessionId: entry.session.id, speaker: entry.member.speaker, topic: entry.session.topic, ended: false });
    socket.send(sessionWireObject(entry.session, entry.members, entry.member, entry.head));
    await this.relay.fanout.join(socket, after ?? entry.head);
    // Closed while joining: the close handler ran before the join added it.
    if (!socket.open) this.relay.fanout.leave(socket);
    ready();
  }
}
