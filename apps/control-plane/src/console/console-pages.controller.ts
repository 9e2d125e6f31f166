import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppError } from '@squirret/contracts';
import type { FastifyReply } from 'fastify';
import type { ControlPlaneConfig } from '../config/control-plane.config';
import { CP_CONFIG } from '../control-plane.tokens';

/** The console's files: apps/control-plane/public/console (from dist/src/console). */
const PUBLIC_DIR = resolve(__dirname, '../../../public/console');
/** A clip name the console may ask for: a plain file name ending in .gif (no path, no traversal). */
const CLIP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.gif$/;

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The browser bundle of @stomp/stompjs: its `exports` hide `bundles/`, but `require` resolves to `bundles/stomp.umd.js` beside it. */
function stompBundlePath(): string {
  return join(dirname(require.resolve('@stomp/stompjs')), 'stomp.umd.min.js');
}

/**
 * The live console (issue 17): plain HTML, CSS and ES modules from our own origin, no build step and
 * no CDN; the STOMP client is @stomp/stompjs's own browser bundle from node_modules. Served by the
 * control plane, so the all-in-one process and the distributed control plane (behind the gateway,
 * which routes /console here) both have it: the console starts at POST /api/session, which the
 * control plane owns. Excluded from OpenAPI: pages, not API.
 */
@ApiExcludeController()
@Controller('console')
export class ConsolePagesController {
  private readonly page: Asset;
  private readonly assets: ReadonlyMap<string, Asset>;

  constructor(@Inject(CP_CONFIG) private readonly config: ControlPlaneConfig) {
    const load = (file: string, type: string): Asset => ({ type, body: readFileSync(resolve(PUBLIC_DIR, file)) });
    this.page = load('index.html', HTML);
    const modules = readdirSync(PUBLIC_DIR).filter((f) => f.endsWith('.js'));
    this.assets = new Map<string, Asset>([
      ...modules.map((f) => [f, load(f, JS)] as const),
      ['console.css', load('console.css', CSS)],
      ['stomp.umd.min.js', { type: JS, body: readFileSync(stompBundlePath()) }],
    ]);
  }

  /** `GET /console`: the page. */
  @Get()
  index(@Res() reply: FastifyReply): void {
    send(reply, this.page, 'no-store');
  }

  /** `GET /console/static/:file`: the page's scripts and styles. */
  @Get('static/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = this.assets.get(file);
    if (!asset) throw new AppError('ROUTE_NOT_FOUND', 'no such file');
    send(reply, asset, 'no-cache');
  }

  /** `GET /console/clips`: the sample clips on offer (`CONTROL_PLANE_CONSOLE_CLIPS_DIR`), `[]` when there are none. */
  @Get('clips')
  clips(): { clips: string[] } {
    return { clips: this.clipNames() };
  }

  /** `GET /console/clips/:file`: one clip, read from the folder (never copied into the repository). */
  @Get('clips/:file')
  clip(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const dir = this.config.CONTROL_PLANE_CONSOLE_CLIPS_DIR;
    if (!dir || !CLIP_NAME.test(file) || !this.clipNames().includes(file)) throw new AppError('ROUTE_NOT_FOUND', 'no such clip');
    send(reply, { type: 'image/gif', body: readFileSync(join(dir, file)) }, 'public, max-age=300');
  }

  private clipNames(): string[] {
    const dir = this.config.CONTROL_PLANE_CONSOLE_CLIPS_DIR;
    if (!dir) return [];
    try {
      return readdirSync(dir).filter((f) => CLIP_NAME.test(f)).sort();
    } catch {
      return [];
    }
  }
}

function send(reply: FastifyReply, asset: Asset, cache: string): void {
  void reply
    .type(asset.type)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', cache)
    .header(
      'content-security-policy',
      // connect-src: the data-plane node's wsUrl is another origin in distributed mode.
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    .send(asset.body);
}
