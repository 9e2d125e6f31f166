import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ChatConfigSchema } from '@squirret/chat';
import { ControlPlaneConfigSchema } from '@squirret/control-plane';
import { FsrConfigSchema } from '@squirret/fsr';
import { INFERENCE_METRICS, InferenceConfigSchema } from '@squirret/inference';
import { SHUTDOWN_FORCE_EXIT_MS } from '@squirret/server-kit';
import { REPO_ROOT } from '@squirret/testing';
import ts from 'typescript';
import type { z } from 'zod';

/**
 * infra/k8s rendered as an operator would (`kubectl kustomize`, offline), every object checked
 * against the Kubernetes schemas (kubernetes-models' validators, generated from the API's
 * OpenAPI document, shipped in the npm package) and against the project's own rules.
 */

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: { fieldPath: string }; configMapKeyRef?: unknown } };
type Container = { name: string; image: string; ports?: { name?: string; containerPort: number }[]; env?: EnvVar[]; envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]; livenessProbe?: any; readinessProbe?: any; lifecycle?: any; resources?: any };

const KUBECTL = '/usr/bin/kubectl';
const NGINX = '/usr/sbin/nginx';
const APPS = ['control-plane', 'inference', 'fsr', 'chat'] as const;
type App = (typeof APPS)[number];
const SCHEMAS: Record<App, z.ZodObject<z.ZodRawShape>> = {
  'control-plane': ControlPlaneConfigSchema,
  inference: InferenceConfigSchema,
  fsr: FsrConfigSchema,
  chat: ChatConfigSchema,
};
/** Keys that must never be a literal anywhere in the manifests. */
const SECRET_NAME = /SECRET(?!_ENCODING)|PASSWORD|API_KEY|^DATABASE_URL$|^REDIS_URL$/;

function render(dir: string): Obj[] {
  assert.ok(existsSync(KUBECTL), `${KUBECTL} is missing: apt-get install kubectl (.ci/run installs it)`);
  const out = execFileSync(KUBECTL, ['kustomize', join(REPO_ROOT, dir)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJSON() as Obj).filter(Boolean);
}

/** The kubernetes-models class for an object's apiVersion and kind (e.g. `apps/v1` Deployment). */
function modelOf(o: Obj): new (data: unknown) => { validate(): void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`kubernetes-models/${o.apiVersion}`) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = mod[o.kind];
  assert.ok(model, `no schema for ${o.apiVersion} ${o.kind}`);
  return model;
}

