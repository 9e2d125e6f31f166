import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NODE_ID_DNS_LABEL, NODE_ID_PATTERN, validateTopology, type GatewayTopology } from './topology';

/** The repository's gateway template (this file lives in packages/gateway/dist). */
export const TEMPLATE_PATH = resolve(__dirname, '../../../infra/nginx/nginx.conf.template');
/** The committed config for docker-compose.yml, rendered from the template (a test checks for drift). */
export const COMPOSE_CONFIG_PATH = resolve(__dirname, '../../../infra/nginx/nginx.conf');
/**
 * The committed config for Kubernetes (per-pod DNS): the gateway Deployment's ConfigMap, generated
 * by infra/k8s/base/kustomization.yaml from this file (kustomize reads only inside its root).
 */
export const K8S_CONFIG_PATH = resolve(__dirname, '../../../infra/k8s/base/gateway/nginx.conf');

/** A pattern's body, for the route's capture group (no anchors). */
const regexBody = (re: RegExp): string => re.source.replace(/^\^/, '').replace(/\$$/, '');

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
    // a map looks ids up (an unknown one is a 404); a DNS name is built from one label only
    NODE_ID_REGEX: regexBody('nodes' in t.inference ? NODE_ID_PATTERN : NODE_ID_DNS_LABEL),
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
