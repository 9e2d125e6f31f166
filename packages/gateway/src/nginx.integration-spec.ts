import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { decode, encode, type Answer } from 'dns-packet';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NGINX_BIN, freePort, startGateway } from './nginx-process';
import { renderGatewayConfig } from './render';
import type { GatewayTopology } from './topology';

const ERROR_KEYS = ['code', 'error', 'message', 'path', 'status', 'timestamp'];

/** A loopback HTTP server that answers with its own name and the path it saw. */
async function named(name: string, host = '127.0.0.1', port = 0): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ name, url: req.url }));
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  return { server, address: `${host}:${(server.address() as { port: number }).port}` };
}

/**
 * A loopback DNS server standing in for kube-dns: A records for the names given (a headless
 * Service's per-pod names), NXDOMAIN for any other; it records every name asked.
 */
async function fakeKubeDns(records: Record<string, string>): Promise<{ socket: Socket; address: string; asked: string[] }> {
  const socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const q = decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    asked.push(question.name);
    const ip = question.type === 'A' ? records[question.name.toLowerCase()] : undefined;
    const answers: Answer[] = ip ? [{ type: 'A', name: question.name, ttl: 5, data: ip }] : [];
    // a name that exists but has no AAAA answers NOERROR with nothing; an unknown one NXDOMAIN
    const rcode = ip || records[question.name.toLowerCase()] ? 'NOERROR' : 'NXDOMAIN';
    const reply = encode({ id: q.id, type: 'response', flags: 0x8000 | 0x0400 | 0x0100, rcode, questions: q.questions, answers } as Parameters<typeof encode>[0]);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, address: `127.0.0.1:${socket.address().port}`, asked };
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

  it('per-pod DNS (the Kubernetes mode): resolves <pod>.<headless service> per request and routes to that pod; an unknown pod is 503 in the seed body; a name that is not one label never reaches the resolver', async () => {
    // two "pods" on the same port at their own loopback addresses, as pods share a container port
    const pod0 = await named('inference-0', '127.0.0.2');
    const port = Number(pod0.address.split(':')[1]);
    const pod1 = await named('inference-1', '127.0.0.3', port);
    const cp = await named('cp');
    servers.push(pod0.server, pod1.server, cp.server);
    const domain = 'inference.squirret.svc.cluster.local';
    const dns = await fakeKubeDns({ [`inference-0.${domain}`]: '127.0.0.2', [`inference-1.${domain}`]: '127.0.0.3' });
    const gw = await startGateway({
      controlPlane: [cp.address],
      fsr: [cp.address],
      chat: [cp.address],
      inference: { dns: { pattern: `{nodeId}.${domain}:${port}`, resolver: dns.address, validSec: 1 } },
    });
    try {
      const sid = '3f1c2a8e-0000-4000-8000-000000000002';
      const get = async (path: string) => {
        const r = await fetch(`${gw.baseUrl}${path}`);
        return { status: r.status, json: (await r.json()) as Record<string, unknown> };
      };
      assert.deepEqual((await get(`/inference/inference-0/ws/${sid}?token=t0k`)).json, { name: 'inference-0', url: `/ws/${sid}?token=t0k` });
      assert.deepEqual((await get(`/inference/inference-1/ws/${sid}`)).json, { name: 'inference-1', url: `/ws/${sid}` });
      assert.deepEqual((await get('/inference/inference-1/health/ready')).json, { name: 'inference-1', url: '/health/ready' });
      const gone = await get(`/inference/inference-7/ws/${sid}`);
      assert.deepEqual([gone.status, gone.json.code], [503, 'DEPENDENCY_UNAVAILABLE']);
      assert.deepEqual(Object.keys(gone.json).sort(), ERROR_KEYS);
      // not a DNS label: the inference route does not match, the control plane's catch-all answers
      assert.deepEqual((await get(`/inference/evil.example.com/ws/${sid}`)).json, { name: 'cp', url: `/inference/evil.example.com/ws/${sid}` });
      const health = await fetch(`${gw.baseUrl}/gateway/health`);
      assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
      assert.ok(dns.asked.includes(`inference-0.${domain}`) && dns.asked.includes(`inference-7.${domain}`), dns.asked.join(' '));
      assert.ok(dns.asked.every((n) => n.endsWith(`.${domain}`) && !n.includes('evil')), `only per-pod names were resolved: ${dns.asked.join(' ')}`);
    } finally {
      await gw.stop();
      dns.socket.close();
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
