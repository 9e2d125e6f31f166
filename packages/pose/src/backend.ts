import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** TF.js backends this package runs MoveNet on: native libtensorflow or WebAssembly (XNNPACK). */
export type BackendName = 'tensorflow' | 'wasm';
/** Which backend to ask for: `auto` takes tfjs-node when it is installed, else WASM. */
export type BackendPreference = 'auto' | BackendName;

/** The backend a thread ended up on, and why (for logs and the /health answer). */
export interface BackendInfo {
  readonly name: BackendName;
  readonly detail: string;
}

const TFJS_NODE = '@tensorflow/tfjs-node';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

// TF.js keeps its backend in module state, so each thread (main or worker) initialises once.
let initialised: Promise<BackendInfo> | undefined;

export function initBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  initialised ??= selectBackend(preference).catch((error: unknown) => {
    initialised = undefined;
    throw error;
  });
  return initialised;
}

async function selectBackend(preference: BackendPreference): Promise<BackendInfo> {
  if (preference !== 'wasm') {
    const native = await tryNativeBackend();
    if (native.ok) return { name: 'tensorflow', detail: native.detail };
    if (preference === 'tensorflow') throw new Error(`backend "tensorflow" requested: ${native.detail}`);
    return initWasm(`${native.detail}; using WASM`);
  }
  return initWasm('WASM requested');
}

async function tryNativeBackend(): Promise<{ ok: boolean; detail: string }> {
  try {
    require.resolve(TFJS_NODE);
  } catch {
    return { ok: false, detail: `${TFJS_NODE} is not installed` };
  }
  try {
    // Optional dependency: a guarded require so builds without it (no libtensorflow download) still work.
    // Loading it registers the `tensorflow` backend in the shared @tensorflow/tfjs-core instance.
    const loaded: unknown = require(TFJS_NODE);
    if (loaded === undefined) return { ok: false, detail: `${TFJS_NODE} loaded nothing` };
    if (!(await tf.setBackend('tensorflow'))) {
      return { ok: false, detail: `${TFJS_NODE} is installed but its backend did not register with this tfjs-core` };
    }
    await tf.ready();
    return { ok: true, detail: `${TFJS_NODE} (native libtensorflow)` };
  } catch (error) {
    return { ok: false, detail: `${TFJS_NODE} failed to load: ${(error as Error).message}` };
  }
}

/** Folder of the .wasm binaries inside the installed tfjs-backend-wasm package, with a trailing separator. */
export function wasmBinaryDir(): string {
  // The package's `main` is dist/tf-backend-wasm.node.js; the binaries sit beside it.
  const dir = dirname(require.resolve(WASM_PACKAGE));
  const missing = WASM_BINARIES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new Error(`${WASM_PACKAGE}: missing ${missing.join(', ')} in ${dir}`);
  return dir.endsWith(sep) ? dir : dir + sep;
}

async function initWasm(reason: string): Promise<BackendInfo> {
  // The threaded build starts its pthreads from Blob URLs, which Node's worker_threads cannot run;
  // we parallelise with one single-threaded model per worker_thread instead.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Under Node, Emscripten reads the binary with fs from `prefix + name`: a plain path prefix works
  // and nothing is fetched.
  setWasmPaths(wasmBinaryDir());
  if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend failed to initialise');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { name: 'wasm', detail: `${reason} (${simd ? 'SIMD' : 'no SIMD'}, 1 thread)` };
}
