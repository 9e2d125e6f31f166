import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadInferenceConfig } from '../config/inference.config';
import { publicWsBase } from './node-announcer';

const SECRET = 'announcer-spec-secret-announcer-spec-secret';

describe('the public base a node announces', () => {
  it('names the node behind the gateway: {nodeId} is replaced, a trailing slash dropped', () => {
    assert.equal(publicWsBase('wss://gw.example.com/inference/{nodeId}/', 'inference-0'), 'wss://gw.example.com/inference/inference-0');
    assert.equal(publicWsBase('ws://127.0.0.1:8080/inference/{nodeId}', 'node.a_1'), 'ws://127.0.0.1:8080/inference/node.a_1');
    // a per-node host works the same way
    assert.equal(publicWsBase('wss://{nodeId}.inference.example.com', 'inference-1'), 'wss://inference-1.inference.example.com');
    assert.equal(publicWsBase('wss://inference-1.example.com', 'whatever'), 'wss://inference-1.example.com');
  });

  it('config refuses a node id the gateway cannot route and a base with a query', () => {
    const base = { INFERENCE_TOKEN_SECRET: SECRET, INFERENCE_POSE_WORKERS: '0' };
    assert.equal(loadInferenceConfig({ ...base, INFERENCE_NODE_ID: 'inference-0', INFERENCE_PUBLIC_WS_BASE: 'ws://gw/inference/{nodeId}' }).NODE_ID, 'inference-0');
    assert.throws(() => loadInferenceConfig({ ...base, INFERENCE_NODE_ID: 'a/b' }), /INFERENCE_NODE_ID/);
    assert.throws(() => loadInferenceConfig({ ...base, INFERENCE_NODE_ID: '-a' }), /INFERENCE_NODE_ID/);
    assert.throws(() => loadInferenceConfig({ ...base, INFERENCE_PUBLIC_WS_BASE: 'ws://gw/inference?x=1' }), /INFERENCE_PUBLIC_WS_BASE/);
    assert.throws(() => loadInferenceConfig({ ...base, INFERENCE_PUBLIC_WS_BASE: 'http://gw' }), /INFERENCE_PUBLIC_WS_BASE/);
  });
});
