import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NGINX_BIN, freePort, startGateway } from './nginx-process';
import { renderGatewayConfig } from './render';
import type { GatewayTopology } from './topology';

const ERROR_KEYS = ['code', 'error', 'message', 'path', 'status', 'timestamp'];

/** A loopback HTTP server that answers with its own name and the path it saw. */
async function named(name: string): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ name, url: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe("the gateway template in Debian's nginx", () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('nginx -t accepts the template rendered with a node map and with a per-pod DNS pattern', () => {
    const dir = mkdtempSync(join(tmpdir(), 'squirret-gw-t-'));
    try {
      const common = { listen: '127.0.0.1:1', controlPlane: ['127.0.0.1:2'], fsr: ['127.0.0.1:3'], chat: ['127.0.0.1:4'], accessLog: 'off', tempDir: dir, workerProcesses: 1 } as const;
      const topologies: GatewayTopology[] = [
        { ...common, inference: { nodes: [{ id: 'inference-0', address: '127.0.0.1:5' }, { id: 'inference-1', address: '[::1]:6' }] } },
        { ...common, inference: { dns: { pattern: '{nodeId}.inference.squirret.svc.cluster.local:8082', resolver: '127.0.0.1' } } },
      ];
      for (const t of topologies) {
        writeFileSync(join(dir, 'nginx.conf'), renderGatewayConfig(t));
        const r = spawnSync(NGINX_BIN, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', `pid ${dir}/pid;`], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routes /inference/<nodeId>/ to that node (seed path /ws/<id>, query kept), 404 for an unknown node, 503 in the seed body for a dead one, and picks up a node on reload', async () => {
    const [cp, a, b] = [await named('cp'), await named('node-a'), await named('node-b')];
    servers.push(cp.server, a.server, b.server);
    const dead = `127.0.0.1:${await freePort()}`;
    const topology = { controlPlane: [cp.address], fsr: [cp.address], chat: [cp.address], inference: { nodes: [{ id: 'node-a', address: a.address }, { id: 'node-d', address: dead }] } };
    const gw = await startGateway(topology);
    try {
      const sid = '3f1c2a8e-0000-4000-8000-000000000001';
      const get = async (path: string) => {
        const r = await fetch(`${gw.baseUrl}${path}`);
        return { status: r.status, retryAfter: r.headers.get('retry-after'), json: (await r.json()) as Record<string, unknown> };
      };
      assert.deepEqual((await get(`/inference/node-a/ws/${sid}?token=t0k`)).json, { name: 'node-a', url: `/ws/${sid}?token=t0k` });
      assert.deepEqual((await get('/inference/node-a/health/ready')).json, { name: 'node-a', url: '/health/ready' });
      assert.deepEqual((await get('/health/live')).json, { name: 'cp', url: '/health/live' });
      const unknown = await get(`/inference/node-b/ws/${sid}`);
      assert.equal(unknown.status, 404);
      assert.deepEqual(Object.keys(unknown.json).sort(), ERROR_KEYS);
      assert.equal(unknown.json.code, 'ROUTE_NOT_FOUND');
      const down = await get(`/inference/node-d/ws/${sid}?token=secret-canary`);
      assert.deepEqual([down.status, down.retryAfter, down.json.code], [503, '1', 'DEPENDENCY_UNAVAILABLE']);
      assert.deepEqual(Object.keys(down.json).sort(), ERROR_KEYS);
      await gw.reload({ ...topology, inference: { nodes: [...topology.inference.nodes, { id: 'node-b', address: b.address }] } });
      assert.deepEqual((await get(`/inference/node-b/ws/${sid}`)).json, { name: 'node-b', url: `/ws/${sid}` });
      assert.ok(!gw.output().includes('secret-canary'), 'no token in any nginx log');
      assert.match(gw.output(), /"GET \/inference\/node-d\/ws\/[0-9a-f-]+" 503/);
    } finally {
      await gw.stop();
    }
  });
});
