import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JOB_METRICS, MetricsService, registerJobQueueMetrics, type JobQueue } from '@squirret/server-kit';
import { CP_JOBS } from './control-plane.tokens';

/** Every series the control plane exports besides the kit's (dashboards and alert rules name these). */
export const CONTROL_PLANE_METRICS = { ...JOB_METRICS } as const;

/** The control plane's queue: depth by state and failed attempts. */
@Injectable()
export class ControlPlaneMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(CP_JOBS) private readonly jobs: JobQueue<Record<string, unknown>>,
  ) {}

  onModuleInit(): void {
    registerJobQueueMetrics(this.metrics, this.jobs);
  }
}
