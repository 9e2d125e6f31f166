import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  heartbeatHeader,
  negotiateHeartbeat,
  negotiateVersion,
  selectSubprotocol,
  type HeartbeatSettings,
  type StompVersion,
} from './negotiate';

describe('negotiateVersion', () => {
  const table: [string | undefined, StompVersion | null][] = [
    ['1.2,1.1,1.0', '1.2'], // stompjs
    ['1.1,1.2', '1.2'], // StompClientLib
    ['1.2', '1.2'],
    ['1.1', '1.1'],
    ['1.0', '1.0'],
    ['1.0,1.1', '1.1'],
    [' 1.1 , 1.0 ', '1.1'],
    ['1.3,1.2', '1.2'],
    [undefined, '1.0'], // missing header: a 1.0 client
    ['2.0', null],
    ['1.3,2.0', null],
    ['', null],
    ['1.2.0', null],
    ['v12.stomp', null],
  ];
  for (const [offered, expected] of table) {
    it(`${JSON.stringify(offered)} -> ${expected ?? 'error'}`, () => {
      const result = negotiateVersion(offered);
      if (expected === null) {
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.error, /1\.2,1\.1,1\.0/);
      } else {
        assert.deepEqual(result, { ok: true, value: expected });
      }
    });
  }
});

describe('negotiateHeartbeat', () => {
  const server = (canSend: number, wantReceive: number): HeartbeatSettings => ({ canSend, wantReceive });
  // [client header, server sx/sy, sendEveryMs, expectEveryMs]
  const table: [string | undefined, HeartbeatSettings, number, number][] = [
    ['10000,10000', server(10_000, 10_000), 10_000, 10_000], // stompjs default
    [undefined, server(10_000, 10_000), 0, 0], // StompClientLib sends no heart-beat header
    ['0,0', server(10_000, 10_000), 0, 0],
    ['10000,10000', server(0, 0), 0, 0],
    ['10000,10000', server(0, 20_000), 0, 20_000],
    ['10000,10000', server(5_000, 0), 10_000, 0],
    ['0,5000', server(1_000, 30_000), 5_000, 0], // client sends nothing; wants ours every 5 s
    ['5000,0', server(1_000, 30_000), 0, 30_000], // client can send every 5 s; we want every 30 s
    ['1000,60000', server(20_000, 4_000), 60_000, 4_000],
    ['4000,4000', server(20_000, 2_000), 20_000, 4_000],
    [' 10000 , 10000 ', server(10_000, 10_000), 10_000, 10_000],
    ['99999999999,1', server(1, 1), 1, 2_147_483_647], // clamped: a timer cannot go past 2^31-1 ms
    ['1,99999999999999999999999', server(1, 1), 2_147_483_647, 1],
  ];
  for (const [client, s, send, expect] of table) {
    it(`client ${JSON.stringify(client)} x server ${s.canSend},${s.wantReceive} -> send ${send}, expect ${expect}`, () => {
      assert.deepEqual(negotiateHeartbeat(client, s), { ok: true, value: { sendEveryMs: send, expectEveryMs: expect } });
    });
  }

  for (const bad of ['', 'abc', '10000', '10000,', ',10000', '1,2,3', '-1,5', '1.5,2', '10000;10000', '0x10,1']) {
    it(`refuses the malformed header ${JSON.stringify(bad)}`, () => {
      const result = negotiateHeartbeat(bad, server(1, 1));
      assert.equal(result.ok, false);
    });
  }

  it('agrees with what a client computes from the CONNECTED header we send', () => {
    // The client computes: it sends every max(cx, sy) and expects every max(sx, cy), 0 if either is 0.
    const clientSide = (cx: number, cy: number, hdr: string) => {
      const [sx = 0, sy = 0] = hdr.split(',').map(Number);
      const pair = (a: number, b: number) => (a === 0 || b === 0 ? 0 : Math.max(a, b));
      return { clientSends: pair(cx, sy), clientExpects: pair(sx, cy) };
    };
    for (const [cx, cy] of [[0, 0], [10_000, 10_000], [5_000, 0], [0, 5_000], [1_000, 60_000]] as const) {
      for (const s of [server(0, 0), server(10_000, 10_000), server(20_000, 4_000)]) {
        const result = negotiateHeartbeat(`${cx},${cy}`, s);
        assert.ok(result.ok);
        const view = clientSide(cx, cy, heartbeatHeader(result.value));
        assert.equal(view.clientSends, result.value.expectEveryMs, `cx=${cx} cy=${cy}`);
        assert.equal(view.clientExpects, result.value.sendEveryMs, `cx=${cx} cy=${cy}`);
      }
    }
  });
});

describe('selectSubprotocol', () => {
  const table: [string[], string | undefined][] = [
    [['v12.stomp', 'v11.stomp', 'v10.stomp'], 'v12.stomp'], // stompjs
    [[], undefined], // StompClientLib asks for none and must get none
    [['v10.stomp', 'v11.stomp'], 'v11.stomp'],
    [['v11.stomp'], 'v11.stomp'],
    [['v10.stomp'], 'v10.stomp'],
    [['mqtt'], undefined],
    [['mqtt', 'v10.stomp'], 'v10.stomp'],
    [['v12.stomp, v11.stomp'], 'v12.stomp'], // a raw comma-joined header value
    [[' v11.stomp '], 'v11.stomp'],
    [['V12.STOMP'], undefined], // subprotocol tokens are case-sensitive
    [['stomp'], undefined],
  ];
  for (const [requested, expected] of table) {
    it(`${JSON.stringify(requested)} -> ${expected ?? 'none'}`, () => {
      assert.equal(selectSubprotocol(requested), expected);
    });
  }

  it('accepts the Set that ws hands to handleProtocols', () => {
    assert.equal(selectSubprotocol(new Set(['v10.stomp', 'v12.stomp'])), 'v12.stomp');
    assert.equal(selectSubprotocol(new Set<string>()), undefined);
  });
});
