import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PoseError, fromPoseErrorShape } from './pose.errors';
import type { FromPoseWorker, PoseWorkerInit } from './worker-protocol';

/** The compiled worker entry beside this file (dist/worker.js); runs only from compiled output. */
export const DEFAULT_WORKER_SCRIPT = join(__dirname, 'worker.js');

/** A worker's warm-up report. */
export type WorkerReady = Extract<FromPoseWorker, { type: 'ready' }>;

/** A pose worker that has been started, and the promise of it being warm. */
export interface StartingWorker {
  readonly worker: Worker;
  /** Resolves once the model is loaded and warm; rejects with MODEL_LOAD_FAILED if the worker fails or dies first. */
  readonly ready: Promise<WorkerReady>;
}

export function spawnWarmWorker(script: string, init: PoseWorkerInit): StartingWorker {
  const worker = new Worker(script, { workerData: init });
  const ready = new Promise<WorkerReady>((resolve, reject) => {
    let lastError: Error | undefined;
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    const onMessage = (msg: FromPoseWorker): void => {
      if (msg.type === 'ready') {
        cleanup();
        resolve(msg);
      } else if (msg.type === 'init-failed') {
        cleanup();
        void worker.terminate();
        reject(fromPoseErrorShape(msg.error));
      }
    };
    // Stays attached for the worker's life: an 'error' event with no listener would throw in the main thread.
    worker.on('error', (error: Error) => {
      lastError = error;
    });
    const onExit = (code: number): void => {
      cleanup();
      const why = lastError ? `: ${lastError.message}` : '';
      reject(new PoseError('MODEL_LOAD_FAILED', `pose worker exited with code ${code} before it was ready${why}`));
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
  return { worker, ready };
}

/** Copies bytes into a fresh, exactly sized ArrayBuffer that can be transferred to a worker. */
export function transferableCopy(bytes: Uint8Array): ArrayBuffer {
  // Never transfer the caller's own buffer: a Buffer is often a slice of a shared pool (or of a
  // WebSocket receive buffer) and transferring would detach memory that other code still uses.
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}
