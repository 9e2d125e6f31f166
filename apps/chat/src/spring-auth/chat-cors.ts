import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { errorBody } from '@squirret/contracts';
import { pathOf } from '@squirret/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CHAT_CONFIG } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';

/** Paths of the chat rooms' HTTP API, the only ones CORS applies to. */
const CORS_PATHS = /^\/(api\/rooms|distributor\/)/;

/** Whether a browser origin may call the chat rooms' API (`*` in the list allows any). */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.includes('*') || allowed.includes(origin);
}

/**
 * CORS for /api/rooms and /distributor/* with origins from configuration: allowed origins get the
 * headers (and a 204 to a preflight); others get none, and a preflight from them gets 403.
 * A Fastify hook rather than app-wide CORS, so the other services' routes are unaffected.
 */
@Injectable()
export class ChatCors implements OnModuleInit {
  constructor(
    private readonly http: HttpAdapterHost,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.http.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => this.handle(req, reply));
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const origin = req.headers.origin;
    const path = pathOf(req.url);
    if (typeof origin !== 'string' || !CORS_PATHS.test(path)) return;
    const allowed = originAllowed(origin, this.config.CHAT_CORS_ORIGINS);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (allowed) {
      void reply.header('Access-Control-Allow-Origin', origin).header('Vary', 'Origin');
    }
    if (!preflight) return;
    if (!allowed) {
      await reply.status(403).type('application/json; charset=utf-8').send(errorBody('FORBIDDEN', 'origin is not allowed', path));
      return;
    }
    await reply
      .status(204)
      .header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
      .header('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept')
      .header('Access-Control-Max-Age', '600')
      .send();
  }
}
