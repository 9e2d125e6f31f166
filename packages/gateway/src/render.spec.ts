import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMPOSE_CONFIG_PATH, K8S_CONFIG_PATH, renderGatewayConfig } from './render';
import { COMPOSE_TOPOLOGY, K8S_TOPOLOGY, TopologyError, parseNodeRoute, type GatewayTopology } from './topology';

const base: GatewayTopology = {
  listen: '127.0.0.1:8080',
  controlPlane: ['127.0.0.1:8081', '127.0.0.1:9081'],
  fsr: ['127.0.0.1:8083'],
  chat: ['127.0.0.1:8084'],
  inference: { nodes: [{ id: 'node-a', address: '127.0.0.1:8082' }, { id: 'node-b', address: '[::1]:9082' }] },
};

describe('gateway config rendering', () => {
  it('the committed infra/nginx/nginx.conf is the template rendered for docker-compose (npm run render -w packages/gateway)', () => {
    assert.equal(readFileSync(COMPOSE_CONFIG_PATH, 'utf8'), renderGatewayConfig(COMPOSE_TOPOLOGY));
  });

  it('the committed infra/nginx/nginx.k8s.conf is the template rendered for Kubernetes (per-pod DNS)', () => {
    const conf = readFileSync(K8S_CONFIG_PATH, 'utf8');
    assert.equal(conf, renderGatewayConfig(K8S_TOPOLOGY));
    assert.match(conf, /default \$inference_node\.inference\.squirret\.svc\.cluster\.local:8082;/);
  });

  it('maps each node id to its own upstream, and lists every replica of a service', () => {
    const conf = renderGatewayConfig(base);
    assert.match(conf, /upstream inference_node_0 \{ server 127\.0\.0\.1:8082; keepalive 8; \}/);
    assert.match(conf, /upstream inference_node_1 \{ server \[::1\]:9082; keepalive 8; \}/);
    assert.match(conf, /node-a inference_node_0;\n\s+node-b inference_node_1;\n\s+default "";/);
    assert.match(conf, /upstream control_plane \{\n\s+server 127\.0\.0\.1:8081;\n\s+server 127\.0\.0\.1:9081;/);
    assert.match(conf, /listen 127\.0\.0\.1:8080;/);
    assert.doesNotMatch(conf, /\{\{/, 'no placeholder left');
  });

  it('a DNS pattern routes any node id to its own name (Kubernetes StatefulSet pods)', () => {
    const conf = renderGatewayConfig({ ...base, inference: { dns: { pattern: '{nodeId}.inference.squirret.svc.cluster.local:8082', resolver: 'kube-dns.kube-system.svc.cluster.local' } } });
    assert.match(conf, /resolver kube-dns\.kube-system\.svc\.cluster\.local valid=5s ipv6=off;/);
    assert.match(conf, /default \$inference_node\.inference\.squirret\.svc\.cluster\.local:8082;/);
  });

  it('never logs query strings (tokens travel in them) and proxies health instead of answering it', () => {
    const conf = renderGatewayConfig(base);
    const formats = conf.match(/log_format[^;]+;/g) ?? [];
    assert.equal(formats.length, 1);
    assert.doesNotMatch(formats[0]!, /\$request_uri|\$args|\$request\b|\$query_string/);
    assert.match(conf, /error_log stderr crit;/);
    assert.match(conf, /location \/health\/ \{ proxy_pass http:\/\/control_plane; \}/);
    assert.doesNotMatch(conf, /location = \/health\/live \{ return/);
  });

  it('refuses values that would inject nginx syntax, listing every problem', () => {
    const bad: GatewayTopology = {
      ...base,
      listen: '80; include /etc/passwd',
      chat: [],
      inference: { nodes: [{ id: 'a;b', address: '127.0.0.1:1' }, { id: 'c', address: 'x:70000' }, { id: 'c', address: 'y:1' }] },
    };
    assert.throws(() => renderGatewayConfig(bad), (e: unknown) => e instanceof TopologyError && e.problems.length === 5);
    assert.throws(() => renderGatewayConfig({ ...base, inference: { dns: { pattern: 'inference:8082', resolver: '10.0.0.10' } } }), TopologyError);
    assert.throws(() => renderGatewayConfig({ ...base, inference: { dns: { pattern: '{nodeId}.x:1', resolver: '10.0.0.10; x' } } }), TopologyError);
  });

  it('parses --node ID=HOST:PORT', () => {
    assert.deepEqual(parseNodeRoute('inference-1=inference-1:8082'), { id: 'inference-1', address: 'inference-1:8082' });
    assert.deepEqual(parseNodeRoute('n=[::1]:80'), { id: 'n', address: '[::1]:80' });
    for (const s of ['', '=a:1', 'a=', 'a=b', 'a=b:0', 'a=b:65536', 'a b=c:1', 'a=b:1;', 'a=b c:1']) assert.equal(parseNodeRoute(s), undefined, s);
  });
});
