import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHAT_METRICS } from '@squirret/chat';
import { CONTROL_PLANE_METRICS } from '@squirret/control-plane';
import { FSR_METRICS } from '@squirret/fsr';
import { INFERENCE_METRICS } from '@squirret/inference';
import { KIT_METRICS, MetricsService } from '@squirret/server-kit';
import { REPO_ROOT } from '@squirret/testing';

/**
 * infra/grafana and infra/prometheus: the dashboards are valid and name only series the code
 * exports (each service's declared names, checked against a real scrape by
 * observability.e2e-spec.ts, plus the kit's and prom-client's defaults); the Prometheus config and
 * alert rules pass promtool (Debian's prometheus package), and the rule tests pass.
 */

// The package is ESM for TypeScript but ships a CommonJS build (its "require" export), which this
// compiled-to-CommonJS test loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });

const PROMTOOL = '/usr/bin/promtool';
const PROM_DIR = join(REPO_ROOT, 'infra/prometheus');
const GRAFANA_DIR = join(REPO_ROOT, 'infra/grafana');
const SERVICES = ['control-plane', 'inference', 'fsr', 'chat'] as const;
type Service = (typeof SERVICES)[number];

/** Series served by every service: the kit's and prom-client's defaults, from a real registry. */
async function commonNames(): Promise<Map<string, string>> {
  const m = new MetricsService();
  const names = new Map<string, string>();
  for (const metric of await m.registry.getMetricsAsJSON()) names.set(metric.name, String(metric.type));
  for (const n of Object.values(KIT_METRICS)) assert.ok(names.has(n), `the kit registers ${n}`);
  names.set('up', 'gauge'); // Prometheus's own, per target
  return names;
}

const DECLARED: Record<Service, readonly string[]> = {
  'control-plane': Object.values(CONTROL_PLANE_METRICS),
  inference: Object.values(INFERENCE_METRICS),
  fsr: Object.values(FSR_METRICS),
  chat: Object.values(CHAT_METRICS),
};

/** The metric names a PromQL expression selects; throws on a syntax error. */
function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  assert.equal(error, undefined, `PromQL syntax error at ${error} in: ${expr}`);
  assert.ok(names.length > 0, `no metric in: ${expr}`);
  return names;
}

