// Entry point of one pose worker thread (see worker-runner.ts). Run from the compiled dist/worker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { runPoseWorker } from './worker-runner';
import type { PoseWorkerInit } from './worker-protocol';

if (parentPort === null) throw new Error('worker.js must run inside a worker thread (see PosePool)');
void runPoseWorker(parentPort, workerData as PoseWorkerInit);
