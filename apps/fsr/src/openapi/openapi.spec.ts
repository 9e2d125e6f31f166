import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { openApiText } from '@squirret/server-kit';
import { assertApiDocsServed, injectedGet } from '@squirret/testing';
import { buildFsrOpenApi } from './fsr-openapi';
import { createFsrOpenApiApp } from './openapi-app';

describe('fsr OpenAPI document', () => {
  it('matches the committed apps/fsr/openapi.json (run `npm run openapi -w apps/fsr` after changing an endpoint)', async () => {
    const app = await createFsrOpenApiApp();
    try {
      const generated = openApiText(buildFsrOpenApi(app));
      const committed = readFileSync(resolve(__dirname, '../../../openapi.json'), 'utf8');
      assert.equal(generated, committed);
      const doc = JSON.parse(committed) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      for (const path of ['/api/fsr_data', '/api/fsr_data/batch', '/api/fsr_data/latest', '/api/fsr_data/feedback', '/api/fsr_data/feedback/combined', '/internal/fsr/devices/{deviceId}/token', '/internal/fsr/devices/{deviceId}/revoke']) {
        assert.ok(doc.paths[path], `${path} is documented`);
      }
      assert.deepEqual(Object.keys(doc.paths['/api/fsr_data']!['post']!.responses).sort(), ['202', '400', '401', '403', '429', '503']);
    } finally {
      await app.close();
    }
  });

  it('/docs on the standalone app: the index, Swagger UI over /openapi.json, and the AsyncAPI document', async () => {
    const app = await createFsrOpenApiApp();
    try {
      await assertApiDocsServed(injectedGet(app.getHttpAdapter().getInstance()), ['/openapi.json']);
    } finally {
      await app.close();
    }
  });
});
