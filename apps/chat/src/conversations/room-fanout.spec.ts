import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { StoredMessage } from '@squirret/contracts';
import { RoomFanout, type MessageSource, type RoomNotice, type RoomSubscriber } from './room-fanout';

const ROOM = 'couple:1';
const msg = (id: number, roomKey = ROOM): StoredMessage => ({
  roomKey,
  id,
  kind: 'chat',
  senderId: 'u',
  senderName: null,
  speaker: 'A',
  content: `m${id}`,
  sessionId: 1,
  clientId: null,
  event: null,
  createdAt: '2025-01-01T00:00:00.000Z',
});

/** The message log as storage holds it (a fake: the real one is tested against PostgreSQL). */
class FakeSource implements MessageSource {
  readonly log = new Map<string, StoredMessage[]>();
  reads = 0;
  failing = false;
  add(...ms: StoredMessage[]) {
    for (const m of ms) this.log.set(m.roomKey, [...(this.log.get(m.roomKey) ?? []), m]);
  }
  async head(roomKey: string) {
    if (this.failing) throw new Error('db down');
    return this.log.get(roomKey)?.at(-1)?.id ?? 0;
  }
  async range(roomKey: string, after: number, upTo: number, limit: number) {
    this.reads++;
    if (this.failing) throw new Error('db down');
    return (this.log.get(roomKey) ?? []).filter((m) => m.id > after && m.id <= upTo).slice(0, limit);
  }
}

class Sub implements RoomSubscriber {
  cursor = 0;
  readonly got: number[] = [];
  readonly notices: RoomNotice[] = [];
  aborted = '';
  constructor(readonly roomKey = ROOM) {}
  format = (m: StoredMessage) => JSON.stringify({ id: m.id });
  deliver(m: StoredMessage, wire: string) {
    assert.equal(wire, this.format(m));
    this.got.push(m.id);
  }
  notice(n: RoomNotice) {
    this.notices.push(n);
  }
  abort(reason: string) {
    this.aborted = reason;
  }
}

const settle = () => new Promise((r) => setImmediate(r));

describe('RoomFanout', () => {
  it('delivers in-order messages synchronously, once, and drops duplicates (local delivery + bus echo)', async () => {
    const src = new FakeSource();
    const f = new RoomFanout(src);
    const s = new Sub();
    await f.join(s, null);
    src.add(msg(1), msg(2));
    f.accept(msg(1));
    assert.deepEqual(s.got, [1], 'delivered without waiting');
    f.accept(msg(1));
    f.accept(msg(2));
    f.accept(msg(2));
    assert.deepEqual(s.got, [1, 2]);
    assert.equal(src.reads, 0);
  });

  it('fills a gap from storage when a later message arrives first (two instances committed 2 then 3)', async () => {
    const src = new FakeSource();
    const f = new RoomFanout(src);
    const s = new Sub();
    await f.join(s, null);
    src.add(msg(1), msg(2), msg(3));
    f.accept(msg(3));
    f.accept(msg(1));
    f.accept(msg(2));
    await settle();
    await settle();
    assert.deepEqual(s.got, [1, 2, 3]);
  });

  it('gives a resuming client what it missed after its last id, then live messages, each once and in order', async () => {
    const src = new FakeSource();
    src.add(...[1, 2, 3, 4, 5].map((i) => msg(i)));
    const f = new RoomFanout(src);
    const live = new Sub();
    await f.join(live, null);
    const back = new Sub();
    const joined = f.join(back, 2);
    // Live messages arriving while the backlog is read wait behind it.
    src.add(msg(6));
    f.accept(msg(6));
    f.accept(msg(5));
    await joined;
    await settle();
    assert.deepEqual(back.got, [3, 4, 5, 6]);
    assert.deepEqual(live.got, [6]);
  });

  it('a client that has seen more than this instance (its bus is behind) gets only what is newer', async () => {
    const src = new FakeSource();
    src.add(msg(1));
    const f = new RoomFanout(src);
    const s = new Sub();
    await f.join(s, 3);
    src.add(msg(2), msg(3), msg(4));
    f.accept(msg(4));
    await settle();
    await settle();
    assert.deepEqual(s.got, [4]);
  });

  it('keeps rooms apart, passes notices to the others, and forgets a room when its last subscriber leaves', async () => {
    const src = new FakeSource();
    const f = new RoomFanout(src);
    const a = new Sub();
    const b = new Sub();
    const other = new Sub('pt:9');
    await Promise.all([f.join(a, null), f.join(b, null), f.join(other, null)]);
    src.add(msg(1), msg(1, 'pt:9'));
    f.accept(msg(1, 'pt:9'));
    assert.deepEqual([a.got, other.got], [[], [1]]);
    f.notice({ roomKey: ROOM, event: 'join', userId: 'u', userName: null, at: 'now' }, a);
    assert.deepEqual([a.notices.length, b.notices.length], [0, 1]);
    assert.deepEqual(f.localRooms().sort(), [ROOM, 'pt:9']);
    f.leave(a);
    f.leave(b);
    assert.deepEqual(f.localRooms(), ['pt:9']);
    f.accept(msg(2));
    assert.deepEqual(a.got, []);
  });

  it('asks its clients to resume when a gap cannot be read, instead of skipping messages', async () => {
    const src = new FakeSource();
    const errors: string[] = [];
    const f = new RoomFanout(src, (room) => errors.push(room));
    const s = new Sub();
    await f.join(s, null);
    src.failing = true;
    f.accept(msg(2));
    await settle();
    await settle();
    assert.deepEqual(s.got, []);
    assert.match(s.aborted, /resume/);
    assert.deepEqual(errors, [ROOM]);
  });
});
