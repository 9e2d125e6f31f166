import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { ChatClient, SpringTokens, isChat } from './chat-clients';

const SPRING_SECRET = 'distributor-e2e-spring-secret-distributor-e2e';
type Body = Record<string, unknown>;
type RoomList = { chat_rooms: { id: string; member_name: string; member_id: string; last_activity: string; unread_count: number; last_message_id: number }[] };

/**
 * Trainer-member chat (docs/contracts/distributor-chat.md, docs/chat-rooms.md) on the all-in-one process: admin endpoints, the JSON
 * room list with unread counts, pages from our own origin, chat / spread / system over real
 * WebSockets, and who may enter which room.
 */
describe('trainer-member chat: /distributor/*', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;
  let wsBase: string;
  const tokens = new SpringTokens(SPRING_SECRET);
  const trainer = tokens.sign('t-kim', { role: 'ROLE_TRAINER', name: '김코치' });
  const trainer2 = tokens.sign('t-choi', { role: 'TRAINER' });
  const m1 = tokens.sign('m-lee', { role: 'MEMBER' });
  const m2 = tokens.sign('m-park', { role: 'MEMBER' });
  const m3 = tokens.sign('m-jung', { role: 'MEMBER' });
  const rooms: Record<string, string> = {};
  const bearerJson = (t: string) => ({ authorization: `Bearer ${t}`, accept: 'application/json' });
  const open = async (room: string, token: string, query = '') => {
    const c = await ChatClient.open(`${wsBase}/distributor/ws/chat/${room}?token=${token}${query}`);
    await c.next((m) => m.type === 'system' && m.event === 'connected', 'connected');
    return c;
  };
  const list = async (t: string) => (await http<RoomList>(base, 'GET', '/distributor/chat/rooms', undefined, bearerJson(t))).json.chat_rooms;

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'dist-e2e-session-secret-dist-e2e-session-x',
      INFERENCE_TOKEN_SECRET: 'dist-e2e-inference-secret-dist-e2e-infer-x',
      SPRING_JWT_SECRET: SPRING_SECRET,
      CHAT_MAX_MESSAGE_CHARS: '100',
    });
    base = platform.baseUrl;
    wsBase = base.replace('http://', 'ws://');
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    assert.equal(await platform?.stop('SIGTERM'), 0, platform?.output().slice(-2000));
    await db?.drop();
  });

  it('internal admin endpoints manage trainers, members and PT sessions; demo data is seeded for the all-in-one start', async () => {
    for (const [path, body] of [
      ['/internal/chat/trainers', { id: 't-kim', name: '김코치' }],
      ['/internal/chat/trainers', { id: 't-choi', name: '최코치' }],
      ['/internal/chat/members', { id: 'm-lee', name: '이회원' }],
      ['/internal/chat/members', { id: 'm-park', name: '박회원' }],
      ['/internal/chat/members', { id: 'm-jung', name: '정회원' }],
    ] as const) {
      const r = await http<Body>(base, 'POST', path, body);
      assert.equal(r.status, 201, r.text);
    }
    for (const [t, m] of [['t-kim', 'm-lee'], ['t-kim', 'm-park'], ['t-choi', 'm-jung']] as const) {
      const r = await http<Body>(base, 'POST', '/internal/chat/pt-sessions', { trainer_id: t, member_id: m });
      assert.equal(r.status, 201, r.text);
      assert.match(String(r.json.room_id), /^pt_\d+$/);
      rooms[m] = String(r.json.room_id);
    }
    const unknown = await http<Body>(base, 'POST', '/internal/chat/pt-sessions', { trainer_id: 'nobody', member_id: 'm-lee' });
    assert.deepEqual([unknown.status, unknown.json.code], [404, 'TRAINER_NOT_FOUND']);
    const bad = await http<Body>(base, 'POST', '/internal/chat/members', { id: '', name: 'x' });
    assert.deepEqual([bad.status, bad.json.code], [400, 'VALIDATION_ERROR']);
    const demo = await http<Body[]>(base, 'GET', '/internal/chat/trainers/demo-trainer/pt-sessions');
    assert.equal(demo.json.length, 2, 'the demo trainer has two members');
  });

  it('GET /distributor/chat/rooms: the page as HTML, and with Accept: application/json the seed list (trainers only)', async () => {
    const page = await fetch(`${base}/distributor/chat/rooms`, { headers: { accept: 'text/html,application/xhtml+xml,*/*' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await page.text();
    assert.match(html, /<script src="\/distributor\/static\/vue\.js"><\/script>/);
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
    const vue = await fetch(`${base}/distributor/static/vue.js`);
    assert.equal(vue.status, 200);
    assert.match(await vue.text(), /Vue/);
    const chatPage = await fetch(`${base}/distributor/chat?room_id=${rooms['m-lee']}&user_id=whoever`);
    assert.match(await chatPage.text(), /static\/chat\.js/);
    assert.equal((await fetch(`${base}/distributor/static/../../package.json`)).status, 404);

    const r = await http<RoomList>(base, 'GET', '/distributor/chat/rooms', undefined, bearerJson(trainer));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.chat_rooms.map((x) => x.id).sort(), [rooms['m-lee'], rooms['m-park']].sort());
    for (const room of r.json.chat_rooms) {
      assert.match(room.last_activity, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
      assert.equal(room.unread_count, 0);
      assert.ok(['이회원', '박회원'].includes(room.member_name));
    }
    const member = await http<Body>(base, 'GET', '/distributor/chat/rooms', undefined, bearerJson(m1));
    assert.deepEqual([member.status, member.json.code], [403, 'NOT_A_TRAINER']);
    const anon = await http<Body>(base, 'GET', '/distributor/chat/rooms', undefined, { accept: 'application/json' });
    assert.deepEqual([anon.status, anon.json.code], [401, 'UNAUTHORIZED']);
  });

  it('trainer and member chat; join/leave notices; identity from the token only; unread counts; others refused', async () => {
    const room = rooms['m-lee']!;
    const coach = await open(room, trainer);
    // user_id in the query or the body is ignored: the token says who this is.
    const lee = await open(room, m1, '&user_id=t-kim');
    const joined = await coach.next((m) => m.type === 'system' && m.event === 'join', 'join notice');
    assert.deepEqual([joined.user_id, joined.room_id], ['m-lee', room]);
    assert.match(String(joined.content), /이회원님이 입장했습니다/);

    lee.send({ type: 'chat', content: '코치님 안녕하세요', user_id: 't-kim', room_id: 'pt_999', clientId: 'l1' });
    const ack = await lee.next((m) => m.type === 'ack', 'ack');
    assert.equal(ack.clientId, 'l1');
    const got = await coach.next(isChat, 'member message');
    assert.deepEqual([got.type, got.content, got.user_id, got.room_id, got.sender_role, got.id], ['chat', '코치님 안녕하세요', 'm-lee', room, 'member', ack.messageId]);
    coach.send({ type: 'chat', content: '네 반가워요' });
    assert.equal((await lee.next((m) => isChat(m) && m.user_id === 't-kim', 'trainer reply')).sender_role, 'trainer');

    // Unread: the trainer has not read the member's message yet; the member has not read the reply.
    const before = (await list(trainer)).find((x) => x.id === room)!;
    assert.equal(before.unread_count, 1);
    coach.send({ type: 'read', messageId: Number(got.id) });
    await eventually(async () => ((await list(trainer)).find((x) => x.id === room)!.unread_count === 0 ? true : undefined), 5_000, 'read');

    lee.close();
    const left = await coach.next((m) => m.type === 'system' && m.event === 'leave', 'leave notice');
    assert.equal(left.user_id, 'm-lee');

    for (const [name, url, code] of [
      ['other trainer', `${wsBase}/distributor/ws/chat/${room}?token=${trainer2}`, 1008],
      ['other member', `${wsBase}/distributor/ws/chat/${room}?token=${m2}`, 1008],
      ['no token', `${wsBase}/distributor/ws/chat/${room}?user_id=m-lee`, 1008],
      ['unknown room', `${wsBase}/distributor/ws/chat/pt_999999?token=${trainer}`, 4004],
      ['bad room id', `${wsBase}/distributor/ws/chat/room1?token=${trainer}`, 4004],
    ] as const) {
      const c = await ChatClient.open(url);
      assert.equal(await c.closedWithin(), code, name);
    }
    const hist = await http<Body>(base, 'GET', `/distributor/chat/rooms/${room}/messages`, undefined, bearerJson(m3));
    assert.deepEqual([hist.status, hist.json.code], [403, 'NOT_A_MEMBER']);
    coach.close();
  });

  it('spread: a trainer’s message reaches every one of their member rooms, and only theirs; members may not spread', async () => {
    const park = await open(rooms['m-park']!, m2);
    const jung = await open(rooms['m-jung']!, m3);
    const coach = await open(rooms['m-lee']!, trainer);
    coach.send({ type: 'spread', content: '내일 수업은 10시입니다', clientId: 's1' });
    const ack = await coach.next((m) => m.type === 'ack', 'spread ack');
    assert.equal(ack.spread_rooms, 2);
    const atPark = await park.next((m) => m.type === 'spread', 'spread at park');
    assert.deepEqual([atPark.content, atPark.user_id, atPark.room_id], ['내일 수업은 10시입니다', 't-kim', rooms['m-park']]);
    assert.equal((await coach.next((m) => m.type === 'spread', 'spread in own room')).room_id, rooms['m-lee']);
    const unread = await list(trainer);
    assert.ok(unread.every((x) => x.unread_count === 0), 'own spread is not unread for the trainer');
    const memberList = await http<{ messages: Record<string, unknown>[] }>(base, 'GET', `/distributor/chat/rooms/${rooms['m-lee']}/messages`, undefined, bearerJson(m1));
    assert.equal(memberList.json.messages.at(-1)?.type, 'spread', 'stored in the room of a member who was offline');

    park.send({ type: 'spread', content: '저도 공지', clientId: 'p1' });
    const refused = await park.next((m) => m.type === 'error', 'member spread refused');
    assert.deepEqual([refused.code, refused.clientId], ['NOT_A_TRAINER', 'p1']);
    park.send({ type: 'chat', content: 'x'.repeat(101) });
    assert.equal((await park.next((m) => m.type === 'error' && m.code === 'MESSAGE_TOO_LONG', 'too long')).code, 'MESSAGE_TOO_LONG');
    park.send({ type: 'system', content: 'fake notice' });
    assert.ok(await park.next((m) => m.type === 'error' && m.code === 'VALIDATION_ERROR', 'system from a client'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!jung.received.some((m) => m.type === 'spread'), 'another trainer’s member gets nothing');
    for (const c of [park, jung, coach]) c.close();
  });
});
