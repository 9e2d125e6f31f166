/** What the gateway routes to: each service's servers, and how an inference node id becomes an address. */
export interface GatewayTopology {
  /** `listen` argument: a port (`8080`) or `address:port`. */
  readonly listen: string;
  readonly controlPlane: readonly string[];
  readonly fsr: readonly string[];
  readonly chat: readonly string[];
  readonly inference: InferenceRouting;
  /** nginx worker processes (`auto` by default). */
  readonly workerProcesses?: number | 'auto';
  /** Access log target (`/dev/stdout noquery` by default; `off` for benchmarks). */
  readonly accessLog?: string;
  /** A directory for nginx's temp files (a private prefix when nginx runs for a test). */
  readonly tempDir?: string;
}

/**
 * How `/inference/<nodeId>/…` finds its node: a static map (compose, tests: one entry per node,
 * re-rendered and `nginx -s reload`ed when nodes change), or a DNS pattern resolved per request
 * (Kubernetes: a StatefulSet's pods behind a headless Service, `{nodeId}.inference.<ns>.svc.cluster.local`,
 * NODE_ID = pod name; nodes come and go without touching the gateway).
 */
export type InferenceRouting =
  | { readonly nodes: readonly InferenceNodeRoute[] }
  | { readonly dns: { readonly pattern: string; readonly resolver: string; readonly validSec?: number } };

/** One data-plane node: the id it announces (NODE_ID) and where the gateway reaches it. */
export interface InferenceNodeRoute {
  readonly id: string;
  readonly address: string;
}

/** NODE_ID's rule (apps/inference config): what the gateway's route accepts. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])';
const PORT = '(?:[1-9][0-9]{0,4})';
/** `host:port` (a name, an IPv4 address or a bracketed IPv6 address). */
export const ADDRESS_PATTERN = new RegExp(`^${HOST}:${PORT}$`);
const LISTEN_PATTERN = new RegExp(`^(?:${HOST}:)?${PORT}$`);
/** A DNS pattern: a host with `{nodeId}` in it, then `:port`. */
const DNS_PATTERN = new RegExp(`^(?=[^{}]*\\{nodeId\\}[^{}]*$)(?:\\{nodeId\\}|[A-Za-z0-9.-])+:${PORT}$`);
const RESOLVER_PATTERN = new RegExp(`^${HOST}(?::${PORT})?$`);

/** Thrown for a topology that cannot be rendered safely (every problem listed). */
export class TopologyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid gateway topology:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TopologyError';
  }
}

const validPort = (s: string): boolean => Number(/(\d+)$/.exec(s)?.[1] ?? 0) <= 65_535;

/** Checks every value that goes into the nginx file (nothing is quoted there: only safe shapes pass). */
export function validateTopology(t: GatewayTopology): void {
  const problems: string[] = [];
  if (!LISTEN_PATTERN.test(t.listen) || !validPort(t.listen)) problems.push(`listen: "${t.listen}" is not a port or address:port`);
  for (const [name, servers] of [['controlPlane', t.controlPlane], ['fsr', t.fsr], ['chat', t.chat]] as const) {
    if (servers.length === 0) problems.push(`${name}: no server`);
    for (const s of servers) if (!ADDRESS_PATTERN.test(s) || !validPort(s)) problems.push(`${name}: "${s}" is not host:port`);
  }
  if ('nodes' in t.inference) {
    const seen = new Set<string>();
    for (const n of t.inference.nodes) {
      if (!NODE_ID_PATTERN.test(n.id)) problems.push(`inference node id "${n.id}" is not letters, digits, ".", "_", "-"`);
      if (seen.has(n.id)) problems.push(`inference node id "${n.id}" twice`);
      seen.add(n.id);
      if (!ADDRESS_PATTERN.test(n.address) || !validPort(n.address)) problems.push(`inference node ${n.id}: "${n.address}" is not host:port`);
    }
  } else {
    const { pattern, resolver, validSec } = t.inference.dns;
    if (!DNS_PATTERN.test(pattern) || !validPort(pattern)) problems.push(`inference dns pattern "${pattern}" must be a host containing {nodeId} once, then :port`);
    if (!RESOLVER_PATTERN.test(resolver) || !validPort(resolver)) problems.push(`inference dns resolver "${resolver}" is not host[:port]`);
    if (validSec !== undefined && (!Number.isInteger(validSec) || validSec < 1 || validSec > 3600)) problems.push('inference dns validSec must be 1..3600');
  }
  if (t.workerProcesses !== undefined && t.workerProcesses !== 'auto' && (!Number.isInteger(t.workerProcesses) || t.workerProcesses < 1 || t.workerProcesses > 64)) {
    problems.push('workerProcesses must be auto or 1..64');
  }
  if (t.accessLog !== undefined && !/^(?:off|\/[A-Za-z0-9/._-]+(?: noquery)?)$/.test(t.accessLog)) problems.push(`accessLog "${t.accessLog}" must be off or an absolute path [noquery]`);
  if (t.tempDir !== undefined && !/^\/[A-Za-z0-9/._-]+$/.test(t.tempDir)) problems.push(`tempDir "${t.tempDir}" must be an absolute path of safe characters`);
  if (problems.length > 0) throw new TopologyError(problems);
}

/**
 * Parses a `--node` argument, `<nodeId>=<host:port>` (the node map for compose and tests).
 * Returns undefined for anything else.
 */
export function parseNodeRoute(spec: string): InferenceNodeRoute | undefined {
  const eq = spec.indexOf('=');
  if (eq <= 0) return undefined;
  const id = spec.slice(0, eq);
  const address = spec.slice(eq + 1);
  if (!NODE_ID_PATTERN.test(id) || !ADDRESS_PATTERN.test(address) || !validPort(address)) return undefined;
  return { id, address };
}

/** docker-compose.yml's topology: what the committed infra/nginx/nginx.conf is rendered from. */
export const COMPOSE_TOPOLOGY: GatewayTopology = {
  listen: '8080',
  controlPlane: ['control-plane:8081'],
  fsr: ['fsr:8083'],
  chat: ['chat:8084'],
  inference: { nodes: [{ id: 'inference-1', address: 'inference-1:8082' }, { id: 'inference-2', address: 'inference-2:8082' }] },
};

/**
 * Kubernetes' topology (namespace `squirret`): the services by their Service names (resolved once at
 * start, through the pod's search path), the data plane per pod: the inference StatefulSet's
 * headless Service `inference` gives each pod `<pod>.inference.squirret.svc.cluster.local`, NODE_ID is
 * the pod name, so the id in the path is the pod's DNS label. nginx's own resolver (per request)
 * ignores search paths: the pattern is fully qualified. Rendered to infra/nginx/nginx.k8s.conf.
 */
export const K8S_TOPOLOGY: GatewayTopology = {
  listen: '8080',
  controlPlane: ['control-plane:8081'],
  fsr: ['fsr:8083'],
  chat: ['chat:8084'],
  inference: { dns: { pattern: '{nodeId}.inference.squirret.svc.cluster.local:8082', resolver: 'kube-dns.kube-system.svc.cluster.local', validSec: 5 } },
};
