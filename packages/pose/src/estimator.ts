import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import type { Keypoint } from '@squirret/contracts';
import { type BackendInfo, type BackendPreference, initBackend } from './backend';
import { decodeToModelInput, type FrameSize } from './decode';
import { type ImageLimits, DEFAULT_IMAGE_LIMITS } from './image-limits';
import { decodeMoveNetOutput } from './keypoints';
import type { Letterbox } from './letterbox';
import { loadMoveNet, MOVENET_INPUT_SIZE, type MoveNetFiles } from './model-files';

/** How to load a PoseEstimator. */
export interface PoseEstimatorOptions {
  readonly backend?: BackendPreference;
  readonly files?: MoveNetFiles;
}

/** Keypoints of one frame and the time the model took on it. */
export interface PoseEstimate {
  readonly keypoints: Keypoint[];
  readonly inferenceMs: number;
}

/** Keypoints of one encoded image, with decode and inference times. */
export interface ImagePoseEstimate extends PoseEstimate {
  /** The oriented image's size (the keypoints are normalised to it through the letterbox). */
  readonly frame: FrameSize;
  readonly decodeMs: number;
}

const INPUT_VALUES = MOVENET_INPUT_SIZE * MOVENET_INPUT_SIZE * 3;

/**
 * One MoveNet Lightning model on the calling thread. Inference is synchronous on the CPU backends,
 * so one estimator serves one frame at a time; run several in a PosePool for parallelism.
 */
export class PoseEstimator {
  // Reused for every frame: the model wants int32, the decoder gives bytes.
  private readonly input = new Int32Array(INPUT_VALUES);
  private disposed = false;

  private constructor(
    private readonly model: tf.GraphModel,
    readonly backend: BackendInfo,
    readonly loadMs: number,
  ) {}

  static async load(options: PoseEstimatorOptions = {}): Promise<PoseEstimator> {
    const started = performance.now();
    const backend = await initBackend(options.backend ?? 'auto');
    const model = await loadMoveNet(options.files);
    return new PoseEstimator(model, backend, performance.now() - started);
  }

  /** Runs the model on blank frames so kernels and buffers are ready; returns the total ms. */
  async warmup(runs = 2): Promise<number> {
    const started = performance.now();
    const blank = new Uint8Array(INPUT_VALUES);
    for (let i = 0; i < runs; i++) await this.infer(blank);
    return performance.now() - started;
  }

  /** Estimates a pose from a letterboxed 192x192 RGB frame (see decodeToModelInput). */
  async estimate(rgb192: Uint8Array, letterbox: Letterbox): Promise<PoseEstimate> {
    if (letterbox.inputSize !== MOVENET_INPUT_SIZE) {
      throw new RangeError(`letterbox is for a ${letterbox.inputSize}px input, MoveNet takes ${MOVENET_INPUT_SIZE}`);
    }
    const started = performance.now();
    const raw = await this.infer(rgb192);
    return { keypoints: decodeMoveNetOutput(raw, letterbox), inferenceMs: performance.now() - started };
  }

  /** Decodes an encoded JPEG/PNG/WebP image and estimates its pose. */
  async estimateImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<ImagePoseEstimate> {
    const decoded = await decodeToModelInput(bytes, limits, MOVENET_INPUT_SIZE);
    const result = await this.estimate(decoded.rgb, decoded.letterbox);
    const frame = { width: decoded.letterbox.srcWidth, height: decoded.letterbox.srcHeight };
    return { ...result, frame, decodeMs: decoded.decodeMs };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private async infer(rgb: Uint8Array): Promise<Float32Array> {
    if (this.disposed) throw new Error('PoseEstimator is disposed');
    if (rgb.length !== INPUT_VALUES) throw new RangeError(`expected ${INPUT_VALUES} RGB bytes, got ${rgb.length}`);
    this.input.set(rgb);
    const input = tf.tensor4d(this.input, [1, MOVENET_INPUT_SIZE, MOVENET_INPUT_SIZE, 3], 'int32');
    let output: tf.Tensor | undefined;
    try {
      const result = this.model.execute(input);
      if (Array.isArray(result)) {
        tf.dispose(result);
        throw new Error(`MoveNet returned ${result.length} tensors, expected 1`);
      }
      output = result;
      const data = await output.data();
      if (!(data instanceof Float32Array)) throw new Error(`MoveNet output is ${output.dtype}, expected float32`);
      return data;
    } finally {
      input.dispose();
      output?.dispose();
    }
  }
}
