import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { AppError, HistoryQuerySchema, PtRoomIdSchema } from '@squirret/contracts';
import { parseOrThrow } from '@squirret/server-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RoomErrors } from '../rooms/rooms.errors';
import { SpringAuthService } from '../spring-auth/spring-auth.service';
import { DistributorService } from './distributor.service';

/** The pages' files: apps/chat/public/distributor (from dist/src/distributor), and Vue's runtime build from node_modules. */
const PUBLIC_DIR = resolve(__dirname, '../../../public/distributor');

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const load = (path: string, type: string): Asset => ({ type, body: readFileSync(path) });

/**
 * Pages of the trainer-member chat (docs/contracts/distributor-chat.md), all from our own origin: no CDN, no inline script,
 * and a Content-Security-Policy that allows scripts only from here. Vue's runtime-only build is
 * used with render functions, so no template compiler (and no eval) runs in the page, and every
 * message is set as text, never as HTML. The pages take the token from `#token=` or localStorage
 * (`imean_access_token`, where the contract's app keeps it) and send it as Bearer / `?token=`.
 */
@Controller('distributor')
export class DistributorPagesController {
  private readonly pages: Readonly<Record<'chat' | 'rooms', Asset>>;
  private readonly assets: ReadonlyMap<string, Asset>;

  constructor(
    private readonly distributor: DistributorService,
    private readonly auth: SpringAuthService,
  ) {
    const html = 'text/html; charset=utf-8';
    const js = 'text/javascript; charset=utf-8';
    this.pages = { chat: load(resolve(PUBLIC_DIR, 'chat.html'), html), rooms: load(resolve(PUBLIC_DIR, 'rooms.html'), html) };
    this.assets = new Map([
      ['vue.js', load(require.resolve('vue/dist/vue.runtime.global.prod.js'), js)],
      ['common.js', load(resolve(PUBLIC_DIR, 'common.js'), js)],
      ['chat.js', load(resolve(PUBLIC_DIR, 'chat.js'), js)],
      ['rooms.js', load(resolve(PUBLIC_DIR, 'rooms.js'), js)],
      ['chat.css', load(resolve(PUBLIC_DIR, 'chat.css'), 'text/css; charset=utf-8')],
    ]);
  }

  /** `GET /distributor/chat?room_id=&user_id=`: the chat page (user_id is accepted and ignored: the token says who you are). */
  @Get('chat')
  chatPage(@Res() reply: FastifyReply): void {
    send(reply, this.pages.chat, true);
  }

  /** `GET /distributor/chat/rooms`: the trainer's room list page, or with `Accept: application/json` the list itself. */
  @Get('chat/rooms')
  async rooms(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Headers('accept') accept: string | undefined): Promise<void> {
    if (wantsJson(accept)) {
      const list = await this.distributor.roomList(this.auth.fromRequest(req));
      await reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(list);
      return;
    }
    send(reply, this.pages.rooms, true);
  }

  /** History of a PT room: `?before=<message id>&limit=<1..100>`, oldest first. */
  @Get('chat/rooms/:roomId/messages')
  history(@Req() req: FastifyRequest, @Param('roomId') roomId: string, @Query() query: Record<string, string>) {
    const user = this.auth.fromRequest(req);
    const id = PtRoomIdSchema.safeParse(roomId);
    if (!id.success) throw RoomErrors.notFound(roomId.slice(0, 32));
    return this.distributor.history(user, id.data, parseOrThrow(HistoryQuerySchema, query));
  }

  @Get('static/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = this.assets.get(file);
    if (!asset) throw new AppError('ROUTE_NOT_FOUND', 'no such file');
    send(reply, asset, false);
  }
}

/** A JSON client asks for JSON and not for HTML (a browser navigation asks for text/html first). */
function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

function send(reply: FastifyReply, asset: Asset, page: boolean): void {
  void reply
    .type(asset.type)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', page ? 'no-store' : 'public, max-age=300')
    .header(
      'content-security-policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    .send(asset.body);
}
