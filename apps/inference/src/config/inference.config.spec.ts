import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { INFERENCE_RENAMED_KEYS, loadInferenceConfig } from './inference.config';

const secret = { INFERENCE_TOKEN_SECRET: 'inference-secret-inference-secret-inference' };

describe('inference config', () => {
  it('reads its own keys under INFERENCE_ and still takes the old bare names for a release', () => {
    assert.equal(loadInferenceConfig({ ...secret, INFERENCE_CAPACITY: '3' }).INFERENCE_CAPACITY, 3);
    const old = loadInferenceConfig({ ...secret, CAPACITY: '4', HEARTBEAT_MS: '250' });
    assert.equal(old.INFERENCE_CAPACITY, 4);
    assert.equal(old.INFERENCE_HEARTBEAT_MS, 250);
    // The name the gateway reads until it moves to the realtime layer carries the same value.
    assert.equal(old.CAPACITY, 4);
    for (const [from, to] of Object.entries(INFERENCE_RENAMED_KEYS)) assert.equal(to, `INFERENCE_${from}`);
  });
});
