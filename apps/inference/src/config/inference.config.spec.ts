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

  it('lets a pose worker hold 2 frames by default; 1 (one at a time) to 8 are accepted, 0 and 9 refused', () => {
    assert.equal(loadInferenceConfig(secret).INFERENCE_POSE_PIPELINE_DEPTH, 2);
    assert.equal(loadInferenceConfig({ ...secret, INFERENCE_POSE_PIPELINE_DEPTH: '1' }).INFERENCE_POSE_PIPELINE_DEPTH, 1);
    assert.equal(loadInferenceConfig({ ...secret, INFERENCE_POSE_PIPELINE_DEPTH: '8' }).INFERENCE_POSE_PIPELINE_DEPTH, 8);
    assert.throws(() => loadInferenceConfig({ ...secret, INFERENCE_POSE_PIPELINE_DEPTH: '0' }), /INFERENCE_POSE_PIPELINE_DEPTH/);
    assert.throws(() => loadInferenceConfig({ ...secret, INFERENCE_POSE_PIPELINE_DEPTH: '9' }), /INFERENCE_POSE_PIPELINE_DEPTH: at most 8/);
    assert.throws(() => loadInferenceConfig({ ...secret, INFERENCE_POSE_PIPELINE_DEPTH: 'two' }), /INFERENCE_POSE_PIPELINE_DEPTH/);
  });

  it('pings the frame socket every 15 s by default; 0 turns pings off; a period under 50 ms is refused', () => {
    assert.equal(loadInferenceConfig(secret).INFERENCE_WS_PING_MS, 15_000);
    assert.equal(loadInferenceConfig({ ...secret, INFERENCE_WS_PING_MS: '0' }).INFERENCE_WS_PING_MS, 0);
    assert.equal(loadInferenceConfig({ ...secret, INFERENCE_WS_PING_MS: '200' }).INFERENCE_WS_PING_MS, 200);
    assert.throws(() => loadInferenceConfig({ ...secret, INFERENCE_WS_PING_MS: '10' }), /INFERENCE_WS_PING_MS: must be 0 \(no pings\) or at least 50/);
    assert.throws(() => loadInferenceConfig({ ...secret, INFERENCE_WS_PING_MS: '-1' }), /INFERENCE_WS_PING_MS/);
  });
});
