import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { renderGatewayConfig } from './render';
import { TopologyError, parseNodeRoute, type GatewayTopology } from './topology';

const seed = Number(process.env.FUZZ_SEED ?? 1307);
const numRuns = Math.max(1, Math.round(500 * Number(process.env.FUZZ_SCALE ?? 1)));
/** What could break out of an nginx directive or a map entry. */
const UNSAFE = /[\s;{}'"#$\\]/;

describe('gateway topology (fast-check)', () => {
  it('parseNodeRoute never throws, and what it accepts is free of nginx syntax and round-trips', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}=${b}`), fc.constantFrom('a=b:1', 'n-1=10.0.0.1:8082')), (s) => {
        const r = parseNodeRoute(s);
        if (r === undefined) return;
        assert.ok(!UNSAFE.test(r.id) && !UNSAFE.test(r.address), s);
        assert.equal(`${r.id}=${r.address}`, s);
      }),
      { seed, numRuns },
    );
  });

  it('rendering any topology either refuses it or writes every value as one safe token', () => {
    const addr = fc.oneof(fc.string(), fc.constantFrom('127.0.0.1:1', 'svc:8080', '[::1]:9'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), addr), { maxLength: 4 }), addr, (nodes, cp) => {
        const t: GatewayTopology = { listen: '8080', controlPlane: [cp], fsr: ['f:1'], chat: ['c:1'], inference: { nodes: nodes.map(([id, address]) => ({ id, address })) } };
        let conf: string;
        try {
          conf = renderGatewayConfig(t);
        } catch (e) {
          assert.ok(e instanceof TopologyError, String(e));
          return;
        }
        assert.ok(!UNSAFE.test(cp));
        for (const [id, address] of nodes) {
          assert.ok(!UNSAFE.test(id) && !UNSAFE.test(address));
          assert.ok(conf.includes(`    ${id} inference_node_`));
        }
      }),
      { seed, numRuns },
    );
  });
});
