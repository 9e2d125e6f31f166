import { strict as assert } from 'node:assert';

/** One GET as a test sees it (over a socket, or Fastify's inject). */
export type DocsGet = (url: string) => Promise<{ status: number; contentType: string; body: string }>;

/** What `injectedGet` needs of a Fastify instance (its `inject`). */
export interface Injectable {
  inject(opts: { method: 'GET'; url: string }): PromiseLike<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
}

/** A DocsGet through Fastify's inject (no socket). */
export function injectedGet(fastify: Injectable): DocsGet {
  return async (url) => {
    const r = await fastify.inject({ method: 'GET', url });
    return { status: r.statusCode, contentType: String(r.headers['content-type'] ?? ''), body: r.body };
  };
}

/**
 * Checks a process's `/docs` (server-kit `serveApiDocs`): the index is HTML linking each OpenAPI
 * document and the AsyncAPI one, the Swagger UI page and its init script name the documents, and
 * the AsyncAPI document is served as YAML and JSON.
 */
export async function assertApiDocsServed(get: DocsGet, openapiUrls: readonly string[]): Promise<void> {
  const index = await get('/docs');
  assert.equal(index.status, 200);
  assert.match(index.contentType, /^text\/html/);
  for (const href of [...openapiUrls, ...(openapiUrls.length > 0 ? ['/docs/rest'] : []), '/docs/asyncapi', '/docs/asyncapi.yaml']) {
    assert.ok(index.body.includes(`href="${href}"`), `/docs links ${href}`);
  }
  if (openapiUrls.length > 0) {
    const init = await get('/docs/rest-init.js');
    for (const url of openapiUrls) assert.ok(init.body.includes(JSON.stringify(url)), `Swagger UI loads ${url}`);
    const doc = await get(openapiUrls[0]!);
    assert.equal(doc.status, 200);
    assert.ok((JSON.parse(doc.body) as { openapi?: string }).openapi, 'an OpenAPI document');
  }
  const yaml = await get('/docs/asyncapi.yaml');
  assert.equal(yaml.status, 200);
  assert.match(yaml.body, /^asyncapi: 3\.0\.0$/m);
  const json = await get('/docs/asyncapi.json');
  assert.equal((JSON.parse(json.body) as { asyncapi: string }).asyncapi, '3.0.0');
}
