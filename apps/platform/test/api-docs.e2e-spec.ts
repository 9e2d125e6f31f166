import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { chromium, type Browser } from 'playwright-core';
import { parse } from 'yaml';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'docs');

/**
 * `/docs` of the all-in-one process: the index links the OpenAPI and AsyncAPI documents, both are
 * served, and both viewers (Swagger UI, the AsyncAPI React component, from node_modules) render in
 * a real browser without a request leaving the machine. Screenshots go to test-artifacts/docs.
 */
describe('API docs at /docs', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;
  let browser: Browser | undefined;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'docs-e2e-session-secret-docs-e2e-session-sx',
      INFERENCE_TOKEN_SECRET: 'docs-e2e-inference-secret-docs-e2e-inferenc',
      POSE_WORKERS: '0',
      LOG_LEVEL: 'warn',
    });
    base = platform.baseUrl;
    await eventually(async () => ((await http(base, 'GET', '/health/live')).status === 200 ? true : undefined), 15_000, 'liveness');
  });

  after(async () => {
    await browser?.close();
    await platform?.stop('SIGTERM');
    await db?.drop();
  });

  it('the index is HTML that links the REST viewer, /openapi.json and the AsyncAPI document; each is served', async () => {
    const index = await http(base, 'GET', '/docs');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    for (const href of ['/docs/rest', '/openapi.json', '/docs/asyncapi', '/docs/asyncapi.yaml', '/docs/asyncapi.json']) assert.ok(index.text.includes(`href="${href}"`), `links ${href}`);

    const openapi = await http<{ openapi: string; paths: Record<string, unknown> }>(base, 'GET', '/openapi.json');
    assert.equal(openapi.status, 200);
    assert.ok(openapi.json.paths['/api/session'] && openapi.json.paths['/api/fsr_data'], 'the combined document');

    const yaml = await http(base, 'GET', '/docs/asyncapi.yaml');
    assert.equal(yaml.status, 200);
    assert.equal(yaml.text, readFileSync(join(REPO_ROOT, 'docs', 'asyncapi.yaml'), 'utf8'), 'the committed document');
    const json = await http(base, 'GET', '/docs/asyncapi.json');
    assert.deepEqual(json.json, parse(yaml.text));

    const rest = await http(base, 'GET', '/docs/rest');
    assert.ok(rest.text.includes('/docs/assets/swagger-ui-bundle.js'));
    assert.match((await http(base, 'GET', '/docs/rest-init.js')).text, /"url":"\/openapi\.json"/);
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'asyncapi.css', 'asyncapi-standalone.js']) {
      const r = await fetch(`${base}/docs/assets/${asset}`);
      assert.equal(r.status, 200, asset);
      assert.match(r.headers.get('content-type') ?? '', asset.endsWith('.js') ? /javascript/ : /text\/css/);
      assert.ok((await r.arrayBuffer()).byteLength > 1000, `${asset} has content`);
    }
    const missing = await http<{ status: number; code: string }>(base, 'GET', '/docs/assets/..%2Fpackage.json');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'ROUTE_NOT_FOUND', 'the seed error body');
  });

  it('both viewers render in headless Chromium, offline (no request leaves 127.0.0.1)', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does it when apt is available)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 60_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const outside: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol !== 'data:' && u.hostname !== '127.0.0.1') outside.push(r.url());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });

    await page.goto(`${base}/docs/rest`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.textContent?.replace(/\u200b/g, '').trim()));
    assert.ok(paths.includes('/api/session') && paths.includes('/api/fsr_data'), `operations shown: ${paths.join(', ')}`);
    await page.screenshot({ path: join(ARTIFACTS, 'rest.png') });

    await page.goto(`${base}/docs/asyncapi`);
    // strings, not functions: the page's DOM types are not in this (node) project's lib
    await page.waitForFunction("document.body.innerText.includes('Squirret sockets')", undefined, { timeout: 30_000 });
    await page.waitForFunction("document.body.innerText.includes('/ws/{sessionId}')", undefined, { timeout: 30_000 });
    const text = await page.evaluate<string>('document.body.innerText');
    for (const address of ['/user/queue/session', '/app/session.message', '/api/sessions/ws/{room_id}', '/distributor/ws/chat/{room_id}', '/ws/fsr-data']) assert.ok(text.includes(address), `${address} shown`);
    await page.screenshot({ path: join(ARTIFACTS, 'asyncapi.png') });

    await page.goto(`${base}/docs`);
    await page.screenshot({ path: join(ARTIFACTS, 'index.png') });
    assert.deepEqual(outside, [], 'no request leaves the machine');
    assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused to/i.test(p)), [], 'nothing blocked by the CSP');
  });
});
