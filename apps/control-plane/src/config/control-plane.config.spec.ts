import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CONTROL_PLANE_RENAMED_KEYS, ControlPlaneConfigSchema, loadControlPlaneConfig, type ControlPlaneConfig } from './control-plane.config';

const required = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  SESSION_TOKEN_SECRET: 'session-secret-session-secret-session-secret',
  INFERENCE_TOKEN_SECRET: 'inference-secret-inference-secret-inference',
};

type Warning = { message: string; fields: Record<string, string> };

function load(source: Record<string, string>) {
  const warnings: Warning[] = [];
  const config = loadControlPlaneConfig({ ...required, ...source }, { warn: (message, fields) => void warnings.push({ message, fields }) });
  return { config, warnings };
}

/** Each of the control plane's own keys by its bare (previous) name, a value for it, and that value as read. */
const OWN_KEYS: ReadonlyArray<readonly [bare: string, raw: string, read: number | string]> = [
  ['SESSION_TOKEN_TTL_SEC', '3600', 3600],
  ['INFERENCE_TOKEN_TTL_SEC', '120', 120],
  ['SESSION_RATE_LIMIT', '7', 7],
  ['SESSION_RATE_WINDOW_SEC', '9', 9],
  ['CONSOLE_CLIPS_DIR', '/clips', '/clips'],
];

describe('control-plane config', () => {
  const read = (config: ControlPlaneConfig) => OWN_KEYS.map(([bare]) => config[`CONTROL_PLANE_${bare}` as keyof ControlPlaneConfig]);

  it('reads its own keys under CONTROL_PLANE_, without a warning', () => {
    const { config, warnings } = load(Object.fromEntries(OWN_KEYS.map(([bare, raw]) => [`CONTROL_PLANE_${bare}`, raw])));
    assert.deepEqual(read(config), OWN_KEYS.map(([, , v]) => v));
    assert.deepEqual(warnings, []);
  });

  it('still takes the bare names of the previous release, each with one deprecation warning naming the new key', () => {
    const { config, warnings } = load(Object.fromEntries(OWN_KEYS.map(([bare, raw]) => [bare, raw])));
    assert.deepEqual(read(config), OWN_KEYS.map(([, , v]) => v));
    assert.deepEqual(
      warnings.map((w) => w.fields),
      OWN_KEYS.map(([bare]) => ({ key: bare, use: `CONTROL_PLANE_${bare}` })),
    );
    for (const w of warnings) assert.match(w.message, new RegExp(`${w.fields.key} is deprecated.*set ${w.fields.use}`));
  });

  it('prefers the new name when both are set, and reports the old one as ignored', () => {
    const { config, warnings } = load({ SESSION_RATE_LIMIT: '8', CONTROL_PLANE_SESSION_RATE_LIMIT: '11' });
    assert.equal(config.CONTROL_PLANE_SESSION_RATE_LIMIT, 11);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /SESSION_RATE_LIMIT is deprecated and ignored because CONTROL_PLANE_SESSION_RATE_LIMIT is set/);
  });

  it('reports an invalid old value under the new name', () => {
    assert.throws(() => load({ SESSION_RATE_LIMIT: '0' }), /CONTROL_PLANE_SESSION_RATE_LIMIT/);
  });

  it('renames exactly its own keys to CONTROL_PLANE_<old name>, and keeps the shared keys bare', () => {
    assert.deepEqual(Object.keys(CONTROL_PLANE_RENAMED_KEYS), OWN_KEYS.map(([bare]) => bare));
    for (const [from, to] of Object.entries(CONTROL_PLANE_RENAMED_KEYS)) {
      assert.equal(to, `CONTROL_PLANE_${from}`);
      assert.ok(to in ControlPlaneConfigSchema.shape, to);
    }
    for (const shared of ['DATABASE_URL', 'SESSION_TOKEN_SECRET', 'INFERENCE_TOKEN_SECRET', 'INTERNAL_API_KEY', 'TOKEN_CLOCK_SKEW_SEC']) {
      assert.ok(shared in ControlPlaneConfigSchema.shape, shared);
      assert.ok(!(shared in CONTROL_PLANE_RENAMED_KEYS), shared);
    }
  });
});
