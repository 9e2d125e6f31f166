import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, type ScratchDatabase } from '@squirret/database';
import { http, startProcess, type RunningProcess } from '@squirret/testing';
import { ChatClient, SpringTokens, isChat, type Wire } from './chat-clients';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SPRING_SECRET = 'multi-instance-spring-secret-multi-instance-x';
const PER_CLIENT = 25;

/** Ids strictly increasing by one: every message once, in order, none missing. */
const assertContiguous = (ms: Wire[], what: string) => {
  const ids = ms.map((m) => m.id as number);
  assert.deepEqual(ids, ids.map((_, i) => ids[0]! + i), `${what}: ${ids.join(',')}`);
};

/**
 * Two chat processes sharing rooms through real Redis and PostgreSQL (docs/chat-rooms.md §5): clients on
 * each see every message once, in order, whichever process stored it.
 */
describe('two chat instances sharing rooms through Redis', () => {
  let db: ScratchDatabase;
  const procs: RunningProcess[] = [];
  const tokens = new SpringTokens(SPRING_SECRET);
  const ws = (p: RunningProcess) => p.baseUrl.replace('http://', 'ws://');

  before(async () => {
    db = await createScratchDatabase();
    const env = {
      PORT: '0',
      DATABASE_URL: db.url,
      REDIS_URL,
      BUS_PREFIX: `chat-multi:${randomUUID()}:`,
      SESSION_TOKEN_SECRET: 'multi-session-secret-multi-session-secret-x',
      SPRING_JWT_SECRET: SPRING_SECRET,
      CHAT_RATE_LIMIT: '1000',
      CHAT_MEDIATOR_ENABLED: 'false',
    };
    // One after the other: the first applies the migrations.
    procs.push(await startProcess('apps/chat/dist/src/main.js', env));
    procs.push(await startProcess('apps/chat/dist/src/main.js', env));
  });

  after(async () => {
    for (const p of procs) assert.equal(await p.stop('SIGTERM'), 0, p.output().slice(-1500));
    await db?.drop();
  });

  it('couple chat: members on different instances sending at once each see all messages once, in order', async () => {
    const [p1, p2] = procs as [RunningProcess, RunningProcess];
    const a = tokens.sign('ma', { couple_id: 77 });
    const b = tokens.sign('mb', { couple_id: 77 });
    const created = await http<{ room_id: number }>(p1.baseUrl, 'POST', '/api/rooms', { room_name: '둘', couple_id: 77 }, { authorization: `Bearer ${a}` });
    assert.equal(created.status, 201);
    const room = created.json.room_id;
    const listed = await http<{ room_id: number }[]>(p2.baseUrl, 'GET', '/api/rooms', undefined, { authorization: `Bearer ${b}` });
    assert.deepEqual(listed.json.map((r) => r.room_id), [room]);

    const clients = [
      await ChatClient.open(`${ws(p1)}/api/sessions/ws/${room}?token=${a}`),
      await ChatClient.open(`${ws(p2)}/api/sessions/ws/${room}?token=${b}`),
      await ChatClient.open(`${ws(p2)}/api/sessions/ws/${room}?token=${a}`),
    ];
    const sessions = await Promise.all(clients.map((c) => c.next((m) => m.type === 'session', 'session')));
    assert.equal(new Set(sessions.map((s) => s.session_id)).size, 1, 'one session across instances');
    // Everyone sends at once, without waiting for anything.
    for (let i = 0; i < PER_CLIENT; i++) clients.forEach((c, k) => c.send({ content: `c${k}-${i}`, clientId: `c${k}-${i}` }));
    const total = PER_CLIENT * clients.length;
    for (const [k, c] of clients.entries()) {
      const got = await c.collect(isChat, total, `messages on client ${k}`, 20_000);
      assertContiguous(got, `client ${k}`);
      assert.equal(new Set(got.map((m) => m.content)).size, total);
      // A client's own messages arrive in the order it sent them.
      const own = got.filter((m) => String(m.content).startsWith(`c${k}-`)).map((m) => m.content);
      assert.deepEqual(own, Array.from({ length: PER_CLIENT }, (_, i) => `c${k}-${i}`));
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const c of clients) assert.equal(c.received.filter(isChat).length, total, 'nothing delivered twice');

    // Leaving one instance and resuming on the other: only what was missed, in order.
    const last = clients[0]!.received.filter(isChat).at(-1)!.id as number;
    clients[0]!.close();
    for (let i = 0; i < 5; i++) clients[1]!.send({ content: `late-${i}` });
    await clients[1]!.collect((m) => isChat(m) && String(m.content).startsWith('late-'), 5, 'late messages');
    const back = await ChatClient.open(`${ws(p2)}/api/sessions/ws/${room}?token=${a}&lastMessageId=${last}`);
    const missed = await back.collect(isChat, 5, 'missed');
    assert.deepEqual(missed.map((m) => m.content), ['late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
    assert.equal(missed[0]!.id, last + 1);
    for (const c of [...clients, back]) c.close();
  });

  it('distributor chat: a spread and join notices cross instances', async () => {
    const [p1, p2] = procs as [RunningProcess, RunningProcess];
    await http(p1.baseUrl, 'POST', '/internal/chat/trainers', { id: 'mt', name: '코치' });
    for (const m of ['mm1', 'mm2']) await http(p1.baseUrl, 'POST', '/internal/chat/members', { id: m, name: m });
    const r1 = (await http<{ room_id: string }>(p1.baseUrl, 'POST', '/internal/chat/pt-sessions', { trainer_id: 'mt', member_id: 'mm1' })).json.room_id;
    const r2 = (await http<{ room_id: string }>(p2.baseUrl, 'POST', '/internal/chat/pt-sessions', { trainer_id: 'mt', member_id: 'mm2' })).json.room_id;
    const coach = await ChatClient.open(`${ws(p1)}/distributor/ws/chat/${r1}?token=${tokens.sign('mt', { role: 'TRAINER' })}`);
    await coach.next((m) => m.event === 'connected', 'connected');
    const m1 = await ChatClient.open(`${ws(p2)}/distributor/ws/chat/${r1}?token=${tokens.sign('mm1')}`);
    const m2 = await ChatClient.open(`${ws(p2)}/distributor/ws/chat/${r2}?token=${tokens.sign('mm2')}`);
    await coach.next((m) => m.type === 'system' && m.event === 'join' && m.user_id === 'mm1', 'join notice from the other instance');
    await m2.next((m) => m.event === 'connected', 'connected');
    coach.send({ type: 'spread', content: '모두 안녕하세요' });
    for (const c of [m1, m2]) assert.equal((await c.next((m) => m.type === 'spread', 'spread')).content, '모두 안녕하세요');
    m1.send({ type: 'chat', content: '네!' });
    assert.equal((await coach.next((m) => m.type === 'chat', 'reply across instances')).user_id, 'mm1');
    for (const c of [coach, m1, m2]) c.close();
  });
});
