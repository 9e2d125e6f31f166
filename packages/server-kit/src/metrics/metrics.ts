import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { droppedBusPublishes } from '@squirret/bus';
import { slowConsumerCloseCount } from '../ws/bounded-send';
import { Counter, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type HistogramConfiguration } from 'prom-client';

/** Series every service exports through the kit (besides prom-client's process_* and nodejs_* defaults). */
export const KIT_METRICS = {
  httpDuration: 'http_request_duration_seconds',
  busDropped: 'bus_publishes_dropped_total',
  slowConsumerCloses: 'ws_slow_consumer_closes_total',
} as const;

/** The process's Prometheus registry; features register their own counters through it. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    // The event-loop delay histogram samples every 100 ms, not prom-client's default 10 ms: its
    // timer waking the loop 100 times a second cost about 1% of a core in an idle process (more than
    // 1,000 STOMP sessions' pushes; bench/README.md "stomp"); a stall still shows in full.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    this.httpDuration = new Histogram({
      name: KIT_METRICS.httpDuration,
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    new Counter({
      name: KIT_METRICS.busDropped,
      help: 'Bus events dropped (best effort) because Redis was away, by topic',
      labelNames: ['topic'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [topic, n] of droppedBusPublishes()) this.inc({ topic }, n);
      },
    });
    new Counter({
      name: KIT_METRICS.slowConsumerCloses,
      help: 'WebSocket clients closed with 4008 (their unsent backlog passed the limit)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(slowConsumerCloseCount());
      },
    });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    const existing = this.registry.getSingleMetric(config.name);
    if (existing) return existing as Counter<L>;
    return new Counter({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    const existing = this.registry.getSingleMetric(config.name);
    if (existing) return existing as Histogram<L>;
    return new Histogram({ ...config, registers: [this.registry] });
  }
}

/** `GET /metrics` in Prometheus text format. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
