#!/usr/bin/env node
// Runs one tier of tests (or all three) with node's own test runner on the compiled output.
// Tiers, by file suffix: unit `*.spec.js`, integration `*.integration-spec.js` (real PostgreSQL and
// Redis on 127.0.0.1), e2e `*.e2e-spec.js` (started processes over real sockets).
// Prints the runner's own report, then one closing line `N passed, N failed` over every tier run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const tiers = {
  unit: { suffix: '.spec.js', concurrency: 2, timeout: 60_000 },
  integration: { suffix: '.integration-spec.js', concurrency: 1, timeout: 120_000 },
  e2e: { suffix: '.e2e-spec.js', concurrency: 1, timeout: 300_000 },
  // property-based fuzzing (fast-check, seeded) of every parser, and a socket fuzzer against a started process
  fuzz: { suffix: '.fuzz-spec.js', concurrency: 1, timeout: 300_000 },
  // fault injection: private Redis / PostgreSQL on their own ports, stopped, killed and restarted
  faults: { suffix: '.fault-spec.js', concurrency: 1, timeout: 300_000 },
};
const wanted = process.argv[2] ?? 'all';
const filter = process.argv[3];
const order = wanted === 'all' ? Object.keys(tiers) : [wanted];
if (!order.every((t) => t in tiers)) {
  console.error(`unknown tier "${wanted}"; use one of: all, ${Object.keys(tiers).join(', ')}`);
  process.exit(2);
}

function findFiles(dir, suffix, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findFiles(full, suffix, out);
    else if (name.endsWith(suffix)) {
      // `.spec.js` must not also pick up `.integration-spec.js` / `.e2e-spec.js`
      if (suffix === '.spec.js' && /(integration|e2e|fuzz|fault)-spec\.js$/.test(name)) continue;
      out.push(full);
    }
  }
  return out;
}

let passed = 0;
let failed = 0;
const outDir = mkdtempSync(join(tmpdir(), 'squirret-tests-'));
for (const tier of order) {
  const { suffix, concurrency, timeout } = tiers[tier];
  const files = ['apps', 'packages']
    .flatMap((group) => {
      const base = join(root, group);
      return existsSync(base) ? readdirSync(base).map((n) => join(base, n, 'dist')) : [];
    })
    .flatMap((dist) => findFiles(dist, suffix))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  console.log(`\n=== ${tier}: ${files.length} file(s) ===`);
  if (files.length === 0) continue;
  const tap = join(outDir, `${tier}.tap`);
  const res = spawnSync(
    process.execPath,
    [
      '--test',
      `--test-concurrency=${concurrency}`,
      `--test-timeout=${timeout}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, SQUIRRET_TEST_TIER: tier } },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const p = Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
  const f = Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0);
  // A runner that died before reporting counts as a failure, never as a silent pass.
  const crashed = res.status !== 0 && f === 0 ? 1 : 0;
  passed += p;
  failed += f + crashed;
  console.log(`--- ${tier}: ${p} passed, ${f + crashed} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
