import type { LoggerService } from '@nestjs/common';
import { CLOSE_CODES } from '@squirret/contracts';
import type { WsUpgradeRouter } from '@squirret/server-kit';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChatConfig } from '../config/chat.config';
import type { SpringAuthService } from '../spring-auth/spring-auth.service';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { closeForError, drainSockets, originRefused } from './socket-edge';
import { closeSocket } from '@squirret/server-kit';

/** Admits an authenticated socket into a room (the feature's own part of a chat endpoint). */
export type ChatAccept = (ws: WebSocket, identity: SpringIdentity, rawRoomId: string, query: URLSearchParams) => Promise<void>;

/** Where a chat endpoint listens and what it does with an authenticated socket. */
export interface ChatEndpointOptions {
  readonly name: string;
  /** The path pattern, with a `roomId` group. */
  readonly pattern: RegExp;
  /** The path without the room id, for error bodies. */
  readonly path: string;
  readonly config: ChatConfig;
  readonly auth: SpringAuthService;
  readonly logger: LoggerService;
  readonly accept: ChatAccept;
}

/**
 * What the couple and trainer chat sockets share: path routing, the CORS origin check, the upgrade
 * (always accepted, so a browser can see why it was refused), Spring-token auth (1008), error closes
 * from the close-code table, and draining on shutdown.
 */
export class ChatEndpoint {
  private readonly wss: WebSocketServer;

  constructor(private readonly options: ChatEndpointOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.config.CHAT_MAX_FRAME_BYTES, perMessageDeflate: false });
  }

  register(router: WsUpgradeRouter): void {
    const { name, pattern, path, config, auth, logger, accept } = this.options;
    router.register(name, pattern, (req, socket, head, { params, query }) => {
      if (originRefused(req, config.CHAT_CORS_ORIGINS, socket, path)) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const identity = auth.fromQuery(query);
        if (typeof identity === 'string') {
          closeSocket(ws, CLOSE_CODES.POLICY_VIOLATION, `unauthorized: ${identity}`);
          return;
        }
        void accept(ws, identity, params.roomId ?? '', query).catch((err: unknown) => closeForError(ws, err, logger));
      });
    });
  }

  drain(): Promise<void> {
    return drainSockets(this.wss);
  }
}
