import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LoggerService } from '@nestjs/common';
import { AppError, CLOSE_CODES, type ErrorCode } from '@squirret/contracts';
import { rejectUpgrade, closeSocket } from '@squirret/server-kit';
import type { WebSocket, WebSocketServer } from 'ws';
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
export function closeForError(ws: WebSocket, err: unknown, logger: LoggerService): void {
  if (err instanceof AppError && CLOSE_FOR[err.code] !== undefined) {
    closeSocket(ws, CLOSE_FOR[err.code]!, err.message);
    return;
  }
  logger.error?.({ err: String(err) }, 'chat socket could not be admitted');
  closeSocket(ws, CLOSE_CODES.INTERNAL_ERROR, 'internal error');
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
export function originRefused(req: IncomingMessage, allowed: readonly string[], socket: Duplex, path: string): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host === req.headers.host || originAllowed(origin, allowed)) return false;
  rejectUpgrade(socket, 'FORBIDDEN', 'origin is not allowed', path);
  return true;
}

export function socketOptions(config: ChatConfig): ChatSocketOptions {
  return { maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES, maxQueued: 64, maxConsecutiveErrors: 10 };
}

/**
 * Shutdown: every socket of a gateway's server (admitted or not yet) is told to reconnect (1012)
 * and cut off after a short grace, so the HTTP server, which waits for upgraded sockets too, can close.
 */
export async function drainSockets(wss: WebSocketServer, graceMs = 2_000): Promise<void> {
  const open = [...wss.clients];
  for (const ws of open) closeSocket(ws, CLOSE_CODES.SERVICE_RESTART, 'server restarting');
  const deadline = Date.now() + graceMs;
  while (open.some((ws) => ws.readyState !== ws.CLOSED) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const ws of open) ws.terminate();
}
