import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateTopology, type GatewayTopology } from './topology';

/** The repository's gateway template (this file lives in packages/gateway/dist). */
export const TEMPLATE_PATH = resolve(__dirname, '../../../infra/nginx/nginx.conf.template');
/** The committed config for docker-compose.yml, rendered from the template (a test checks for drift). */
export const COMPOSE_CONFIG_PATH = resolve(__dirname, '../../../infra/nginx/nginx.conf');
/** The committed config for Kubernetes (per-pod DNS; a ConfigMap for the gateway Deployment). */
export const K8S_CONFIG_PATH = resolve(__dirname, '../../../infra/nginx/nginx.k8s.conf');

const servers = (list: readonly string[]): string => list.map((s) => `    server ${s};`).join('\n');

function inferenceBlock(t: GatewayTopology): string {
  if ('nodes' in t.inference) {
    const upstreams = t.inference.nodes.map((n, i) => `  upstream inference_node_${i} { server ${n.address}; keepalive 8; }  # ${n.id}`);
    const entries = t.inference.nodes.map((n, i) => `    ${n.id} inference_node_${i};`);
    return [
      ...upstreams,
      '  # node id -> its upstream; an unknown id gets 404 (the regex location checks the id shape first)',
      '  map $inference_node $inference_upstream {',
      ...entries,
      '    default "";',
      '  }',
    ].join('\n');
  }
  const { pattern, resolver, validSec = 5 } = t.inference.dns;
  return [
    '  # node id -> its own DNS name (one per pod), resolved per request; an unknown id fails to',
    '  # resolve and answers 503 DEPENDENCY_UNAVAILABLE',
    `  resolver ${resolver} valid=${validSec}s ipv6=off;`,
    '  resolver_timeout 2s;',
    `  map $inference_node $inference_upstream { default ${pattern.replace('{nodeId}', '$inference_node')}; }`,
  ].join('\n');
}

function tempPaths(dir: string | undefined): string {
  if (!dir) return '';
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${dir}/${k};`).join('\n') + '\n';
}

/** Renders the gateway's nginx config for a topology (throws TopologyError for an unsafe one). */
export function renderGatewayConfig(t: GatewayTopology, template: string = readFileSync(TEMPLATE_PATH, 'utf8')): string {
  validateTopology(t);
  const values: Record<string, string> = {
    WORKER_PROCESSES: String(t.workerProcesses ?? 'auto'),
    ACCESS_LOG: t.accessLog ?? '/dev/stdout noquery',
    TEMP_PATHS: tempPaths(t.tempDir),
    CONTROL_PLANE_SERVERS: servers(t.controlPlane),
    FSR_SERVERS: servers(t.fsr),
    CHAT_SERVERS: servers(t.chat),
    INFERENCE_NODES: inferenceBlock(t),
    LISTEN: t.listen,
  };
  const out = template.replace(/\{\{([A-Z_]+)\}\}\n?/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`gateway template: unknown placeholder ${name}`);
    // a placeholder alone on its line that renders empty leaves no blank line
    return whole.endsWith('\n') ? (v === '' ? '' : `${v.replace(/\n$/, '')}\n`) : v;
  });
  return `# GENERATED from infra/nginx/nginx.conf.template by packages/gateway: do not edit by hand.\n${out}`;
}
