// Test fixture: the real pose worker, except that a frame starting with CRASH_MAGIC kills the thread
// while the job is in flight, the way a native fault in a decoder or kernel would.
import '../worker';
import { parentPort } from 'node:worker_threads';
import { CRASH_MAGIC } from './crash-magic';
import type { ToPoseWorker } from '../worker-protocol';

const magic = Buffer.from(CRASH_MAGIC);

// Registered at load, while the real worker is still loading its model, so this listener runs first
// and the thread exits before the real handler starts on the frame.
parentPort?.on('message', (msg: ToPoseWorker) => {
  if (msg.type === 'estimate' && Buffer.from(msg.image).subarray(0, magic.length).equals(magic)) process.exit(70);
});