function find(objs: Obj[], kind: string, name: string): Obj {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} is rendered`);
  return o;
}

function workload(objs: Obj[], app: string): Obj {
  const o = objs.find((x) => (x.kind === 'Deployment' || x.kind === 'StatefulSet') && x.metadata.name === app);
  assert.ok(o, `a Deployment or StatefulSet for ${app}`);
  return o;
}

function container(w: Obj): Container {
  const cs = w.spec.template.spec.containers as Container[];
  assert.equal(cs.length, 1, `${w.metadata.name}: one container`);
  return cs[0]!;
}

function configData(objs: Obj[]): Record<string, string> {
  return find(objs, 'ConfigMap', 'squirret-config').data ?? {};
}

/** The seconds of a `sleep N` preStop (exec `sleep N` or a shell line starting with it). */
function preStopSeconds(c: Container): number {
  const cmd = (c.lifecycle?.preStop?.exec?.command ?? []) as string[];
  const m = /^(?:sleep\s+)?(\d+)/.exec(cmd[0] === 'sleep' ? (cmd[1] ?? '') : (cmd.at(-1) ?? '').replace(/^.*?sleep\s+/, ''));
  assert.ok(m, `${c.name}: preStop starts with a sleep (got ${JSON.stringify(cmd)})`);
  return Number(m[1]);
}

/** The app's own shutdown budget, from the rendered config: what SIGTERM waits for at most. */
function drainBudgetMs(app: App, data: Record<string, string>): number {
  switch (app) {
    case 'inference':
      // in-flight frames within DRAIN_TIMEOUT_MS, then clients told 1012 within DRAIN_TIMEOUT_MS
      return 2 * Number(data.DRAIN_TIMEOUT_MS);
    case 'fsr':
      return Number(data.FSR_SHUTDOWN_FLUSH_MS);
    default:
      return 0; // HTTP / socket drain only: bounded by serve()'s forced exit
  }
}

function envExampleKeys(): string[] {
  const text = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
  return [...text.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

function dockerfilePort(app: App): number {
  const text = readFileSync(join(REPO_ROOT, 'apps', app, 'Dockerfile'), 'utf8');
  const m = /^EXPOSE (\d+)$/m.exec(text);
  assert.ok(m, `${app}: Dockerfile EXPOSEs a port`);
  return Number(m[1]);
}

/** The gateway's nginx.conf (a generated ConfigMap: its name carries a content hash). */
function gatewayConf(objs: Obj[]): string {
  const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('gateway-nginx'));
  assert.ok(cm?.data?.['nginx.conf'], 'the gateway ConfigMap');
  return cm.data['nginx.conf'];
}

function matches(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

for (const dir of ['infra/k8s/base', 'infra/k8s/overlays/production']) {
  describe(`kubernetes: ${dir}`, () => {
    const objs = render(dir);

    it('every object is valid against the Kubernetes schemas', () => {
      assert.ok(objs.length >= 15, `rendered ${objs.length} objects`);
      const problems: string[] = [];
      for (const o of objs) {
        const Model = modelOf(o);
        try {
          new Model(o).validate();
        } catch (err) {
          problems.push(`${o.kind}/${o.metadata.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('no field the Kubernetes API does not know (excess-property check against kubernetes-models\' types)', () => {
      // The validators above accept unknown fields; TypeScript's object-literal check does not.
      const modelsDir = dirname(dirname(require.resolve('kubernetes-models/v1')));
      const dir = mkdtempSync(join(tmpdir(), 'k8s-types-'));
      const source = objs
        .map((o, i) => `import type { I${o.kind} as T${i} } from 'kubernetes-models/${o.apiVersion}/${o.kind}';\nexport const o${i}: T${i} = ${JSON.stringify(o)};`)
        .join('\n');
      const file = join(dir, 'objects.ts');
      writeFileSync(file, source);
      const program = ts.createProgram([file], {
        noEmit: true,
        strict: true,
        skipLibCheck: true,
        types: [],
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        baseUrl: dir,
        paths: { 'kubernetes-models/*': [join(modelsDir, '*')] },
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        const at = d.file && d.start !== undefined ? d.file.text.slice(Math.max(0, d.start - 60), d.start + 60) : '';
        return `${text} …${at}…`;
      });
      assert.deepEqual(problems, []);
    });

    it('one workload per service with its own image, port, probes and resources', () => {
      const images = new Set<string>();
      for (const app of APPS) {
        const w = workload(objs, app);
        const c = container(w);
        const repo = c.image.replace(/:[^/:]+$/, '');
        assert.ok(repo.endsWith(`/${app}`), `${app}: image ${c.image} is the app's own`);
        images.add(repo);
        if (dir.includes('production')) assert.match(c.image, /:[0-9][\w.-]*$/, `${app}: a pinned tag in production`);
        const port = dockerfilePort(app);
        assert.deepEqual(c.ports?.map((p) => p.containerPort), [port], `${app}: listens on the Dockerfile's port`);
        assert.equal(c.env?.find((e) => e.name === 'PORT')?.value, String(port), `${app}: PORT matches`);
        assert.equal(c.livenessProbe?.httpGet?.path, '/health/live', `${app}: liveness /health/live`);
        assert.equal(c.readinessProbe?.httpGet?.path, '/health/ready', `${app}: readiness /health/ready`);
        for (const p of [c.livenessProbe, c.readinessProbe]) assert.ok([port, 'http'].includes(p.httpGet.port), `${app}: probe port`);
        assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory, `${app}: cpu/memory requests and a memory limit`);
        assert.ok(c.envFrom?.some((e) => e.configMapRef?.name === 'squirret-config'), `${app}: reads the shared ConfigMap`);
        const sc = w.spec.template.spec.securityContext;
        assert.equal(sc?.runAsNonRoot, true, `${app}: runs as non-root`);
      }
      assert.equal(images.size, APPS.length, 'an image per app');
    });

    it('terminationGracePeriodSeconds covers preStop and the shutdown budget', () => {
      const data = configData(objs);
      for (const app of APPS) {
        const w = workload(objs, app);
        const c = container(w);
        const grace = Number(w.spec.template.spec.terminationGracePeriodSeconds) * 1000;
        const preStop = preStopSeconds(c) * 1000;
        const budget = drainBudgetMs(app, data);
        assert.ok(Number.isFinite(budget), `${app}: budget from the ConfigMap`);
        assert.ok(budget <= SHUTDOWN_FORCE_EXIT_MS, `${app}: its drain budget ${budget} ms fits inside serve()'s forced exit (${SHUTDOWN_FORCE_EXIT_MS} ms)`);
        assert.ok(
          grace >= preStop + Math.max(budget, SHUTDOWN_FORCE_EXIT_MS),
          `${app}: grace ${grace} ms >= preStop ${preStop} ms + shutdown ${Math.max(budget, SHUTDOWN_FORCE_EXIT_MS)} ms`,
        );
      }
      const gw = workload(objs, 'gateway');
      assert.ok(gw.spec.template.spec.terminationGracePeriodSeconds > preStopSeconds(container(gw)), 'gateway: grace past its preStop');
    });

    it('a PodDisruptionBudget and a Service for every workload, selectors that match', () => {
      const workloads = objs.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet');
      assert.deepEqual(workloads.map((w) => w.metadata.name).sort(), [...APPS, 'gateway'].sort());
      for (const w of workloads) {
        const labels = w.spec.template.metadata.labels as Record<string, string>;
        assert.ok(matches(w.spec.selector.matchLabels, labels), `${w.metadata.name}: selector matches its pods`);
        const pdbs = objs.filter((o) => o.kind === 'PodDisruptionBudget' && matches(o.spec.selector.matchLabels, labels));
        assert.equal(pdbs.length, 1, `${w.metadata.name}: one PDB`);
        const pdb = pdbs[0]!.spec;
        const replicas = Number(w.spec.replicas ?? 1);
        if (pdb.minAvailable !== undefined) assert.ok(Number(pdb.minAvailable) < replicas, `${w.metadata.name}: the PDB lets a drain proceed`);
        else assert.ok(Number(pdb.maxUnavailable) >= 1, `${w.metadata.name}: maxUnavailable >= 1`);
        const ports = container(w).ports!;
        const svcs = objs.filter((o) => o.kind === 'Service' && o.spec.selector && matches(o.spec.selector, labels));
        assert.ok(svcs.length >= 1, `${w.metadata.name}: a Service`);
        for (const s of svcs) {
          for (const p of s.spec.ports) assert.ok(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `${s.metadata.name}: targetPort ${p.targetPort}`);
        }
        if (w.kind === 'StatefulSet') assert.ok(find(objs, 'Service', w.spec.serviceName), `${w.metadata.name}: its serviceName exists`);
      }
      for (const s of objs.filter((o) => o.kind === 'Service' && o.spec.selector)) {
        assert.ok(workloads.some((w) => matches(s.spec.selector, w.spec.template.metadata.labels)), `${s.metadata.name}: selects a workload`);
      }
      for (const dep of ['postgres', 'redis']) assert.equal(find(objs, 'Service', dep).spec.type, 'ExternalName', `${dep} is external`);
    });

    it('inference scales on its load (sessions / capacity) with CPU as the fallback', () => {
      const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === 'inference');
      assert.ok(hpa, 'an HPA for inference');
      assert.equal(hpa.apiVersion, 'autoscaling/v2');
      assert.equal(hpa.spec.scaleTargetRef.kind, workload(objs, 'inference').kind);
      const kinds = (hpa.spec.metrics as { type: string; pods?: { metric: { name: string } }; resource?: { name: string } }[]).map((m) => `${m.type}:${m.pods?.metric.name ?? m.resource?.name}`);
      assert.deepEqual(kinds, ['Pods:inference_load_ratio', 'Resource:cpu']);
      assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
      // the metric the HPA reads is one the data plane exports (observability.e2e-spec.ts scrapes it)
      assert.equal(kinds[0], `Pods:${INFERENCE_METRICS.loadRatio}`);
    });

    it('every .env.example key is configured; secrets only by secretKeyRef, never as literals', () => {
      const data = configData(objs);
      const envNames = new Set<string>(Object.keys(data));
      const workloads = objs.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet');
      for (const w of workloads) {
        for (const e of container(w).env ?? []) {
          envNames.add(e.name);
          if (SECRET_NAME.test(e.name)) {
            assert.ok(e.valueFrom?.secretKeyRef && e.value === undefined, `${w.metadata.name}: ${e.name} comes from a Secret`);
          }
        }
      }
      const missing = envExampleKeys().filter((k) => !envNames.has(k));
      assert.deepEqual(missing, [], 'keys of .env.example with no ConfigMap entry or env');
      for (const k of Object.keys(data)) assert.doesNotMatch(k, SECRET_NAME, `ConfigMap holds no secret (${k})`);
      for (const s of objs.filter((o) => o.kind === 'Secret')) {
        assert.fail(`Secret/${s.metadata.name} is rendered: secrets come from the cluster's secret store, not the manifests`);
      }
      const text = JSON.stringify(objs);
      assert.doesNotMatch(text, /postgres(ql)?:\/\/[^"$]*:[^"$@]*@/, 'no database URL with a password');
    });

    it("each app gets every key its config requires, and its secrets from the Secret", () => {
      const data = configData(objs);
      for (const app of APPS) {
        const c = container(workload(objs, app));
        const env = new Map((c.env ?? []).map((e) => [e.name, e]));
        for (const [key, schema] of Object.entries(SCHEMAS[app].shape)) {
          const optional = (schema as z.ZodType).safeParse(undefined).success;
          const e = env.get(key);
          if (SECRET_NAME.test(key)) {
            if (!optional) assert.ok(e?.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional, `${app}: ${key} (required) from the Secret`);
            else if (e) assert.ok(e.valueFrom?.secretKeyRef, `${app}: ${key} from the Secret`);
          } else if (!optional) {
            assert.ok(e || key in data, `${app}: ${key} is required and configured`);
          }
        }
        // $(VAR) is expanded by the kubelet only from variables defined earlier in the list
        const seen = new Set(Object.keys(data));
        for (const e of c.env ?? []) {
          for (const m of (e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)) assert.ok(seen.has(m[1]!), `${app}: ${e.name} uses $(${m[1]}) defined before it`);
          seen.add(e.name);
        }
      }
    });

    it('the gateway addresses each inference node by its pod name', () => {
      const inf = workload(objs, 'inference');
      assert.equal(inf.kind, 'StatefulSet', 'inference nodes have stable names');
      const headless = find(objs, 'Service', inf.spec.serviceName);
      assert.equal(headless.spec.clusterIP, 'None', 'a headless Service: per-pod DNS');
      assert.equal(headless.spec.publishNotReadyAddresses, true, 'placement is the control plane\'s');
      const env = new Map((container(inf).env ?? []).map((e) => [e.name, e]));
      assert.equal(env.get('NODE_ID')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name', 'NODE_ID = pod name');
      const base = env.get('PUBLIC_WS_BASE')?.value ?? '';
      assert.match(base, /^wss:\/\/[a-z0-9.-]+\/inference\/\$\(NODE_ID\)$/, 'PUBLIC_WS_BASE names the node');
      const conf = gatewayConf(objs);
      const route = /location ~ "\^\/inference\/\(\?<node>([^)]+)\)\/\(\?<rest>([^)]+)\)\$" \{\s*proxy_pass http:\/\/\$node\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)\/\$rest;/.exec(conf);
      assert.ok(route, 'a per-node location in the gateway');
      const [, nodePattern, restPattern, svc, ns, port] = route;
      assert.equal(svc, headless.metadata.name);
      assert.equal(ns, inf.metadata.namespace, 'the gateway resolves names in the namespace the manifests render into');
      assert.equal(Number(port), container(inf).ports![0]!.containerPort);
      assert.ok(new RegExp(`^${nodePattern}$`).test(`${inf.metadata.name}-0`) && new RegExp(`^${nodePattern}$`).test(`${inf.metadata.name}-12`), 'pod names match');
      assert.ok(!new RegExp(`^${nodePattern}$`).test('evil.example.com'), 'only our pods can be named');
      assert.ok(new RegExp(`^${restPattern}$`).test('ws/123e4567-e89b-42d3-a456-426614174000'), 'the seed\'s /ws/<sessionId> ends the URL');
      for (const [svcName, upstream] of [['control-plane', 'control_plane'], ['fsr', 'fsr'], ['chat', 'chat']] as const) {
        const s = find(objs, 'Service', svcName);
        assert.ok(conf.includes(`upstream ${upstream} { server ${svcName}:${s.spec.ports[0].port}; }`), `gateway upstream ${svcName}`);
      }
      assert.doesNotMatch(conf, /\$request_uri|\$args/, 'query strings (tokens) are never logged');
      assert.doesNotMatch(conf, /location[^{]*metrics/, '/metrics is not public');
    });

    it("the gateway's nginx.conf passes nginx -t", () => {
      assert.ok(existsSync(NGINX), `${NGINX} is missing: apt-get install nginx`);
      const conf = gatewayConf(objs);
      const dir = mkdtempSync(join(tmpdir(), 'k8s-gateway-'));
      // cluster names do not resolve here: the same file with loopback for each host
      const local = conf
        .replace(/resolver \S+/, 'resolver 127.0.0.1')
        .replace(/server [a-z-]+:(\d+);/g, 'server 127.0.0.1:$1;')
        .replace(/pid \S+;/, `pid ${dir}/nginx.pid;`)
        .replace(/access_log \/dev\/stdout/, `access_log ${dir}/access.log`);
      writeFileSync(join(dir, 'nginx.conf'), `error_log ${dir}/error.log;\n${local}`);
      const r = spawnSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { encoding: 'utf8', cwd: dir });
      assert.equal(r.status, 0, r.stderr);
    });
  });
}