/** True when `name` is a series of one of `known` (a histogram's _bucket/_count/_sum included). */
function known(name: string, exported: ReadonlySet<string>): boolean {
  if (exported.has(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return base !== name && exported.has(base);
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}

function panelsOf(list: Panel[]): Panel[] {
  return list.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

function promtool(...args: string[]): void {
  assert.ok(existsSync(PROMTOOL), `${PROMTOOL} is missing: apt-get install prometheus (.ci/run installs it)`);
  const r = spawnSync(PROMTOOL, args, { cwd: PROM_DIR, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
}

describe('grafana dashboards', () => {
  const datasource = parse(readFileSync(join(GRAFANA_DIR, 'provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string; url: string }[] };
  const dsUid = datasource.datasources[0]!.uid;

  it('one valid dashboard per service, every panel on the provisioned datasource', () => {
    const files = readdirSync(join(GRAFANA_DIR, 'dashboards')).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, SERVICES.map((s) => `${s}.json`).sort());
    const uids = new Set<string>();
    for (const f of files) {
      const d = JSON.parse(readFileSync(join(GRAFANA_DIR, 'dashboards', f), 'utf8')) as { uid: string; title: string; panels: Panel[] };
      assert.ok(d.uid && !uids.has(d.uid), `${f}: a unique uid`);
      uids.add(d.uid);
      assert.ok(d.title, `${f}: a title`);
      const panels = panelsOf(d.panels);
      assert.ok(panels.length >= 6, `${f}: ${panels.length} panels`);
      assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${f}: panel ids are unique`);
      for (const p of panels.filter((x) => x.type !== 'row')) {
        assert.equal(p.datasource?.uid, dsUid, `${f} / ${p.title}: the provisioned datasource`);
        assert.ok(p.targets && p.targets.length > 0, `${f} / ${p.title}: has queries`);
        assert.equal(new Set(p.targets.map((t) => t.refId)).size, p.targets.length, `${f} / ${p.title}: refIds unique`);
      }
    }
  });

  it("every panel's expression is PromQL naming only series its service exports", async () => {
    const common = await commonNames();
    for (const service of SERVICES) {
      const exported = new Set([...common.keys(), ...DECLARED[service]]);
      const d = JSON.parse(readFileSync(join(GRAFANA_DIR, 'dashboards', `${service}.json`), 'utf8')) as { panels: Panel[] };
      const used = new Set<string>();
      for (const p of panelsOf(d.panels)) {
        for (const t of p.targets ?? []) {
          for (const name of metricNames(t.expr)) {
            assert.ok(known(name, exported), `${service}.json / ${p.title}: ${name} is not exported by ${service}`);
            used.add(name.replace(/_(bucket|count|sum)$/, ''));
          }
        }
      }
      // the dashboard shows the service's own figures, not only the defaults
      const own = DECLARED[service].filter((n) => used.has(n));
      assert.ok(own.length >= Math.min(3, DECLARED[service].length), `${service}: shows its own series (${own.join(', ')})`);
    }
  });

  it('the dashboards provider reads the folder compose mounts', () => {
    const prov = parse(readFileSync(join(GRAFANA_DIR, 'provisioning/dashboards/squirret.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { volumes?: string[] }> };
    const volumes = compose.services.grafana?.volumes ?? [];
    assert.ok(volumes.some((v) => v.startsWith('./infra/grafana/dashboards:' + prov.providers[0]!.options.path)), volumes.join(', '));
    assert.ok(volumes.some((v) => v.startsWith('./infra/grafana/provisioning:/etc/grafana/provisioning')), volumes.join(', '));
    assert.match(datasource.datasources[0]!.url, /^http:\/\/prometheus:9090$/);
    const promVolumes = compose.services.prometheus?.volumes ?? [];
    assert.ok(promVolumes.some((v) => v.startsWith('./infra/prometheus:/etc/prometheus')), promVolumes.join(', '));
  });
});

describe('prometheus config and alert rules', () => {
  it('promtool check config passes on the scrape config', () => promtool('check', 'config', 'prometheus.yml'));

  it('promtool check rules passes on the alert rules', () => promtool('check', 'rules', 'alerts.yml'));

  it('promtool test rules: ServiceDown, FsrWriterBufferFilling, InferenceNodeSaturated fire when they should, not before', () =>
    promtool('test', 'rules', 'alerts.test.yml'));

  it('every rule names only exported series; scrape jobs are the four services', async () => {
    const common = await commonNames();
    const exported = new Set([...common.keys(), ...Object.values(DECLARED).flat()]);
    const rules = parse(readFileSync(join(PROM_DIR, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const alerts = rules.groups.flatMap((g) => g.rules);
    assert.ok(alerts.length >= 10, `${alerts.length} alerts`);
    for (const r of alerts) for (const n of metricNames(r.expr)) assert.ok(known(n, exported), `${r.alert}: ${n} is not exported`);
    const config = parse(readFileSync(join(PROM_DIR, 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    assert.deepEqual(config.scrape_configs.map((s) => s.job_name).sort(), [...SERVICES].sort());
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    for (const s of config.scrape_configs) {
      const [host, port] = s.static_configs[0]!.targets[0]!.split(':');
      assert.equal(host, s.job_name, `${s.job_name}: scraped by its compose name`);
      assert.equal(compose.services[s.job_name]?.environment?.PORT, port, `${s.job_name}: on its port`);
    }
  });

  it("prometheus-adapter serves the HPA's metric from an exported series", () => {
    const adapter = parse(readFileSync(join(PROM_DIR, 'adapter-rules.yaml'), 'utf8')) as { rules: { seriesQuery: string; name: { as: string } }[] };
    const rule = adapter.rules.find((r) => r.name.as === INFERENCE_METRICS.loadRatio);
    assert.ok(rule, 'a rule for inference_load_ratio');
    assert.deepEqual(metricNames(rule.seriesQuery), [INFERENCE_METRICS.loadRatio]);
  });
});
