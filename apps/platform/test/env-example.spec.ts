import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHAT_RENAMED_KEYS, ChatConfigSchema } from '@squirret/chat';
import { CONTROL_PLANE_RENAMED_KEYS, ControlPlaneConfigSchema } from '@squirret/control-plane';
import { FsrConfigSchema } from '@squirret/fsr';
import { INFERENCE_RENAMED_KEYS, InferenceConfigSchema } from '@squirret/inference';
import { REPO_ROOT } from '@squirret/testing';
import { PlatformConfigSchema } from '../src/platform.config';

const schemas = [PlatformConfigSchema, ControlPlaneConfigSchema, InferenceConfigSchema, FsrConfigSchema, ChatConfigSchema];
const known = new Set(schemas.flatMap((s) => Object.keys(s.shape)));
const deprecated = new Set([...Object.keys(INFERENCE_RENAMED_KEYS), ...Object.keys(CHAT_RENAMED_KEYS), ...Object.keys(CONTROL_PLANE_RENAMED_KEYS)]);

describe('.env.example', () => {
  const keys = [...readFileSync(join(REPO_ROOT, '.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);

  it('names only keys some config schema reads, and none by a deprecated name', () => {
    assert.ok(keys.length > 50, `found ${keys.length} keys`);
    assert.deepEqual(keys.filter((k) => !known.has(k)), []);
    assert.deepEqual(keys.filter((k) => deprecated.has(k)), []);
  });

  it('every renamed key maps to a key of its schema', () => {
    for (const to of Object.values(INFERENCE_RENAMED_KEYS)) assert.ok(to in InferenceConfigSchema.shape, to);
    for (const to of Object.values(CHAT_RENAMED_KEYS)) assert.ok(to in ChatConfigSchema.shape, to);
    for (const to of Object.values(CONTROL_PLANE_RENAMED_KEYS)) assert.ok(to in ControlPlaneConfigSchema.shape, to);
  });
});
