import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { eventually, http, startProcess, type RunningProcess } from '@squirret/testing';
import { ChatClient, SpringTokens, isChat, type Wire } from './chat-clients';

const SPRING_SECRET = Buffer.from('couple-chat-e2e-spring-secret-0123456789abcdef').toString('base64');
const INTERNAL_KEY = 'chat-e2e-internal-key-0123';
const ORIGIN = 'https://app.example.com';
type Body = Record<string, unknown>;

/**
 * Couple chat (docs/contracts/couple-chat.md) on the started all-in-one process: Spring tokens, rooms over
 * REST, two members and the AI mediator over real WebSockets, persistence, resume, history,
 * unread counts, limits and bad input.
 */
describe('couple chat: /api/rooms and ws /api/sessions/ws/{room_id}', () => {
  let db: ScratchDatabase;
  let platform: RunningProcess;
  let base: string;
  let wsBase: string;
  // The secret is configured base64-encoded, as Spring's JJWT setups keep it.
  const tokens = new SpringTokens(SPRING_SECRET, 'base64');
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const admin = { 'x-internal-api-key': INTERNAL_KEY };
  let seq = 0;
  /** A fresh couple: two users carrying the couple id claim. */
  const couple = () => {
    const id = 100 + ++seq;
    return { id, a: tokens.sign(`a${id}`, { couple_id: id, name: `A${id}` }), b: tokens.sign(`b${id}`, { couple_id: String(id) }), aId: `a${id}`, bId: `b${id}` };
  };
  const createRoom = async (token: string, coupleId: number, name = '커플 대화방') => {
    const r = await http<Body>(base, 'POST', '/api/rooms', { room_name: name, couple_id: coupleId }, bearer(token));
    assert.equal(r.status, 201, r.text);
    return Number(r.json.room_id);
  };
  const join = async (roomId: number, token: string, query = '') => {
    const c = await ChatClient.open(`${wsBase}/api/sessions/ws/${roomId}?token=${token}${query}`);
    const session = await c.next((m) => m.type === 'session', 'the session message');
    return { c, session };
  };

  before(async () => {
    db = await createScratchDatabase();
    platform = await startProcess('apps/platform/dist/src/main.js', {
      PORT: '0',
      DATABASE_URL: db.url,
      SESSION_TOKEN_SECRET: 'rooms-e2e-session-secret-rooms-e2e-session',
      INFERENCE_TOKEN_SECRET: 'rooms-e2e-inference-secret-rooms-e2e-infer',
      INTERNAL_API_KEY: INTERNAL_KEY,
      SPRING_JWT_SECRET: SPRING_SECRET,
      SPRING_JWT_SECRET_ENCODING: 'base64',
      CHAT_CORS_ORIGINS: ORIGIN,
      CHAT_MAX_MESSAGE_CHARS: '200',
      CHAT_MAX_FRAME_BYTES: '4096',
      CHAT_RATE_LIMIT: '25',
      CHAT_RATE_WINDOW_SEC: '60',
      CHAT_MEDIATOR_TURNS: '4',
      CHAT_MEDIATOR_IDLE_SEC: '2',
      CHAT_MEDIATOR_SWEEP_MS: '200',
      CHAT_MEDIATOR_HEATED_WORDS: '짜증,최악',
    });
    base = platform.baseUrl;
    wsBase = base.replace('http://', 'ws://');
    await eventually(async () => ((await http(base, 'GET', '/health/ready')).status === 200 ? true : undefined), 15_000, 'readiness');
  });

  after(async () => {
    assert.equal(await platform?.stop('SIGTERM'), 0, platform?.output().slice(-2000));
    await db?.drop();
  });

  it('answers 401 in the error body (docs/contracts/ios-api.md §0) without a valid Spring token, and CORS only for configured origins', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = tokens.sign('x', {}, -60);
    const forged = new SpringTokens('another-secret-another-secret-another-secret').sign('x');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', exp: now + 60 })).toString('base64url')}.`;
    for (const [name, headers] of [
      ['missing', {}],
      ['not bearer', { authorization: 'Basic abc' }],
      ['expired', bearer(expired)],
      ['forged', bearer(forged)],
      ['alg none', bearer(none)],
    ] as const) {
      const r = await http<Body>(base, 'GET', '/api/rooms', undefined, headers);
      assert.deepEqual([r.status, r.json.code, r.json.path], [401, 'UNAUTHORIZED', '/api/rooms'], name);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    }
    const pre = await fetch(`${base}/api/rooms`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const denied = await fetch(`${base}/api/rooms`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const { a } = couple();
    const get = await fetch(`${base}/api/rooms`, { headers: { origin: ORIGIN, ...bearer(a) } });
    assert.equal(get.headers.get('access-control-allow-origin'), ORIGIN);
  });

  it('POST /api/rooms answers 201 with the error body (docs/contracts/ios-api.md §0); GET /api/rooms lists only the caller couple’s rooms', async () => {
    const p = couple();
    const other = couple();
    const r = await http<Body>(base, 'POST', '/api/rooms', { room_name: '커플 대화방', couple_id: p.id }, bearer(p.a));
    assert.equal(r.status, 201);
    assert.deepEqual(Object.keys(r.json).sort(), ['couple_id', 'created_at', 'room_id', 'room_name']);
    assert.equal(typeof r.json.room_id, 'number');
    assert.deepEqual([r.json.room_name, r.json.couple_id], ['커플 대화방', p.id]);
    assert.ok(!Number.isNaN(Date.parse(String(r.json.created_at))));
    await createRoom(other.a, other.id, '남의 방');

    const mine = await http<Body[]>(base, 'GET', '/api/rooms', undefined, bearer(p.b));
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.json.map((x) => x.room_id), [r.json.room_id], 'partner sees the room through the couple id claim');
    assert.equal(mine.json[0]!.unread_count, 0);
    const theirs = await http<Body[]>(base, 'GET', '/api/rooms', undefined, bearer(other.b));
    assert.ok(!theirs.json.some((x) => x.room_id === r.json.room_id));

    const mismatch = await http<Body>(base, 'POST', '/api/rooms', { room_name: 'x', couple_id: other.id }, bearer(p.a));
    assert.deepEqual([mismatch.status, mismatch.json.code], [403, 'NOT_A_MEMBER']);
    const bad = await http<Body>(base, 'POST', '/api/rooms', { room_name: '', couple_id: 'seven' }, bearer(p.a));
    assert.deepEqual([bad.status, bad.json.code], [400, 'VALIDATION_ERROR']);
    const hist = await http<Body>(base, 'GET', `/api/rooms/${r.json.room_id}/messages`, undefined, bearer(other.a));
    assert.deepEqual([hist.status, hist.json.code], [403, 'NOT_A_MEMBER']);
    const missing = await http<Body>(base, 'GET', '/api/rooms/999999/messages', undefined, bearer(p.a));
    assert.deepEqual([missing.status, missing.json.code], [404, 'ROOM_NOT_FOUND']);
  });

  it('closes the socket with 1008 for a bad token or a non-member, 4004 for an unknown room', async () => {
    const p = couple();
    const roomId = await createRoom(p.a, p.id);
    const outsider = couple();
    for (const [name, url, code] of [
      ['no token', `${wsBase}/api/sessions/ws/${roomId}`, 1008],
      ['expired', `${wsBase}/api/sessions/ws/${roomId}?token=${tokens.sign(p.aId, {}, -60)}`, 1008],
      ['forged', `${wsBase}/api/sessions/ws/${roomId}?token=${new SpringTokens('another-secret-another-secret-another-secret').sign(p.aId)}`, 1008],
      ['other couple', `${wsBase}/api/sessions/ws/${roomId}?token=${outsider.a}`, 1008],
      ['unknown room', `${wsBase}/api/sessions/ws/999999?token=${p.a}`, 4004],
      ['not a number', `${wsBase}/api/sessions/ws/abc?token=${p.a}`, 4004],
    ] as const) {
      const c = await ChatClient.open(url);
      assert.equal(await c.closedWithin(), code, name);
      assert.ok(!c.received.some((m) => m.type === 'session'), `${name}: no session message`);
    }
    // A page from a foreign origin is refused before the upgrade.
    await assert.rejects(ChatClient.open(`${wsBase}/api/sessions/ws/${roomId}?token=${p.a}`, { origin: 'https://evil.example' }), /403/);
  });

  it('two members chat over real WebSockets: session message, speaker types A/B, store-before-ack, admin-added members', async () => {
    const p = couple();
    const roomId = await createRoom(p.a, p.id);
    const { c: alice, session } = await join(roomId, p.a, '&topic=' + encodeURIComponent('주말 계획'));
    assert.equal(session.content, '채팅 세션에 연결되었습니다.');
    assert.equal(session.topic, '주말 계획');
    assert.equal(session.user_a_id, p.aId);
    assert.equal(typeof session.session_id, 'number');
    const { c: bob, session: bobSession } = await join(roomId, p.b);
    assert.equal(bobSession.session_id, session.session_id, 'both are in the same session');
    assert.equal(bobSession.user_b_id, p.bId);
    assert.deepEqual((bobSession.participants as Body[]).map((x) => x.speaker_type), ['A', 'B', 'AI']);

    alice.send({ content: '안녕, 이번 주말에 뭐 할까?', clientId: 'a-1' });
    const ack = await alice.next((m) => m.type === 'ack', 'ack');
    assert.deepEqual([ack.clientId, ack.duplicate], ['a-1', false]);
    // Stored before the ack: the history already has it.
    const hist = await http<{ messages: Wire[] }>(base, 'GET', `/api/rooms/${roomId}/messages`, undefined, bearer(p.b));
    assert.equal(hist.json.messages.at(-1)?.id, ack.messageId);
    const got = await bob.next(isChat, 'alice message');
    assert.deepEqual([got.content, got.sender_id, got.speaker_type, got.session_id], ['안녕, 이번 주말에 뭐 할까?', p.aId, 'A', session.session_id]);
    assert.ok(!Number.isNaN(Date.parse(String(got.timestamp))));
    bob.send({ content: '영화 보자' });
    const fromBob = await alice.next((m) => isChat(m) && m.sender_id === p.bId, 'bob message');
    assert.equal(fromBob.speaker_type, 'B');

    // A user without the couple claim is refused until an admin adds them.
    const carol = tokens.sign(`carol${p.id}`);
    const refused = await ChatClient.open(`${wsBase}/api/sessions/ws/${roomId}?token=${carol}`);
    assert.equal(await refused.closedWithin(), 1008);
    const noKey = await http<Body>(base, 'POST', `/internal/chat/rooms/${roomId}/members`, { user_id: `carol${p.id}` });
    assert.equal(noKey.status, 401);
    const added = await http<Body>(base, 'POST', `/internal/chat/rooms/${roomId}/members`, { user_id: `carol${p.id}` }, admin);
    assert.deepEqual([added.status, added.json.speaker_type], [201, 'B']);
    const { c: carolWs } = await join(roomId, carol);
    const listed = await http<Body[]>(base, 'GET', '/api/rooms', undefined, bearer(carol));
    assert.deepEqual(listed.json.map((x) => x.room_id), [roomId]);
    for (const c of [alice, bob, carolWs]) c.close();
  });

  it('the AI mediator asks after N turns, on heated words and on silence; "네" continues, "아니오" ends with a summary; sessions are stored', async () => {
    const p = couple();
    const roomId = await createRoom(p.a, p.id, '화해 연습');
    const { c: alice, session } = await join(roomId, p.a);
    const { c: bob } = await join(roomId, p.b);
    const sid = session.session_id as number;
    const question = (c: ChatClient, from = 0) => c.next((m) => m.type === 'system' && m.content === '대화를 계속하시겠습니까?', 'the question', 10_000, from);

    // 4 turns (CHAT_MEDIATOR_TURNS=4) → the question, to both.
    for (const [c, text] of [[alice, '하나'], [bob, '둘'], [alice, '셋'], [bob, '넷']] as const) {
      c.send({ content: text });
      await c.next((m) => m.type === 'ack' && m.clientId === null, 'ack', 10_000, c.received.length - 1);
    }
    const q1 = await question(bob);
    assert.equal(q1.session_id, sid);
    await question(alice);
    // Answering a question that is not pending, or another session, is an error, not a disconnect.
    alice.send({ type: 'response', content: '네', session_id: sid + 1000 });
    assert.equal((await alice.next((m) => m.type === 'error', 'wrong session')).code, 'VALIDATION_ERROR');
    const mark = bob.received.length;
    bob.send({ type: 'response', content: '네', session_id: sid });
    const cont = await alice.next((m) => m.type === 'message' && m.speaker_type === 'AI', 'the AI continuing');
    assert.equal(cont.sender_id, 'AI');
    await bob.next((m) => m.type === 'ack', 'ack of the answer', 10_000, mark);
    bob.send({ type: 'response', content: '네', session_id: sid });
    assert.equal((await bob.next((m) => m.type === 'error' && m.code === 'NO_PENDING_QUESTION', 'no question')).code, 'NO_PENDING_QUESTION');

    // A heated word: a calming AI line, then the question again.
    const before = alice.received.length;
    bob.send({ content: '진짜 짜증나' });
    const calm = await alice.next((m) => m.type === 'message' && m.speaker_type === 'AI', 'calming line', 10_000, before);
    assert.match(String(calm.content), /숨을 고르고/);
    await question(alice, before);
    alice.send({ type: 'response', content: '네', session_id: sid });
    await alice.next((m) => m.type === 'message' && m.speaker_type === 'AI', 'continue line', 10_000, alice.received.indexOf(calm) + 1);

    // Silence (CHAT_MEDIATOR_IDLE_SEC=2): the question comes without anyone writing.
    const quiet = alice.received.length;
    alice.send({ content: '음…' });
    await question(alice, quiet);

    // "아니오" ends the session with a summary; both sockets close with 4003.
    alice.send({ type: 'response', content: '아니오', session_id: sid });
    const end = await bob.next((m) => m.type === 'system' && m.event === 'session_ended', 'the summary');
    assert.match(String(end.content), /대화를 마칠게요/);
    assert.match(String(end.content), /메시지 \d+개 \(A \d+개, B \d+개\)/);
    assert.equal(await alice.closedWithin(), 4003);
    assert.equal(await bob.closedWithin(), 4003);

    const stored = await http<Body[]>(base, 'GET', `/internal/chat/rooms/${roomId}/sessions`, undefined, admin);
    assert.equal(stored.status, 200);
    const s = stored.json.find((x) => x.session_id === sid)!;
    assert.deepEqual([s.user_a_id, s.user_b_id, s.topic, s.end_reason], [p.aId, p.bId, '화해 연습', 'declined']);
    assert.ok(s.started_at && s.ended_at);
    assert.match(String(s.summary), /A \d+개, B \d+개/);
    assert.ok(Number(s.questions) >= 3);

    // Coming back starts a new session.
    const { c: again, session: next } = await join(roomId, p.a);
    assert.notEqual(next.session_id, sid);
    again.close();
  });

  it('resume: a reconnecting client gets what it missed after its last id, once, in order; a retried clientId is not stored twice', async () => {
    const p = couple();
    const roomId = await createRoom(p.a, p.id);
    const { c: alice } = await join(roomId, p.a);
    const { c: bob } = await join(roomId, p.b);
    bob.send({ content: '첫 메시지', clientId: 'b-1' });
    const firstAck = await bob.next((m) => m.type === 'ack', 'ack');
    await alice.next(isChat, 'first');
    alice.close();
    await alice.closed;
    for (const n of [2, 3, 4]) bob.send({ content: `놓친 메시지 ${n}`, clientId: `b-${n}` });
    await bob.collect((m) => m.type === 'ack', 4, 'acks');
    // The same clientId again: the same id back, nothing new delivered.
    bob.send({ content: '첫 메시지', clientId: 'b-1' });
    const dup = await bob.next((m) => m.type === 'ack' && m.duplicate === true, 'duplicate ack');
    assert.equal(dup.messageId, firstAck.messageId);

    const back = await ChatClient.open(`${wsBase}/api/sessions/ws/${roomId}?token=${p.a}&lastMessageId=${firstAck.messageId}`);
    const missed = await back.collect((m) => isChat(m), 3, 'missed messages');
    assert.deepEqual(missed.map((m) => m.content), ['놓친 메시지 2', '놓친 메시지 3', '놓친 메시지 4']);
    assert.deepEqual(missed.map((m) => m.id), [1, 2, 3].map((i) => Number(firstAck.messageId) + i));
    bob.send({ content: '실시간' });
    await back.next((m) => m.content === '실시간', 'live message');
    const ids = back.received.filter(isChat).map((m) => m.id as number);
    assert.deepEqual(ids, [...new Set(ids)].sort((x, y) => x - y), 'each once, in order');
    assert.equal(bob.received.filter((m) => isChat(m) && m.content === '첫 메시지').length, 1);
    back.close();
    bob.close();
  });

  it('history pages with before/limit; unread counts follow read positions', async () => {
    const p = couple();
    const roomId = await createRoom(p.a, p.id);
    const { c: alice } = await join(roomId, p.a);
    for (let i = 1; i <= 7; i++) alice.send({ content: `m${i}` });
    await alice.collect((m) => m.type === 'ack', 7, 'acks');
    // The whole log (the mediator may have added its question after four turns).
    const all = (await http<{ messages: Wire[] }>(base, 'GET', `/api/rooms/${roomId}/messages?limit=100`, undefined, bearer(p.b))).json.messages;
    assert.deepEqual(all.filter((m) => m.type === 'message').map((m) => m.content), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    const ids = all.map((m) => m.id as number);
    assert.deepEqual(ids, ids.map((_, i) => i + 1), 'ids are the room sequence 1..n');
    const list = await http<Body[]>(base, 'GET', '/api/rooms', undefined, bearer(p.b));
    assert.equal(list.json[0]!.unread_count, all.length, 'everything is unread for the partner');
    assert.equal(list.json[0]!.last_message_id, ids.at(-1));
    const mine = await http<Body[]>(base, 'GET', '/api/rooms', undefined, bearer(p.a));
    assert.equal(mine.json[0]!.unread_count, all.length - 7, 'own messages are never unread');

    type Page = { messages: Wire[]; has_more: boolean };
    const page1 = await http<Page>(base, 'GET', `/api/rooms/${roomId}/messages?limit=3`, undefined, bearer(p.b));
    assert.deepEqual(page1.json.messages.map((m) => m.id), ids.slice(-3));
    assert.equal(page1.json.has_more, true);
    const page2 = await http<Page>(base, 'GET', `/api/rooms/${roomId}/messages?limit=3&before=${page1.json.messages[0]!.id}`, undefined, bearer(p.b));
    assert.deepEqual(page2.json.messages.map((m) => m.id), ids.slice(-6, -3));
    const page3 = await http<Page>(base, 'GET', `/api/rooms/${roomId}/messages?limit=3&before=2`, undefined, bearer(p.b));
    assert.deepEqual([page3.json.messages.map((m) => m.content), page3.json.has_more], [['m1'], false]);
    const badLimit = await http<Body>(base, 'GET', `/api/rooms/${roomId}/messages?limit=1000`, undefined, bearer(p.b));
    assert.deepEqual([badLimit.status, badLimit.json.code], [400, 'VALIDATION_ERROR']);

    const { c: bob } = await join(roomId, p.b, '&lastMessageId=0');
    await bob.collect(isChat, 7, 'backlog');
    const unreadOf = async () => (await http<Body[]>(base, 'GET', '/api/rooms', undefined, bearer(p.b))).json[0]!.unread_count as number;
    bob.send({ type: 'read', messageId: 5 });
    const after5 = await eventually(async () => {
      const u = await unreadOf();
      return u < all.length ? u : undefined;
    }, 5_000, 'read position 5');
    assert.ok(after5 <= all.length - 5);
    // Never back, never past the end.
    bob.send({ type: 'read', messageId: 3 });
    bob.send({ type: 'read', messageId: 999 });
    await eventually(async () => ((await unreadOf()) === 0 ? true : undefined), 5_000, 'unread 0');
    alice.close();
    bob.close();
  });

  it('bad input gets an error message (or a close code) and never disturbs the other clients', async () => {
    const p = couple();
    const roomId = await createRoom(p.a, p.id);
    const { c: alice } = await join(roomId, p.a);
    const { c: bob } = await join(roomId, p.b);
    const errorAfter = async (send: unknown, code: string) => {
      const mark = alice.received.length;
      alice.send(send);
      const e = await alice.next((m) => m.type === 'error', code, 10_000, mark);
      assert.equal(e.code, code, JSON.stringify(e));
      return e;
    };
    await errorAfter('not json', 'MALFORMED_JSON');
    await errorAfter('[1,2]', 'VALIDATION_ERROR');
    await errorAfter({ content: 42 }, 'VALIDATION_ERROR');
    await errorAfter({ type: 'dance' }, 'VALIDATION_ERROR');
    await errorAfter({ content: '   ' }, 'VALIDATION_ERROR');
    await errorAfter({ type: 'response', content: 'maybe', session_id: 1 }, 'VALIDATION_ERROR');
    const long = await errorAfter({ content: 'ㄱ'.repeat(201), clientId: 'long-1' }, 'MESSAGE_TOO_LONG');
    assert.equal(long.clientId, 'long-1');
    const mark = alice.received.length;
    alice.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await alice.next((m) => m.type === 'error', 'binary', 10_000, mark)).code, 'UNSUPPORTED_MEDIA_TYPE');
    // Still open, still chatting.
    alice.send({ content: '아직 연결돼 있어' });
    await bob.next((m) => m.content === '아직 연결돼 있어', 'message after bad input');

    // Rate limit (25 per minute per user): an error per refused message, no disconnect.
    const spammer = couple();
    const spamRoom = await createRoom(spammer.a, spammer.id);
    const { c: spam } = await join(spamRoom, spammer.a);
    for (let i = 0; i < 30; i++) spam.send({ content: `spam ${i}`, clientId: `s${i}` });
    const limited = await spam.next((m) => m.type === 'error' && m.code === 'RATE_LIMITED', 'rate limited');
    assert.ok(Number(limited.retry_after) >= 1);
    const outcomes = await spam.collect((m) => m.type === 'ack' || m.type === 'error', 30, 'outcomes');
    assert.equal(outcomes.filter((m) => m.type === 'ack').length, 25);
    assert.equal(spam.closeCode, undefined);

    // A frame over CHAT_MAX_FRAME_BYTES closes that socket with 1009; the others go on.
    const { c: big } = await join(roomId, p.a);
    big.send({ content: 'x'.repeat(5000) });
    assert.equal(await big.closedWithin(), 1009);
    // Ten malformed messages in a row close with 4009.
    const { c: noisy } = await join(roomId, p.b);
    for (let i = 0; i < 10; i++) noisy.send('{oops');
    assert.equal(await noisy.closedWithin(), 4009);
    bob.send({ content: '다들 괜찮아?' });
    await alice.next((m) => m.content === '다들 괜찮아?', 'message after the others were closed');
    assert.equal(alice.closeCode, undefined);
    assert.equal((await http(base, 'GET', '/health/ready')).status, 200);
    for (const c of [alice, bob, spam]) c.close();
  });
});
