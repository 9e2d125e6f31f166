import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createScratchDatabase, openDatabase, type ScratchDatabase } from '@squirret/database';
import type { DataSource } from 'typeorm';
import { systemClock } from '../src/chat.tokens';
import { MessageWriter } from '../src/conversations/message-writer';
import { MessagesRepository } from '../src/conversations/messages.repository';
import { coupleRoomKey, ptRoomKey, type RoomKey } from '../src/conversations/room-key';
import type { NewMessage } from '../src/conversations/stored-message';
import { CHAT_MIGRATIONS } from '../src/migrations';

const message = (roomKey: RoomKey, content: string, over: Partial<NewMessage> = {}): NewMessage => ({
  roomKey,
  kind: 'chat',
  senderId: 'u1',
  senderName: null,
  speaker: 'A',
  content,
  sessionId: null,
  clientId: null,
  event: null,
  ...over,
});

/**
 * The shared message log on a real PostgreSQL: two writers (as two instances would have, each
 * with its own pool) appending at once get one gap-free sequence per room; a clientId is stored
 * once even when both store it at the same moment; history and read positions.
 */
describe('message log (PostgreSQL)', () => {
  let db: ScratchDatabase;
  const sources: DataSource[] = [];
  let w1: MessageWriter;
  let w2: MessageWriter;
  let repo: MessagesRepository;

  before(async () => {
    db = await createScratchDatabase();
    for (let i = 0; i < 2; i++) {
      sources.push(await openDatabase({ url: db.url, entities: [], migrations: CHAT_MIGRATIONS, migrationsTableName: 'chat_migrations' }));
    }
    w1 = new MessageWriter(sources[0]!, systemClock);
    w2 = new MessageWriter(sources[1]!, systemClock);
    repo = new MessagesRepository(sources[0]!);
    for (const k of [coupleRoomKey(1), coupleRoomKey(2), ptRoomKey(1)]) await repo.createHead(k);
  });

  after(async () => {
    for (const s of sources) await s.destroy();
    await db.drop();
  });

  it('two writers appending concurrently give each room one gap-free sequence', async () => {
    const rooms = [coupleRoomKey(1), coupleRoomKey(2), ptRoomKey(1)];
    const writes = [];
    for (let i = 0; i < 150; i++) {
      const w = i % 2 === 0 ? w1 : w2;
      const room = rooms[i % 3]!;
      writes.push(i % 10 === 0 ? w.appendAll(rooms.map((r) => message(r, `spread ${i}`))) : w.append(message(room, `m${i}`)).then((r) => [r]));
    }
    const results = (await Promise.all(writes)).flat();
    for (const room of rooms) {
      const stored = await repo.range(room, 0, 10_000, 10_000);
      assert.deepEqual(stored.map((m) => m.id), stored.map((_, i) => i + 1), `${room} is 1..n`);
      assert.equal(await repo.head(room), stored.length);
      const acked = results.filter((r) => r.message.roomKey === room).map((r) => r.message.id).sort((a, b) => a - b);
      assert.deepEqual(acked, stored.map((m) => m.id), 'every ack names a stored message');
    }
  });

  it('the same clientId from both writers at once is stored once, and both get its id', async () => {
    const room = coupleRoomKey(2);
    const before = await repo.head(room);
    const [a, b] = await Promise.all([w1.append(message(room, 'once', { clientId: 'dup-1' })), w2.append(message(room, 'once', { clientId: 'dup-1' }))]);
    assert.equal(a.message.id, b.message.id);
    assert.deepEqual([a.duplicate, b.duplicate].sort(), [false, true]);
    assert.equal(await repo.head(room), before + 1);
    // Another sender may use the same clientId.
    const other = await w1.append(message(room, 'other', { clientId: 'dup-1', senderId: 'u2' }));
    assert.equal(other.duplicate, false);
  });

  it('pages history, and counts unread from read positions (never moving back)', async () => {
    const room = ptRoomKey(1);
    const head = await repo.head(room);
    const page = await repo.page(room, undefined, 5);
    assert.deepEqual(page.messages.map((m) => m.id), [head - 4, head - 3, head - 2, head - 1, head]);
    assert.equal(page.hasMore, true);
    const older = await repo.page(room, head - 4, 500);
    assert.equal(older.messages.at(-1)?.id, head - 5);
    assert.equal(older.hasMore, false);
    await w1.append(message(room, 'from u2', { senderId: 'u2' }));
    const act = await repo.activity([room], 'u1');
    assert.equal(act.get(room)?.unread, 1, 'only the other sender counts for u1');
    assert.equal(await repo.markRead(room, 'u1', 10_000), head + 1, 'clamped to the newest message');
    assert.equal(await repo.markRead(room, 'u1', 1), head + 1, 'never back');
    assert.equal((await repo.activity([room], 'u1')).get(room)?.unread, 0);
    await assert.rejects(w1.append(message('couple:404' as RoomKey, 'nowhere')), /no longer exists/);
  });

  it('one batch: a clientId repeated is stored once, a missing room stores nothing, turns are counted', async () => {
    const room = coupleRoomKey(1);
    const before = await repo.head(room);
    const [a, b, c] = await w1.appendAll([
      message(room, 'first', { clientId: 'batch-1' }),
      message(room, 'again', { clientId: 'batch-1' }),
      message(room, 'other', { clientId: 'batch-1' }),
    ]);
    assert.equal(a!.duplicate, false);
    assert.deepEqual([b!.duplicate, c!.duplicate], [true, true]);
    assert.deepEqual([b!.message.id, c!.message.id], [a!.message.id, a!.message.id]);
    assert.equal(b!.message.content, 'first');
    assert.equal(await repo.head(room), before + 1);
    const again = await w2.append(message(room, 'later', { clientId: 'batch-1' }));
    assert.equal(again.duplicate, true);
    assert.equal(again.message.id, a!.message.id);
    assert.equal(again.message.createdAt, a!.message.createdAt);

    await assert.rejects(w1.appendAll([message(room, 'spread'), message('couple:405' as RoomKey, 'spread')]), /no longer exists/);
    assert.equal(await repo.head(room), before + 1, 'nothing of a batch with a missing room is stored');

    const sessions = sources[0]!;
    await sessions.query(`INSERT INTO chat_couple_rooms (id, room_name, couple_id, creator_id) VALUES (77, 'r', 1, 'u1')`);
    const [{ id }] = (await sessions.query(`INSERT INTO chat_couple_sessions (room_id, topic) VALUES (77, 't') RETURNING id`)) as { id: string }[];
    const sessionId = Number(id);
    const counted = await w1.appendAll([message(room, 's1', { sessionId }), message(room, 's2', { sessionId }), message(room, 'sys', { sessionId, kind: 'system' })]);
    assert.deepEqual(
      counted.map((r) => r.turns),
      [{ turns: 2, turnsSinceCheck: 2, awaitingResponse: false }, { turns: 2, turnsSinceCheck: 2, awaitingResponse: false }, undefined],
    );
    assert.deepEqual(counted.map((r) => r.message.id), [before + 2, before + 3, before + 4]);
    await sessions.query('UPDATE chat_couple_sessions SET ended_at = now() WHERE id = $1', [sessionId]);
    const ended = await w1.append(message(room, 's3', { sessionId }));
    assert.equal(ended.turns, undefined, 'no counters once the session ended');
  });

  it('regression (docs/robustness.md): a NUL byte in one message of a group commit fails only that message; the other rooms\' messages are stored and acked', async () => {
    const rooms = [coupleRoomKey(1), coupleRoomKey(2), ptRoomKey(1)];
    const heads = await Promise.all(rooms.map((r) => repo.head(r)));
    // Sent in one turn, so the writer takes them into one statement.
    const writes = [
      w1.append(message(rooms[0]!, 'good before', { clientId: 'nul-a' })),
      w1.append(message(rooms[1]!, 'bad \u0000 byte', { clientId: 'nul-b' })),
      w1.append(message(rooms[2]!, 'good after', { clientId: 'nul-c' })),
      w1.appendAll([message(rooms[0]!, 'spread ok'), message(rooms[2]!, 'spread ok')]),
    ];
    const settled = await Promise.allSettled(writes);
    assert.equal(settled[1]!.status, 'rejected');
    assert.equal((settled[1] as PromiseRejectedResult).reason.code, 'VALIDATION_ERROR', 'a data error is a refusal, not "retry later"');
    for (const i of [0, 2, 3]) assert.equal(settled[i]!.status, 'fulfilled', `write ${i} stored`);
    assert.equal(await repo.head(rooms[0]!), heads[0]! + 2);
    assert.equal(await repo.head(rooms[1]!), heads[1]!, 'nothing of the bad message stored');
    assert.equal(await repo.head(rooms[2]!), heads[2]! + 2);
  });
});
