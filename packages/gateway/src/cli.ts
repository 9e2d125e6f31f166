#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { COMPOSE_CONFIG_PATH, K8S_CONFIG_PATH, renderGatewayConfig } from './render';
import { COMPOSE_TOPOLOGY, K8S_TOPOLOGY, parseNodeRoute, type GatewayTopology, type InferenceNodeRoute } from './topology';

const usage = `usage: squirret-gateway-render (--compose | --k8s) [--out FILE]
   or: squirret-gateway-render --listen 8080 --control-plane HOST:PORT --fsr HOST:PORT --chat HOST:PORT
         (--node ID=HOST:PORT ... | --node-dns '{nodeId}.inference.NS.svc.cluster.local:8082' --resolver HOST)
         [--workers N] [--out FILE]
Renders infra/nginx/nginx.conf.template; repeat --control-plane/--fsr/--chat for replicas.`;

function main(): void {
  const { values } = parseArgs({
    options: {
      compose: { type: 'boolean' },
      k8s: { type: 'boolean' },
      listen: { type: 'string' },
      'control-plane': { type: 'string', multiple: true },
      fsr: { type: 'string', multiple: true },
      chat: { type: 'string', multiple: true },
      node: { type: 'string', multiple: true },
      'node-dns': { type: 'string' },
      resolver: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
    },
  });
  let topology: GatewayTopology;
  if (values.compose || values.k8s) {
    topology = values.compose ? COMPOSE_TOPOLOGY : K8S_TOPOLOGY;
  } else {
    const nodes: InferenceNodeRoute[] = [];
    for (const spec of values.node ?? []) {
      const n = parseNodeRoute(spec);
      if (!n) throw new Error(`--node "${spec}" is not ID=HOST:PORT\n${usage}`);
      nodes.push(n);
    }
    if (!values.listen || (nodes.length === 0) === !values['node-dns']) throw new Error(usage);
    topology = {
      listen: values.listen,
      controlPlane: values['control-plane'] ?? [],
      fsr: values.fsr ?? [],
      chat: values.chat ?? [],
      inference: values['node-dns'] ? { dns: { pattern: values['node-dns'], resolver: values.resolver ?? '' } } : { nodes },
      ...(values.workers ? { workerProcesses: values.workers === 'auto' ? 'auto' : Number(values.workers) } : {}),
    };
  }
  const text = renderGatewayConfig(topology);
  const out = values.out ?? (values.compose ? COMPOSE_CONFIG_PATH : values.k8s ? K8S_CONFIG_PATH : undefined);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
