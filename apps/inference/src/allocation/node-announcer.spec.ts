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
    const base = { INFERENCE_TOKEN_SECRET: SECRET, POSE_WORKERS: '0' };
    assert.equal(loadInferenceConfig({ ...base, NODE_ID: 'inference-0', PUBLIC_WS_BASE: 'ws://gw/inference/{nodeId}' }).NODE_ID, 'inference-0');
    assert.throws(() => loadInferenceConfig({ ...base, NODE_ID: 'a/b' }), /NODE_ID/);
    assert.throws(() => loadInferenceConfig({ ...base, NODE_ID: '-a' }), /NODE_ID/);
    assert.throws(() => loadInferenceConfig({ ...base, PUBLIC_WS_BASE: 'ws://gw/inference?x=1' }), /PUBLIC_WS_BASE/);
    assert.throws(() => loadInferenceConfig({ ...base, PUBLIC_WS_BASE: 'http://gw' }), /PUBLIC_WS_BASE/);
  });
});
