import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppError, CLOSE_CODES, PtRoomIdSchema } from '@squirret/contracts';
import { WsUpgradeRouter } from '@squirret/server-kit';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';
import { ChatSocket } from '../conversations/chat-socket';
import { MessagesRepository } from '../conversations/messages.repository';
import { RoomRelay } from '../conversations/room-relay.service';
import { ptRoomKey } from '../conversations/room-key';
import { closeForError, drainSockets, lastMessageIdOf, originRefused, socketOptions } from '../conversations/socket-edge';
import { SpringAuthService } from '../spring-auth/spring-auth.service';
import { DistributorChatService } from './distributor-chat.service';
import { distributorWire } from './distributor-wire';
import { DistributorService } from './distributor.service';

/**
 * `ws /distributor/ws/chat/{room_id}?token=<Spring token>[&lastMessageId=N]` (seed 003). The
 * token alone says who the client is; a bad one closes with 1008, and so does a room of another
 * trainer or member; an unknown room closes with 4004.
 */
@Injectable()
export class DistributorChatGateway implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('distributor-chat');
  private readonly wss: WebSocketServer;

  constructor(
    private readonly router: WsUpgradeRouter,
    private readonly auth: SpringAuthService,
    private readonly distributor: DistributorService,
    private readonly chat: DistributorChatService,
    private readonly messages: MessagesRepository,
    private readonly relay: RoomRelay,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.CHAT_MAX_FRAME_BYTES, perMessageDeflate: false });
  }

  onModuleInit(): void {
    this.router.register('distributor-chat', /^\/distributor\/ws\/chat\/(?<roomId>[^/]+)$/, (req, socket, head, { params, query }) =>
      this.upgrade(req, socket, head, params.roomId ?? '', query),
    );
  }

  beforeApplicationShutdown(): Promise<void> {
    return drainSockets(this.wss);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, rawRoomId: string, query: URLSearchParams): void {
    if (originRefused(req, this.config.CHAT_CORS_ORIGINS, socket, '/distributor/ws/chat')) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void this.accept(ws, rawRoomId, query).catch((err: unknown) => closeForError(ws, err, this.logger));
    });
  }

  private async accept(ws: WebSocket, rawRoomId: string, query: URLSearchParams): Promise<void> {
    const identity = this.auth.fromQuery(query);
    if (typeof identity === 'string') {
      ws.close(CLOSE_CODES.POLICY_VIOLATION, `unauthorized: ${identity}`);
      return;
    }
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
