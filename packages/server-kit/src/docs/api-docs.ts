import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { asyncApiYaml, buildAsyncApi } from '@squirret/contracts';

/** What a process's `/docs` lists: its OpenAPI documents (served elsewhere in the process) and whether it documents the sockets. */
export interface ApiDocsOptions {
  readonly title: string;
  /** OpenAPI documents this process serves, e.g. `{ name: 'Control plane', url: '/openapi.json' }`. */
  readonly openapi: readonly { readonly name: string; readonly url: string }[];
  /** Serve the AsyncAPI document of the sockets (packages/contracts) and its viewer. */
  readonly asyncapi: boolean;
  /** One line under the title: what this process is. */
  readonly description?: string;
}

/** Where the viewers' files come from: the packages' own builds in node_modules (no CDN). */
const swaggerDir = (): string => dirname(require.resolve('swagger-ui-dist/package.json'));
const asyncApiDir = (): string => dirname(require.resolve('@asyncapi/react-component/package.json'));

const ASSETS: Readonly<Record<string, { readonly file: () => string; readonly type: string }>> = {
  'swagger-ui.css': { file: () => join(swaggerDir(), 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: () => join(swaggerDir(), 'swagger-ui-bundle.js'), type: 'text/javascript; charset=utf-8' },
  'swagger-ui-standalone-preset.js': { file: () => join(swaggerDir(), 'swagger-ui-standalone-preset.js'), type: 'text/javascript; charset=utf-8' },
  'asyncapi.css': { file: () => join(asyncApiDir(), 'styles', 'default.min.css'), type: 'text/css; charset=utf-8' },
  'asyncapi-standalone.js': { file: () => join(asyncApiDir(), 'browser', 'standalone', 'index.js'), type: 'text/javascript; charset=utf-8' },
};

// Scripts only from this origin. Both viewers set style attributes (inline styles). The AsyncAPI
// viewer parses the document in the page, and its JSON-schema validator compiles with
// `new Function`, hence 'unsafe-eval' on that page only (it shows nothing but our own document).
const csp = (evalAllowed: boolean) =>
  `default-src 'none'; script-src 'self'${evalAllowed ? " 'unsafe-eval'" : ''}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The part of Fastify's reply used here (Nest's platform-fastify may bring its own fastify types). */
interface Reply {
  type(contentType: string): Reply;
  header(name: string, value: string): Reply;
  send(body: string | Buffer): Reply;
}

function send(reply: Reply, type: string, body: string | Buffer, options: { page: boolean; evalAllowed?: boolean }): Reply {
  return reply
    .type(type)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', options.page ? 'no-store' : 'public, max-age=3600')
    .header('content-security-policy', csp(options.evalAllowed ?? false))
    .send(body);
}

const page = (title: string, head: string, body: string): string =>
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${escapeHtml(title)}</title>\n${head}\n</head>\n<body>\n${body}\n</body>\n</html>\n`;

/** The `/docs` index: one link per document and viewer. */
export function docsIndexHtml(o: ApiDocsOptions): string {
  const items: string[] = [];
  if (o.openapi.length > 0) {
    items.push(
      `<li><a href="/docs/rest">REST API (OpenAPI, Swagger UI)</a><ul>${o.openapi
        .map((d) => `<li>${escapeHtml(d.name)}: <a href="${escapeHtml(d.url)}">${escapeHtml(d.url)}</a></li>`)
        .join('')}</ul></li>`,
    );
  }
  if (o.asyncapi) {
    items.push(
      '<li><a href="/docs/asyncapi">WebSocket protocols (AsyncAPI 3): inference frames, STOMP session channel, chat rooms, FSR stream</a>' +
        '<ul><li><a href="/docs/asyncapi.yaml">/docs/asyncapi.yaml</a></li><li><a href="/docs/asyncapi.json">/docs/asyncapi.json</a></li></ul></li>',
    );
  }
  const style = '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">';
  return page(
    `${o.title} — API docs`,
    style,
    `<main class="swagger-ui" style="max-width:56rem;margin:2rem auto;font-family:sans-serif">\n<h1>${escapeHtml(o.title)}: API docs</h1>\n${
      o.description ? `<p>${escapeHtml(o.description)}</p>\n` : ''
    }<ul>${items.join('\n')}</ul>\n<p>Errors use one body everywhere: <code>{timestamp, status, error, code, message, path}</code>; socket close codes are listed in the AsyncAPI document.</p>\n</main>`,
  );
}

/**
 * Serves `/docs` (an index), `/docs/rest` (Swagger UI over the process's OpenAPI documents),
 * `/docs/asyncapi` (the AsyncAPI viewer) and `/docs/asyncapi.{json,yaml}`, with the viewers'
 * files from node_modules under `/docs/assets/`. Files are read on first use, then kept.
 */
export function serveApiDocs(app: NestFastifyApplication, o: ApiDocsOptions): void {
  const f = app.getHttpAdapter().getInstance();
  const cache = new Map<string, Buffer>();
  const asset = (name: string): Buffer | undefined => {
    const a = ASSETS[name];
    if (!a) return undefined;
    let body = cache.get(name);
    if (!body) {
      body = readFileSync(a.file());
      cache.set(name, body);
    }
    return body;
  };
  const html = 'text/html; charset=utf-8';
  const js = 'text/javascript; charset=utf-8';
  const index = docsIndexHtml(o);
  f.get('/docs', async (_req, reply) => send(reply, html, index, { page: true }));
  f.get('/docs/', async (_req, reply) => send(reply, html, index, { page: true }));
  f.get<{ Params: { name: string } }>('/docs/assets/:name', async (req, reply) => {
    const body = asset(req.params.name);
    if (!body) return reply.callNotFound();
    return send(reply, ASSETS[req.params.name]!.type, body, { page: false });
  });
  if (o.openapi.length > 0) {
    const rest = page(
      `${o.title} — REST API`,
      '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
      '<div id="swagger-ui"></div>\n<script src="/docs/assets/swagger-ui-bundle.js"></script>\n<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>\n<script src="/docs/rest-init.js"></script>',
    );
    // validatorUrl null: Swagger UI would otherwise send the document to an outside validator
    const init = `window.ui = SwaggerUIBundle(${JSON.stringify({ urls: o.openapi, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, layout: 'StandaloneLayout' })
      .replace(/}$/, ', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset]})')};\n`;
    f.get('/docs/rest', async (_req, reply) => send(reply, html, rest, { page: true }));
    f.get('/docs/rest-init.js', async (_req, reply) => send(reply, js, init, { page: true }));
  }
  if (o.asyncapi) {
    const doc = buildAsyncApi();
    const yaml = asyncApiYaml();
    const viewer = page(
      `${o.title} — WebSocket protocols`,
      '<link rel="stylesheet" href="/docs/assets/asyncapi.css">',
      '<div id="asyncapi"></div>\n<script src="/docs/assets/asyncapi-standalone.js"></script>\n<script src="/docs/asyncapi-init.js"></script>',
    );
    const init = `AsyncApiStandalone.render(${JSON.stringify({ schema: { url: '/docs/asyncapi.json', requestOptions: {} }, config: { show: { sidebar: true } } })}, document.getElementById('asyncapi'));\n`;
    f.get('/docs/asyncapi', async (_req, reply) => send(reply, html, viewer, { page: true, evalAllowed: true }));
    f.get('/docs/asyncapi-init.js', async (_req, reply) => send(reply, js, init, { page: true }));
    f.get('/docs/asyncapi.json', async (_req, reply) => send(reply, 'application/json; charset=utf-8', JSON.stringify(doc), { page: true }));
    f.get('/docs/asyncapi.yaml', async (_req, reply) => send(reply, 'application/yaml; charset=utf-8', yaml, { page: true }));
  }
}
