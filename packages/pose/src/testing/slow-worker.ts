// Test fixture: the real pose worker, except that a frame made with slowFrame(ms, image) blocks the
// thread for `ms` when it starts (the way a stuck kernel would) and is then estimated from `image`;
// and a frame that starts while another is still running fails with "two frames at once".
import { parentPort, workerData } from 'node:worker_threads';
import { loadPoseModel } from '../pose-model';
import { runPoseWorker } from '../worker-runner';
import type { PoseWorkerInit } from '../worker-protocol';
import { parseSlowFrame } from './slow-magic';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
let running = 0;

if (parentPort === null) throw new Error('slow-worker.js must run inside a worker thread');
void runPoseWorker(parentPort, workerData as PoseWorkerInit, async (name, backend) => {
  const model = await loadPoseModel(name, backend);
  return {
    ...model,
    async estimateImage(bytes, limits, track) {
      if (running > 0) throw new Error('two frames at once in one worker');
      running++;
      try {
        const slow = parseSlowFrame(bytes);
        if (slow === undefined) return await model.estimateImage(bytes, limits, track);
        Atomics.wait(sleeper, 0, 0, slow.ms);
        return await model.estimateImage(slow.image, limits, track);
      } finally {
        running--;
      }
    },
  };
});
