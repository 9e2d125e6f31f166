import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { renderGatewayConfig } from './render';
import { K8S_TOPOLOGY, TopologyError, parseNodeRoute, type GatewayTopology } from './topology';

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

  it('the per-pod DNS route builds a name only under the headless Service domain, from any path', () => {
    const conf = renderGatewayConfig(K8S_TOPOLOGY);
    const route = new RegExp(/location ~ "(\^\/inference\/[^"]+)"/.exec(conf)![1]!);
    const target = /map \$inference_node \$inference_upstream \{ default (\S+); \}/.exec(conf)![1]!;
    const domain = '.inference.squirret.svc.cluster.local:8082';
    const id = fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9.-]{1,70}$/), fc.constantFrom('inference-0', 'a.b', 'kubernetes.default.svc', '..', 'x:1'));
    fc.assert(
      fc.property(id, (s) => {
        const m = route.exec(`/inference/${s}/ws/123e4567-e89b-42d3-a456-426614174000`);
        if (!m) return;
        const host = target.replace('$inference_node', m.groups!.inference_node!);
        assert.ok(host.endsWith(domain) && !host.slice(0, -domain.length).includes('.'), host);
        assert.ok(!UNSAFE.test(host) && !host.includes('/'), host);
      }),
      { seed, numRuns },
    );
  });
});
