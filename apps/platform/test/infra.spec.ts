import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '@squirret/testing';

const APPS = ['control-plane', 'inference', 'fsr', 'chat'] as const;

/** No Docker engine runs here: the infra files are kept correct by these parse checks and review. */
describe('infra files', () => {
  it('docker-compose.yml parses and has postgres, redis, the four apps and the gateway', () => {
    const doc = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { build?: { dockerfile: string }; environment?: Record<string, string> }> };
    assert.deepEqual(Object.keys(doc.services).sort(), ['chat', 'control-plane', 'fsr', 'gateway', 'grafana', 'inference-1', 'inference-2', 'postgres', 'prometheus', 'redis']);
    for (const app of APPS) {
      const svc = doc.services[app === 'inference' ? 'inference-1' : app]!;
      assert.equal(svc.build?.dockerfile, `apps/${app}/Dockerfile`);
      assert.ok(existsSync(join(REPO_ROOT, svc.build.dockerfile)), `${app} Dockerfile exists`);
      assert.match(String(svc.environment?.REDIS_URL), /^redis:\/\//);
      assert.match(String(svc.environment?.SESSION_TOKEN_SECRET), /^\$\{/, 'secrets come from the environment');
    }
  });

  it('each Dockerfile is multi-stage, runs as a non-root user and starts its own app', () => {
    for (const app of [...APPS, 'platform']) {
      const text = readFileSync(join(REPO_ROOT, 'apps', app, 'Dockerfile'), 'utf8');
      assert.ok((text.match(/^FROM /gm) ?? []).length >= 2, `${app}: multi-stage`);
      assert.match(text, /^USER node$/m, `${app}: non-root`);
      assert.ok(text.includes(`apps/${app}/dist/src/main.js`), `${app}: starts its main`);
    }
  });

  it('the gateway routes every seed path with WebSocket upgrade', () => {
    const conf = readFileSync(join(REPO_ROOT, 'infra/nginx/nginx.conf'), 'utf8');
    assert.match(conf, /proxy_set_header Upgrade \$http_upgrade/);
    assert.match(conf, /proxy_set_header Connection \$connection_upgrade/);
    const routes: [string, string][] = [
      ['= /internal/session', 'control_plane'],
      ['= /auth/upgrade', 'control_plane'],
      ['/api/session', 'control_plane'],
      ['/internal/', 'control_plane'],
      ['/health/', 'control_plane'],
      ['/api/fsr_data', 'fsr'],
      ['= /ws/fsr-data', 'fsr'],
      ['= /ws', 'chat'],
      ['/api/rooms', 'chat'],
      ['/api/sessions/ws/', 'chat'],
      ['/distributor/', 'chat'],
    ];
    for (const [loc, upstream] of routes) {
      assert.ok(conf.includes(`location ${loc} { proxy_pass http://${upstream}; }`), `${loc} -> ${upstream}`);
    }
    assert.ok(conf.includes('proxy_pass http://$inference_upstream$inference_path$is_args$args;'), 'inference by node id');
    const formats = conf.match(/log_format[^;]+;/g) ?? [];
    assert.doesNotMatch(formats.join(''), /\$request_uri|\$args|\$request\b/, 'query strings (tokens) are never logged');
  });

  it("each compose inference node announces its own base and the gateway's node map routes that id to that service", () => {
    const doc = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    const conf = readFileSync(join(REPO_ROOT, 'infra/nginx/nginx.conf'), 'utf8');
    const nodes = Object.entries(doc.services).filter(([name]) => name.startsWith('inference-'));
    assert.equal(nodes.length, 2);
    const bases = new Set<string>();
    for (const [name, svc] of nodes) {
      const id = svc.environment?.INFERENCE_NODE_ID;
      assert.equal(id, name, 'INFERENCE_NODE_ID is the service name');
      assert.match(String(svc.environment?.PUBLIC_WS_BASE), /\/inference\/\{nodeId\}$/);
      bases.add(String(svc.environment?.PUBLIC_WS_BASE).replace('{nodeId}', id));
      const upstream = new RegExp(`upstream (inference_node_\\d+) \\{ server ${name}:${svc.environment?.PORT}; keepalive \\d+; \\}`).exec(conf);
      assert.ok(upstream, `${name} has an upstream`);
      assert.ok(conf.includes(`    ${id} ${upstream[1]};`), `${id} maps to ${upstream[1]}`);
    }
    assert.equal(bases.size, 2, 'every node has its own public base');
  });
});
