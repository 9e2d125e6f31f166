import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZEPOSE_FEATURE_NAMES, MOVENET_FEATURE_NAMES } from '../rep-features';
import type { FittedModel, ModelPose } from './model.types';

/**
 * Loads the fitted models shipped as JSON in `packages/squat/models/` (written by the lab's `fit`).
 * Each is checked against the feature names this build computes: a model fitted on other features
 * would silently read the wrong columns, so a mismatch throws at load time.
 */

/** The folder of the shipped model files (beside `dist/`). */
export const MODELS_DIR = join(__dirname, '..', '..', 'models');

/** The feature names each pose path's model must have, in order. */
export const EXPECTED_FEATURE_NAMES: Readonly<Record<ModelPose, readonly string[]>> = {
  movenet: MOVENET_FEATURE_NAMES,
  blazepose: BLAZEPOSE_FEATURE_NAMES,
};

/** Thrown when a model file does not match the features of this build (or is not a model at all). */
export class ModelMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelMismatchError';
  }
}

/** Checks a parsed model against the expected features of `pose`; returns it typed, or throws `ModelMismatchError`. */
export function checkModel(value: unknown, pose: ModelPose, source: string): FittedModel {
  const m = value as Partial<FittedModel> | null;
  if (m === null || typeof m !== 'object' || m.version !== 1 || !Array.isArray(m.featureNames) || !m.classifier || !m.thresholds || !Array.isArray(m.classes)) {
    throw new ModelMismatchError(`${source}: not a fitted squat model (version 1 with featureNames, classes, classifier, thresholds)`);
  }
  if ((m.pose ?? 'movenet') !== pose) throw new ModelMismatchError(`${source}: fitted for pose "${m.pose ?? 'movenet'}", expected "${pose}"`);
  const want = EXPECTED_FEATURE_NAMES[pose];
  const got = m.featureNames;
  const firstDiff = want.findIndex((n, i) => got[i] !== n);
  if (got.length !== want.length || firstDiff >= 0) {
    const at = firstDiff >= 0 ? firstDiff : Math.min(got.length, want.length);
    throw new ModelMismatchError(
      `${source}: feature names do not match this build (${got.length} in the file, ${want.length} computed; first difference at ${at}: ` +
        `file "${String(got[at])}", computed "${String(want[at])}"); refit with the lab's fit`,
    );
  }
  return m as FittedModel;
}

/** Reads and checks `models/<pose>.json` (or `file`). */
export function loadModelFile(pose: ModelPose, file: string = join(MODELS_DIR, `${pose}.json`)): FittedModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e: unknown) {
    throw new ModelMismatchError(`${file}: cannot read the fitted model (${e instanceof Error ? e.message : String(e)})`);
  }
  return checkModel(parsed, pose, file);
}

const shipped = new Map<ModelPose, FittedModel>();

/** One shipped model, read and checked once (the first analyzer that needs it loads it; a mismatch fails that analyzer). */
export function shippedModel(pose: ModelPose): FittedModel {
  let m = shipped.get(pose);
  if (!m) {
    m = loadModelFile(pose);
    shipped.set(pose, m);
  }
  return m;
}

/** Both shipped models (MoveNet path and BlazePose path). */
export function shippedModels(): Readonly<Record<ModelPose, FittedModel>> {
  return { movenet: shippedModel('movenet'), blazepose: shippedModel('blazepose') };
}
