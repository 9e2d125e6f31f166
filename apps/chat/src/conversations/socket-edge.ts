import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { AppError, CLOSE_CODES, type ErrorCode } from '@squirret/contracts';
import type { RealtimeSocket } from '@squirret/server-kit';
import type { ChatConfig } from '../config/chat.config';
import { originAllowed } from '../spring-auth/chat-cors';
import type { ChatSocketOptions } from './chat-socket';

/** Where each refusal of a chat socket goes in the close-code table. */
const CLOSE_FOR: Partial<Record<ErrorCode, number>> = {
  UNAUTHORIZED: CLOSE_CODES.POLICY_VIOLATION,
  FORBIDDEN: CLOSE_CODES.POLICY_VIOLATION,
  NOT_A_MEMBER: CLOSE_CODES.POLICY_VIOLATION,
  NOT_A_TRAINER: CLOSE_CODES.POLICY_VIOLATION,
  ROOM_NOT_FOUND: CLOSE_CODES.ROOM_NOT_FOUND,
  CHAT_STORE_FAILED: CLOSE_CODES.TRY_AGAIN_LATER,
};

/** Closes a socket that could not be admitted, with the close code of the error (1011 for the unexpected). */
export function closeForError(socket: RealtimeSocket<unknown>, err: unknown, logger: LoggerService): void {
  if (err instanceof AppError && CLOSE_FOR[err.code] !== undefined) {
    socket.close(CLOSE_FOR[err.code]!, err.message);
    return;
  }
  logger.error?.({ err: String(err) }, 'chat socket could not be admitted');
  socket.close(CLOSE_CODES.INTERNAL_ERROR, 'internal error');
}

/** `?lastMessageId=N` (or `last_message_id`): the newest message the client has; null when absent or not a number. */
export function lastMessageIdOf(query: URLSearchParams): number | null {
  const v = query.get('lastMessageId') ?? query.get('last_message_id');
  if (v === null || !/^\d{1,15}$/.test(v)) return null;
  return Number(v);
}

/**
 * Browsers send Origin on WebSocket upgrades and CORS does not apply to them: a page from an origin
 * that is neither ours nor configured is refused (403). Clients without Origin (apps) pass.
 */
export function originAllowedFor(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  return host === req.headers.host || originAllowed(origin, allowed);
}

export function socketOptions(_config: ChatConfig): ChatSocketOptions {
  return { maxQueued: 64, maxConsecutiveErrors: 10 };
}
