import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { AppError, AppToServerMessageSchema, CLOSE_CODES, CoupleClientMessageSchema, DistributorClientMessageSchema } from '@squirret/contracts';
import { realtimeSocketFor } from '@squirret/server-kit';
import type { SpringIdentity } from '../spring-auth/spring-identity';
import { ChatSocket, type ChatSocketHandler } from './chat-socket';

/** A WebSocket stand-in: records what is sent and how it was closed. */
class FakeWs extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Record<string, unknown>[] = [];
  closed: number | undefined;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code: number): void {
    this.closed = code;
    this.readyState = 3;
  }
  terminate(): void {}
  frame(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
}

const identity = { userId: 'u1' } as SpringIdentity;
const open = (handler: ChatSocketHandler, maxQueued = 4) => {
  const ws = new FakeWs();
  const socket = new ChatSocket(realtimeSocketFor(ws, undefined), identity, 'couple:1', 'couple' as never, handler, { maxQueued, maxConsecutiveErrors: 10 }, Promise.resolve());
  return { ws, socket };
};
const settle = () => new Promise((r) => setImmediate(r));

describe('ChatSocket refusals (docs/robustness.md)', () => {
  it('regression: a full queue answers RATE_LIMITED with the clientId, and rate limiting never closes with 4009', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handled: string[] = [];
    const { ws } = open({
      handle: async (_s, m) => {
        await gate;
        handled.push((m as { clientId: string }).clientId);
      },
      renderNotice: () => undefined,
      closed: () => undefined,
    });
    for (let i = 0; i < 30; i++) ws.frame({ content: 'x', clientId: `c${i}` });
    await settle();
    const refusals = ws.sent.filter((m) => m.type === 'error');
    assert.equal(refusals.length, 26, 'everything past the 4 queued is refused');
    assert.ok(refusals.every((m) => m.code === 'RATE_LIMITED' && typeof m.clientId === 'string'), JSON.stringify(refusals[0]));
    assert.deepEqual(refusals.map((m) => m.clientId), Array.from({ length: 26 }, (_, i) => `c${i + 4}`));
    assert.equal(ws.closed, undefined, 'not closed for being fast');
    release();
    await gate;
    await settle();
    assert.deepEqual(handled, ['c0', 'c1', 'c2', 'c3']);
  });

  it('RATE_LIMITED from the limiter carries the clientId and does not count; ten invalid messages in a row close 4009', async () => {
    const { ws } = open(
      {
        handle: async (_s, m) => {
          const msg = m as { clientId: string; bad?: boolean };
          if (msg.bad) throw new AppError('VALIDATION_ERROR', 'content must not contain NUL (U+0000)');
          throw new AppError('RATE_LIMITED', 'slow down', { 'Retry-After': '2' });
        },
        renderNotice: () => undefined,
        closed: () => undefined,
      },
      100,
    );
    for (let i = 0; i < 40; i++) ws.frame({ content: 'x', clientId: `r${i}` });
    for (let i = 0; i < 9; i++) ws.frame({ content: 'bad\u0000', clientId: `b${i}`, bad: true });
    await settle();
    await settle();
    assert.equal(ws.closed, undefined, '40 rate-limited and 9 invalid messages do not close');
    const limited = ws.sent.filter((m) => m.code === 'RATE_LIMITED');
    assert.equal(limited.length, 40);
    assert.ok(limited.every((m, i) => m.clientId === `r${i}` && m.retry_after === 2));
    ws.frame({ content: 'bad\u0000', clientId: 'b9', bad: true });
    await settle();
    await settle();
    assert.equal(ws.closed, CLOSE_CODES.TOO_MANY_ERRORS);
    assert.equal(ws.sent.filter((m) => m.code === 'VALIDATION_ERROR' && typeof m.clientId === 'string').length, 10);
  });

  it('regression: a NUL byte in content, clientId or a CLIENT_EVENT name is refused by the contract, before the store', () => {
    assert.equal(CoupleClientMessageSchema.safeParse({ type: 'message', content: 'a\u0000b', clientId: 'c1' }).success, false);
    assert.equal(CoupleClientMessageSchema.safeParse({ type: 'message', content: 'ab', clientId: 'c\u0000' }).success, false);
    assert.equal(DistributorClientMessageSchema.safeParse({ type: 'chat', content: '\u0000' }).success, false);
    assert.equal(AppToServerMessageSchema.safeParse({ type: 'CLIENT_EVENT', payload: { name: 'x\u0000' } }).success, false);
    assert.equal(CoupleClientMessageSchema.safeParse({ type: 'message', content: '안녕 \u0001', clientId: 'c1' }).success, true);
  });
});
