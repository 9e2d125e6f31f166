import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { PoseModelName } from '@squirret/contracts';
import { PoseError, PosePool, type PoseTrack } from '@squirret/pose';
import type { InferenceConfig } from '../config/inference.config';
import { INF_CONFIG } from '../inference.tokens';
import { InferenceMetrics } from '../inference.metrics';
import type { FrameEstimate, FrameEstimator } from '../stream/stream-session';

/**
 * The pose worker pool of this node (INFERENCE_POSE_MODEL: BlazePose or MoveNet): started at boot (warm-up happens in the workers while the
 * server already answers health checks), ready only after every worker warmed up.
 */
@Injectable()
export class PoseEngine implements FrameEstimator, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('pose');
  private readonly pool: PosePool | undefined;
  private warm = false;
  private markWarm: () => void = () => undefined;
  /** Resolves once every worker has warmed up (never, when the model is disabled or failed). */
  readonly warmed = new Promise<void>((resolve) => (this.markWarm = resolve));
  private failure: string | undefined;
  backend: string | undefined;

  constructor(
    @Inject(INF_CONFIG) private readonly config: InferenceConfig,
    @Optional() private readonly metrics?: InferenceMetrics,
  ) {
    this.pool =
      config.INFERENCE_POSE_WORKERS > 0
        ? new PosePool({
            workers: config.INFERENCE_POSE_WORKERS,
            model: config.INFERENCE_POSE_MODEL,
            pipelineDepth: config.INFERENCE_POSE_PIPELINE_DEPTH,
            // Each session has at most one frame in the pool; the queue holds one per session.
            maxQueue: config.INFERENCE_CAPACITY,
            backend: config.INFERENCE_POSE_BACKEND,
            limits: { maxBytes: config.INFERENCE_MAX_IMAGE_BYTES, maxPixels: config.INFERENCE_MAX_IMAGE_PIXELS },
            onEvent: (e) => {
              if (e.type === 'worker-ready') {
                this.backend = e.backend.name;
                this.logger.log({ workerId: e.workerId, backend: e.backend.name, loadMs: e.loadMs, warmupMs: e.warmupMs }, 'pose worker ready');
              } else this.logger.warn({ ...e }, `pose pool: ${e.type}`);
            },
          })
        : undefined;
  }

  /** False while warming up (or when the model is disabled with INFERENCE_POSE_WORKERS=0). */
  get ready(): boolean {
    return this.warm;
  }

  /** The model this node runs. */
  get model(): PoseModelName {
    return this.config.INFERENCE_POSE_MODEL;
  }

  get enabled(): boolean {
    return this.pool !== undefined;
  }

  get problem(): string | undefined {
    return this.failure;
  }

  onApplicationBootstrap(): void {
    if (!this.pool) return;
    const t0 = Date.now();
    this.pool
      .start()
      .then(() => {
        this.warm = true;
        this.markWarm();
        this.logger.log(
          { model: this.config.INFERENCE_POSE_MODEL, workers: this.config.INFERENCE_POSE_WORKERS, pipelineDepth: this.config.INFERENCE_POSE_PIPELINE_DEPTH, ms: Date.now() - t0 },
          'pose model warm',
        );
      })
      .catch((err: unknown) => {
        this.failure = err instanceof Error ? err.message : String(err);
        this.logger.error({ err: this.failure }, 'pose model failed to start');
      });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }

  async estimate(image: Uint8Array, track?: PoseTrack): Promise<FrameEstimate> {
    if (!this.pool) throw new PoseError('POOL_NOT_STARTED', 'this node runs without a pose model (INFERENCE_POSE_WORKERS=0)');
    const r = await this.pool.estimate(image, track).catch((err: unknown) => {
      this.metrics?.dropped.inc({ reason: err instanceof PoseError ? err.code.toLowerCase() : 'error' });
      throw err;
    });
    this.metrics?.pose(r);
    return {
      model: this.config.INFERENCE_POSE_MODEL,
      keypoints: r.keypoints,
      ...(r.feet !== undefined ? { feet: r.feet } : {}),
      ...(r.landmarks !== undefined ? { landmarks: r.landmarks } : {}),
      ...(r.track !== undefined ? { track: r.track } : {}),
      frame: r.frame,
      inferenceMs: r.inferenceMs,
    };
  }
}
