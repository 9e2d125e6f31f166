import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CONTROL_PLANE_RENAMED_KEYS, ControlPlaneConfigSchema, loadControlPlaneConfig } from './control-plane.config';

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

describe('control-plane config', () => {
  it('reads its own keys under CONTROL_PLANE_, without a warning', () => {
    const { config, warnings } = load({
      CONTROL_PLANE_SESSION_TOKEN_TTL_SEC: '3600',
      CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC: '120',
      CONTROL_PLANE_SESSION_RATE_LIMIT: '7',
      CONTROL_PLANE_SESSION_RATE_WINDOW_SEC: '9',
      CONTROL_PLANE_CONSOLE_CLIPS_DIR: '/clips',
    });
    assert.equal(config.CONTROL_PLANE_SESSION_TOKEN_TTL_SEC, 3600);
    assert.equal(config.CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC, 120);
    assert.equal(config.CONTROL_PLANE_SESSION_RATE_LIMIT, 7);
    assert.equal(config.CONTROL_PLANE_SESSION_RATE_WINDOW_SEC, 9);
    assert.equal(config.CONTROL_PLANE_CONSOLE_CLIPS_DIR, '/clips');
    assert.deepEqual(warnings, []);
  });

  it('still takes the bare names of the previous release, each with one deprecation warning naming the new key', () => {
    const { config, warnings } = load({
      SESSION_TOKEN_TTL_SEC: '3601',
      INFERENCE_TOKEN_TTL_SEC: '121',
      SESSION_RATE_LIMIT: '8',
      SESSION_RATE_WINDOW_SEC: '10',
      CONSOLE_CLIPS_DIR: '/old-clips',
    });
    assert.equal(config.CONTROL_PLANE_SESSION_TOKEN_TTL_SEC, 3601);
    assert.equal(config.CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC, 121);
    assert.equal(config.CONTROL_PLANE_SESSION_RATE_LIMIT, 8);
    assert.equal(config.CONTROL_PLANE_SESSION_RATE_WINDOW_SEC, 10);
    assert.equal(config.CONTROL_PLANE_CONSOLE_CLIPS_DIR, '/old-clips');
    assert.deepEqual(
      warnings.map((w) => w.fields).sort((a, b) => a.key!.localeCompare(b.key!)),
      [
        { key: 'CONSOLE_CLIPS_DIR', use: 'CONTROL_PLANE_CONSOLE_CLIPS_DIR' },
        { key: 'INFERENCE_TOKEN_TTL_SEC', use: 'CONTROL_PLANE_INFERENCE_TOKEN_TTL_SEC' },
        { key: 'SESSION_RATE_LIMIT', use: 'CONTROL_PLANE_SESSION_RATE_LIMIT' },
        { key: 'SESSION_RATE_WINDOW_SEC', use: 'CONTROL_PLANE_SESSION_RATE_WINDOW_SEC' },
        { key: 'SESSION_TOKEN_TTL_SEC', use: 'CONTROL_PLANE_SESSION_TOKEN_TTL_SEC' },
      ],
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
