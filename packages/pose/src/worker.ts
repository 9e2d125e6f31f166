// Entry point of one pose worker thread: loads the configured pose model (MoveNet or BlazePose), warms up, then decodes and estimates frames
// one at a time as the main thread sends them. Run from the compiled dist/worker.js.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { PoseTrack } from './blazepose/blazepose-estimator';
import { loadPoseModel, type PoseModel } from './pose-model';
import { toPoseErrorShape } from './pose.errors';
import type { FromPoseWorker, PoseWorkerInit, ToPoseWorker } from './worker-protocol';

function reply(port: MessagePort, message: FromPoseWorker): void {
  port.postMessage(message);
}

async function runLoop(
  estimator: PoseModel,
  init: PoseWorkerInit,
  msg: Extract<ToPoseWorker, { type: 'loop' }>,
): Promise<FromPoseWorker> {
  const frames = msg.frames.map((f) => new Uint8Array(f));
  if (frames.length === 0) throw new Error('bare loop needs at least one frame');
  const decodeMs: number[] = [];
  const inferenceMs: number[] = [];
  const started = performance.now();
  const deadline = started + msg.durationMs;
  let i = msg.offset;
  let track: PoseTrack | undefined;
  let detectorRuns = 0;
  while (performance.now() < deadline) {
    const frame = frames[i++ % frames.length] as Uint8Array;
    const r = await estimator.estimateImage(frame, init.limits, track);
    track = r.track;
    if (r.detectorRan === true) detectorRuns++;
    decodeMs.push(r.decodeMs);
    inferenceMs.push(r.inferenceMs);
  }
  return {
    type: 'loop-done',
    framesDone: inferenceMs.length,
    elapsedMs: performance.now() - started,
    decodeMs,
    inferenceMs,
    detectorRuns,
  };
}

async function main(port: MessagePort, init: PoseWorkerInit): Promise<void> {
  let estimator: PoseModel;
  let warmupMs: number;
  try {
    estimator = await loadPoseModel(init.model, init.backend);
    warmupMs = await estimator.warmup(init.warmupRuns);
  } catch (error) {
    reply(port, { type: 'init-failed', error: { code: 'MODEL_LOAD_FAILED', message: toPoseErrorShape(error).message } });
    return;
  }
  const ready = estimator;
  port.on('message', (msg: ToPoseWorker) => {
    if (msg.type === 'estimate') {
      ready.estimateImage(new Uint8Array(msg.image), init.limits, msg.track).then(
        (r) => reply(port, { type: 'result', jobId: msg.jobId, ...r }),
        (error: unknown) => reply(port, { type: 'failed', jobId: msg.jobId, error: toPoseErrorShape(error) }),
      );
    } else {
      runLoop(ready, init, msg).then(
        (done) => reply(port, done),
        (error: unknown) => reply(port, { type: 'loop-failed', error: toPoseErrorShape(error) }),
      );
    }
  });
  reply(port, { type: 'ready', backend: estimator.backend, loadMs: estimator.loadMs, warmupMs });
}

if (parentPort === null) throw new Error('worker.js must run inside a worker thread (see PosePool)');
void main(parentPort, workerData as PoseWorkerInit);
