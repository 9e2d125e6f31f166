import type { LoggerService } from '@nestjs/common';
import { CLOSE_CODES } from '@squirret/contracts';
import type { RealtimeOptions, RealtimeSocket } from '@squirret/server-kit';
import type { ChatConfig } from '../config/chat.config';
import type { SpringAuthService } from '../spring-auth/spring-auth.service';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { closeForError, originAllowedFor } from './socket-edge';

/** What a chat socket's authentication produced: who it is, the room in its path, its query. */
export interface ChatAdmission {
  readonly identity: SpringIdentity;
  readonly rawRoomId: string;
  readonly query: URLSearchParams;
}

/** A socket of a chat gateway (the couple and trainer chats). */
export type ChatRealtimeSocket = RealtimeSocket<ChatAdmission>;

/**
 * What the couple and trainer chat gateways share on the realtime layer: the CORS origin check
 * (403 before the upgrade), then the upgrade (always accepted for a token problem, so a browser
 * can see why it was refused): Spring-token auth closes with 1008; liveness pings every
 * CHAT_PING_MS. `path` is the path without the room id, for error bodies.
 */
export function chatRealtimeOptions(path: string, config: ChatConfig, auth: SpringAuthService): RealtimeOptions<ChatAdmission> {
  return {
    maxPayload: config.CHAT_MAX_FRAME_BYTES,
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    pingMs: config.CHAT_PING_MS,
    authenticate: (req, { params, query }) => {
      if (!originAllowedFor(req, config.CHAT_CORS_ORIGINS)) return { refuse: 'FORBIDDEN', message: 'origin is not allowed', path };
      const identity = auth.fromQuery(query);
      if (typeof identity === 'string') return { close: CLOSE_CODES.POLICY_VIOLATION, reason: `unauthorized: ${identity}` };
      return { accept: { identity, rawRoomId: params.roomId ?? '', query } };
    },
  };
}

/** Admits an authenticated socket into its room; a refusal (AppError) closes it with the table's code. */
export function admitChatSocket(socket: ChatRealtimeSocket, logger: LoggerService, accept: (socket: ChatRealtimeSocket) => Promise<void>): void {
  void accept(socket).catch((err: unknown) => closeForError(socket, err, logger));
}
