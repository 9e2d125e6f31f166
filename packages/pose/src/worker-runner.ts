// The body of one pose worker thread: loads the configured pose model (MoveNet or BlazePose), warms
// up, then decodes and estimates frames strictly one at a time, in the order the main thread sent
// them. The pool may post a worker its next frame before the current one is done (pipelineDepth);
// that frame waits in the inbox here, so the worker starts it the moment it posts the previous result.
import { performance } from 'node:perf_hooks';
import type { MessagePort } from 'node:worker_threads';
import type { PoseModelName } from '@squirret/contracts';
import type { BackendPreference } from './backend';
import type { PoseTrack } from './blazepose/blazepose-estimator';
import { loadPoseModel, type PoseModel } from './pose-model';
import { toPoseErrorShape } from './pose.errors';
import type { FromPoseWorker, PoseWorkerInit, ToPoseWorker } from './worker-protocol';

/** Loads the worker's model (loadPoseModel; test fixtures wrap it). */
export type PoseModelLoader = (name: PoseModelName, backend: BackendPreference) => Promise<PoseModel>;

type EstimateMessage = Extract<ToPoseWorker, { type: 'estimate' }>;

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

/** Serves the pool's messages on `port` until the thread is terminated. */
export async function runPoseWorker(port: MessagePort, init: PoseWorkerInit, load: PoseModelLoader = loadPoseModel): Promise<void> {
  let estimator: PoseModel;
  let warmupMs: number;
  try {
    estimator = await load(init.model, init.backend);
    warmupMs = await estimator.warmup(init.warmupRuns);
  } catch (error) {
    reply(port, { type: 'init-failed', error: { code: 'MODEL_LOAD_FAILED', message: toPoseErrorShape(error).message } });
    return;
  }
  const ready = estimator;
  const inbox: EstimateMessage[] = [];
  let running = false;

  // One frame at a time: decoding awaits libvips, so without this a frame arriving meanwhile would
  // start concurrently and both would share the core (and the job timeouts would be wrong).
  const runInbox = async (): Promise<void> => {
    running = true;
    for (let msg = inbox.shift(); msg !== undefined; msg = inbox.shift()) {
      let out: FromPoseWorker;
      try {
        const r = await ready.estimateImage(new Uint8Array(msg.image), init.limits, msg.track);
        out = { type: 'result', jobId: msg.jobId, ...r };
      } catch (error) {
        out = { type: 'failed', jobId: msg.jobId, error: toPoseErrorShape(error) };
      }
      reply(port, out);
    }
    running = false;
  };

  port.on('message', (msg: ToPoseWorker) => {
    switch (msg.type) {
      case 'estimate':
        inbox.push(msg);
        if (!running) void runInbox();
        break;
      case 'cancel': {
        // Only a frame that has not started can be dropped; a started one answers as usual.
        const at = inbox.findIndex((e) => e.jobId === msg.jobId);
        if (at >= 0) {
          inbox.splice(at, 1);
          reply(port, { type: 'cancelled', jobId: msg.jobId });
        }
        break;
      }
      case 'loop':
        runLoop(ready, init, msg).then(
          (done) => reply(port, done),
          (error: unknown) => reply(port, { type: 'loop-failed', error: toPoseErrorShape(error) }),
        );
        break;
    }
  });
  reply(port, { type: 'ready', backend: estimator.backend, loadMs: estimator.loadMs, warmupMs });
}
