import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CLOSE_CODES } from '@squirret/contracts';
import { WebSocket, WebSocketServer } from 'ws';
import { closeReason, closeSocket, containSocketFault, guardedTimer, MAX_CLOSE_REASON_BYTES } from './close';

describe('closeReason', () => {
  it('keeps a reason that fits', () => {
    assert.equal(closeReason('token expired'), 'token expired');
    assert.equal(closeReason(''), '');
  });

  it('cuts 40+ Hangul characters to 123 UTF-8 bytes on a character boundary (the STOMP crash)', () => {
    const reason = `unknown destination /topic/${'가'.repeat(40)}`;
    assert.ok(Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES);
    const cut = closeReason(reason);
    assert.ok(Buffer.byteLength(cut) <= MAX_CLOSE_REASON_BYTES);
    assert.ok(reason.startsWith(cut));
    assert.ok(Buffer.byteLength(cut) > MAX_CLOSE_REASON_BYTES - 3, 'no more than one character is lost at the end');
    assert.ok(!cut.includes('\uFFFD'));
  });

  it('never splits a surrogate pair (emoji are 4 bytes and two UTF-16 units)', () => {
    const cut = closeReason('😀'.repeat(40));
    assert.equal(cut, '😀'.repeat(30)); // 120 bytes; a 31st would make 124
  });
});

describe('closeSocket and containSocketFault over a real socket', () => {
  let wss: WebSocketServer;
  let port = 0;
  const faults: string[] = [];
  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    port = (wss.address() as AddressInfo).port;
    wss.on('connection', (ws) => {
      ws.on('message', (data) =>
        containSocketFault(ws, 'message', (err, where) => faults.push(`${where}: ${(err as Error).message}`), () => {
          const text = String(data);
          if (text === 'throw') throw new Error('boom');
          if (text === 'reject') return Promise.reject(new Error('async boom'));
          if (text === 'long') return closeSocket(ws, CLOSE_CODES.POLICY_VIOLATION, `destination ${'가'.repeat(60)}`);
          if (text === 'badcode') return closeSocket(ws, 1005, 'reserved code');
          ws.send(`echo ${text}`);
        }),
      );
    });
  });
  after(() => new Promise<void>((r) => wss.close(() => r())));

  const closeOf = (msg: string): Promise<{ code: number; reason: string }> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      ws.once('open', () => ws.send(msg));
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.once('error', reject);
    });

  it('a reason too long for a close frame is cut, not thrown', async () => {
    const { code, reason } = await closeOf('long');
    assert.equal(code, CLOSE_CODES.POLICY_VIOLATION);
    assert.ok(Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES && reason.startsWith('destination 가'));
  });

  it('a code ws refuses becomes 1011', async () => {
    assert.equal((await closeOf('badcode')).code, CLOSE_CODES.INTERNAL_ERROR);
  });

  it('a throwing or rejecting handler closes that socket with 1011 and is reported; the server keeps serving', async () => {
    assert.deepEqual(await closeOf('throw'), { code: CLOSE_CODES.INTERNAL_ERROR, reason: 'internal error' });
    assert.deepEqual(await closeOf('reject'), { code: CLOSE_CODES.INTERNAL_ERROR, reason: 'internal error' });
    assert.deepEqual(faults, ['message: boom', 'message: async boom']);
    const echo = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      ws.once('open', () => ws.send('hi'));
      ws.once('message', (d) => (resolve(String(d)), ws.close()));
      ws.once('error', reject);
    });
    assert.equal(echo, 'echo hi');
  });
});

describe('guardedTimer', () => {
  it('reports a throwing callback instead of letting it escape', () => {
    const seen: string[] = [];
    guardedTimer('tick', (err, where) => seen.push(`${where}: ${(err as Error).message}`), () => {
      throw new Error('tick failed');
    })();
    assert.deepEqual(seen, ['tick: tick failed']);
  });
});
