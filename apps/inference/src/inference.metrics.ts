import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '@squirret/server-kit';
import { Gauge, type Counter, type Histogram } from 'prom-client';
import { NodeAnnouncer } from './allocation/node-announcer';
import type { InferenceConfig } from './config/inference.config';
import { INF_CONFIG } from './inference.tokens';

/** Every series the data plane exports (dashboards, alert rules and the HPA name these). */
export const INFERENCE_METRICS = {
  frames: 'inference_frames_total',
  refusals: 'inference_refusals_total',
  dropped: 'inference_frames_dropped_total',
  queueWait: 'inference_pose_queue_wait_seconds',
  decode: 'inference_decode_seconds',
  model: 'inference_model_seconds',
  analysis: 'inference_analysis_seconds',
  endToEnd: 'inference_frame_seconds',
  sessions: 'inference_sessions',
  capacity: 'inference_capacity',
  loadRatio: 'inference_load_ratio',
  draining: 'inference_draining',
  ready: 'inference_ready',
} as const;

/** Frame stages take milliseconds; a saturated node's end to end reaches seconds. */
const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5];

/** The data plane's Prometheus series: frame stage latencies, load gauges, drops by reason. */
@Injectable()
export class InferenceMetrics {
  readonly queueWait: Histogram;
  readonly decode: Histogram;
  readonly model: Histogram;
  readonly analysis: Histogram;
  readonly endToEnd: Histogram;
  readonly dropped: Counter<'reason'>;

  constructor(metrics: MetricsService, announcer: NodeAnnouncer, @Inject(INF_CONFIG) config: InferenceConfig) {
    const h = (name: string, help: string) => metrics.histogram({ name, help, buckets: STAGE_BUCKETS });
    this.queueWait = h(INFERENCE_METRICS.queueWait, 'Time a frame waited for a pose worker');
    this.decode = h(INFERENCE_METRICS.decode, 'JPEG decode and resize in the pose worker');
    this.model = h(INFERENCE_METRICS.model, 'Pose model inference in the pose worker');
    this.analysis = h(INFERENCE_METRICS.analysis, 'Squat analyzer step of one frame');
    this.endToEnd = h(INFERENCE_METRICS.endToEnd, 'Frame receipt to analysis answer (end to end on the node)');
    this.dropped = metrics.counter({ name: INFERENCE_METRICS.dropped, help: 'Frames not analysed, by reason (replaced: a newer frame won; pool errors by code)', labelNames: ['reason'] });
    gauge(metrics, INFERENCE_METRICS.sessions, 'Live streams on this node', () => announcer.load);
    gauge(metrics, INFERENCE_METRICS.capacity, 'Concurrent sessions this node accepts (CAPACITY)', () => config.CAPACITY);
    gauge(metrics, INFERENCE_METRICS.loadRatio, 'Live streams / capacity (the HPA scales on this)', () => announcer.load / config.CAPACITY);
    gauge(metrics, INFERENCE_METRICS.draining, '1 while the node drains (SIGTERM)', () => (announcer.draining ? 1 : 0));
    gauge(metrics, INFERENCE_METRICS.ready, '1 when the node takes sessions (model warm, not draining)', () => (announcer.ready && !announcer.draining ? 1 : 0));
  }

  /** Observes one pose estimate's timings (ms, from the pool). */
  pose(t: { queueMs: number; decodeMs: number; inferenceMs: number }): void {
    this.queueWait.observe(t.queueMs / 1000);
    this.decode.observe(t.decodeMs / 1000);
    this.model.observe(t.inferenceMs / 1000);
  }

  /** Observes an answer sent to a client (its processingMs is receipt to answer). */
  answered(m: { type: string; processingMs?: number }): void {
    if (m.type === 'analysis' && m.processingMs !== undefined) this.endToEnd.observe(m.processingMs / 1000);
  }
}

function gauge(metrics: MetricsService, name: string, help: string, read: () => number): void {
  if (metrics.registry.getSingleMetric(name)) return;
  new Gauge({
    name,
    help,
    registers: [metrics.registry],
    collect() {
      this.set(read());
    },
  });
}
