import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { openApiText } from '@squirret/server-kit';
import { assertApiDocsServed, injectedGet } from '@squirret/testing';
import { buildControlPlaneOpenApi } from './build-openapi';
import { createOpenApiApp } from './openapi-app';

describe('OpenAPI document', () => {
  it('matches the committed apps/control-plane/openapi.json (run `npm run openapi -w apps/control-plane` after changing an endpoint)', async () => {
    const app = await createOpenApiApp();
    try {
      const generated = openApiText(buildControlPlaneOpenApi(app));
      const committed = readFileSync(resolve(__dirname, '../../../openapi.json'), 'utf8');
      assert.equal(generated, committed);
      const doc = JSON.parse(committed) as { paths: Record<string, unknown> };
      for (const path of ['/internal/session', '/auth/upgrade', '/api/session', '/api/session/{id}/refresh', '/api/session/{id}/finish', '/internal/ai/status']) {
        assert.ok(doc.paths[path], `${path} is documented`);
      }
    } finally {
      await app.close();
    }
  });

  it('/docs on the standalone app: the index, Swagger UI over /openapi.json, and the AsyncAPI document', async () => {
    const app = await createOpenApiApp();
    try {
      await assertApiDocsServed(injectedGet(app.getHttpAdapter().getInstance()), ['/openapi.json']);
    } finally {
      await app.close();
    }
  });
});
