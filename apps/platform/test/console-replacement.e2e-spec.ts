import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { clipsDir } from '@squirret/pose/dist/testing/clips';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const CLIP = 'aitrainer_olympic_squat_vid.gif';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'console');

/**
 * Re-placement in distributed mode: the console served by the standalone control plane, two
 * inference nodes over the real Redis; the node streaming the session drains (SIGTERM → 1012), the
 * page refreshes and connects to the wsUrl the refresh returns (the other node's), and the session
 * carries on there from its checkpoint: the clip ends with exactly one rep.
 */
describe('the console in distributed mode: a draining node, re-placement on the other', () => {
  let db: ScratchDatabase;
  let cp: RunningProcess;
  let browser: Browser;
  const nodes = new Map<string, RunningProcess>();
  const common = {
    PORT: '0',
    REDIS_URL: 'redis://127.0.0.1:6379',
    BUS_PREFIX: `console-e2e-${process.pid}:`,
    SESSION_TOKEN_SECRET: 'console-dist-session-secret-console-dist-se',
    INFERENCE_TOKEN_SECRET: 'console-dist-inference-secret-console-dist-i',
  };

  const startNode = async (nodeId: string) => {
    const p = await startProcess(
      'apps/inference/dist/src/main.js',
      { ...common, INFERENCE_NODE_ID: nodeId, INFERENCE_POSE_WORKERS: '1', INFERENCE_CHECKPOINT_INTERVAL_MS: '500', INFERENCE_DRAIN_TIMEOUT_MS: '2000' },
      120_000,
    );
    nodes.set(nodeId, p);
    await eventually(async () => ((await http(p.baseUrl, 'GET', '/health/ready')).status === 200 ? true : undefined), 120_000, `${nodeId} ready`);
  };
  const nodeOf = (wsUrl: string) => [...nodes].find(([, p]) => wsUrl.startsWith(p.baseUrl.replace('http://', 'ws://')))?.[0];

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does it when apt is available)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await createScratchDatabase();
    cp = await startProcess('apps/control-plane/dist/src/main.js', { ...common, DATABASE_URL: db.url, CONTROL_PLANE_SESSION_RATE_LIMIT: '1000', CONTROL_PLANE_CONSOLE_CLIPS_DIR: clipsDir() });
    // One after the other: two warm-ups at once on two cores only slow each other down.
    await startNode('node-a');
    await startNode('node-b');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: FLAGS });
  });

  after(async () => {
    await browser?.close();
    for (const p of nodes.values()) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
    if (cp?.child.exitCode === null) await cp.stop('SIGTERM');
    await db?.drop();
  });

  it('a drain (1012) mid-clip: refresh, connect to the other node, the rep count carries on; the clip ends with one rep', async () => {
    const problems: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message} ${e.stack ?? ''}`));
    try {
      await page.goto(`${cp.baseUrl}/console?source=${CLIP}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      await page.click('[data-testid="console-start"]');
      await page.waitForSelector('[data-testid="console-state"][data-state="streaming"]', { timeout: 30_000 });
      await eventually(async () => ((await page.evaluate<number>('window.__console.run()?.answered ?? 0')) >= 15 ? true : undefined), 60_000, '15 frames answered');
      const firstUrl = await page.evaluate<string>('window.__console.session.wsUrl');
      const first = nodeOf(firstUrl);
      assert.ok(first, `the session is on a node we started: ${firstUrl}`);
      assert.equal(await nodes.get(first)!.stop('SIGTERM'), 0, 'the drained node exits cleanly');

      await page.waitForSelector('[data-testid="console-state"][data-last-close="1012"]', { timeout: 15_000 });
      await page.waitForSelector('[data-testid="console-state"][data-state="clip-done"]', { timeout: 180_000 });
      const secondUrl = await page.evaluate<string>('window.__console.session.wsUrl');
      const second = nodeOf(secondUrl);
      assert.ok(second && second !== first, `re-placed on the other node: ${firstUrl} → ${secondUrl}`);
      const states = await page.evaluate<string[]>('window.__consoleStates');
      assert.ok(states.includes('reconnecting'), `states: ${states.join(' → ')}`);
      assert.equal(((await page.textContent('[data-testid="console-reps"]')) ?? '').trim(), '1', 'one rep: the count carried on across the nodes');
      assert.equal(await page.locator('[data-testid="rep-history"] > li').count(), 1);
      await page.screenshot({ path: join(ARTIFACTS, 'console-replaced.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});
