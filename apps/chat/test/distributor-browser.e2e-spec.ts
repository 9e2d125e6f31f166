import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { REPO_ROOT, eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ChatClient, SpringTokens } from './chat-clients';

const CHROMIUM = '/usr/bin/chromium';
// Loopback only: no background requests, no component updates (see ENVIRONMENT.md).
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SPRING_SECRET = 'browser-e2e-spring-secret-browser-e2e-spring';
const XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

/**
 * The trainer pages in a real browser (headless Debian Chromium driven by playwright-core): the
 * trainer sees an unread count, opens the room and chats with a member in a second browser
 * context; markup in a message shows as text. A screenshot is kept in test-artifacts/.
 */
describe('trainer pages in headless Chromium', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let browser: Browser;
  let base: string;
  const tokens = new SpringTokens(SPRING_SECRET);
  const trainer = tokens.sign('b-trainer', { role: 'TRAINER' });
  const member = tokens.sign('b-member', { role: 'MEMBER' });
  let roomId = '';

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it when apt is available)`);
    }
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'browser-e2e-session-secret-browser-e2e-sess',
      INFERENCE_TOKEN_SECRET: 'browser-e2e-inference-secret-browser-e2e-in',
      SPRING_JWT_SECRET: SPRING_SECRET,
    });
    base = platform.baseUrl;
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
    assert.equal((await http(base, 'POST', '/internal/chat/trainers', { id: 'b-trainer', name: '김코치' })).status, 201);
    assert.equal((await http(base, 'POST', '/internal/chat/members', { id: 'b-member', name: '이회원' })).status, 201);
    roomId = String((await http<{ room_id: string }>(base, 'POST', '/internal/chat/pt-sessions', { trainer_id: 'b-trainer', member_id: 'b-member' })).json.room_id);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true, timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    assert.equal(await platform?.stop('SIGTERM'), 0, platform?.output().slice(-2000));
    await db?.drop();
  });

  const watch = (page: Page, name: string, problems: string[]) => {
    page.on('pageerror', (e) => problems.push(`${name} page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`${name} dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${name} console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith(base.replace('http', 'ws')) && !r.url().startsWith('data:')) problems.push(`${name} requested ${r.url()}`);
    });
  };

  it('trainer sees the unread count, opens the room and chats with the member; markup shows as text', async () => {
    const problems: string[] = [];
    // The member wrote twice while the trainer was away (one message with markup in it).
    const ws = await ChatClient.open(`${base.replace('http', 'ws')}/distributor/ws/chat/${roomId}?token=${member}`);
    await ws.next((m) => m.event === 'connected', 'connected');
    ws.send({ type: 'chat', content: '코치님, 오늘 스쿼트 자세 봐주실 수 있나요?' });
    ws.send({ type: 'chat', content: XSS });
    await ws.collect((m) => m.type === 'ack', 2, 'acks');
    ws.close();

    const trainerCtx = await browser.newContext();
    const memberCtx = await browser.newContext();
    try {
      const tp = await trainerCtx.newPage();
      watch(tp, 'trainer', problems);
      await tp.goto(`${base}/distributor/chat/rooms#token=${trainer}`);
      const badge = tp.locator(`[data-testid="unread-${roomId}"]`);
      await badge.waitFor({ timeout: 15_000 });
      assert.equal(await badge.textContent(), '2');
      assert.equal(await tp.locator('.room .member').first().textContent(), '이회원');
      assert.equal(await tp.evaluate("window.localStorage.getItem('imean_access_token') !== null"), true, 'token kept where the seed app keeps it');
      assert.ok(!tp.url().includes('token='), 'the token is taken out of the address bar');

      await tp.locator(`[data-room="${roomId}"] a`).click();
      await tp.waitForURL(/\/distributor\/chat\?room_id=/);
      await tp.locator('[data-testid="status"][data-status="open"]').waitFor({ timeout: 15_000 });
      const texts = tp.locator('.msg .text');
      await eventually(async () => ((await texts.count()) >= 2 ? true : undefined), 10_000, 'history in the page');
      assert.deepEqual(await texts.allTextContents(), ['코치님, 오늘 스쿼트 자세 봐주실 수 있나요?', XSS], 'markup is shown as text');
      assert.equal(await tp.locator('.messages script, .messages img').count(), 0, 'no element was created from a message');
      assert.equal(await tp.evaluate('window.__pwned ?? 0'), 0);

      const mp = await memberCtx.newPage();
      watch(mp, 'member', problems);
      await mp.goto(`${base}/distributor/chat?room_id=${roomId}&user_id=b-member#token=${member}`);
      await mp.locator('[data-testid="status"][data-status="open"]').waitFor({ timeout: 15_000 });
      await tp.locator('.notice', { hasText: '이회원님이 입장했습니다' }).waitFor({ timeout: 10_000 });

      await tp.locator('[data-testid="input"]').fill('네, 영상 보내 주세요 <b>굵게</b>');
      await tp.locator('[data-testid="send"]').click();
      await mp.locator('.msg .text', { hasText: '네, 영상 보내 주세요 <b>굵게</b>' }).waitFor({ timeout: 10_000 });
      assert.equal(await mp.locator('.messages b').count(), 0);
      await tp.locator('[data-testid="pending-sending"]').waitFor({ state: 'detached', timeout: 10_000 });

      await mp.locator('[data-testid="input"]').fill('감사합니다!');
      await mp.locator('[data-testid="send"]').click();
      await tp.locator('.msg.theirs .text', { hasText: '감사합니다!' }).waitFor({ timeout: 10_000 });

      // Too long for the server: shown as a failed send with the reason, not lost silently.
      await mp.evaluate("document.querySelector('[data-testid=input]').removeAttribute('maxlength')");
      await mp.locator('[data-testid="input"]').fill('ㅋ'.repeat(2100));
      await mp.locator('[data-testid="send"]').click();
      await mp.locator('[data-testid="pending-failed"]').waitFor({ timeout: 10_000 });
      assert.match((await mp.locator('[data-testid="pending-failed"] .reason').textContent()) ?? '', /전송 실패/);

      mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
      await tp.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'distributor-chat-trainer.png'), fullPage: true });
      await mp.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'distributor-chat-member.png'), fullPage: true });

      // Back on the list, everything the trainer saw is read.
      await tp.goto(`${base}/distributor/chat/rooms`);
      await tp.locator(`[data-room="${roomId}"]`).waitFor({ timeout: 10_000 });
      await eventually(async () => {
        await tp.reload();
        await tp.locator(`[data-room="${roomId}"]`).waitFor({ timeout: 10_000 });
        return (await tp.locator(`[data-testid="unread-${roomId}"]`).count()) === 0 ? true : undefined;
      }, 15_000, 'unread count cleared');
      assert.deepEqual(problems, []);
      assert.ok(existsSync(join(REPO_ROOT, 'test-artifacts', 'distributor-chat-trainer.png')));
    } finally {
      await trainerCtx.close();
      await memberCtx.close();
    }
  });
});
