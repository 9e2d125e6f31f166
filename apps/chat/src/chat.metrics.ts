import { Injectable } from '@nestjs/common';
import { MetricsService } from '@squirret/server-kit';
import { Counter, Gauge } from 'prom-client';
import { MessageWriter } from './conversations/message-writer';
import { RoomRelay } from './conversations/room-relay.service';

/** Every series the chat service exports besides the kit's (dashboards and alert rules name these). */
export const CHAT_METRICS = {
  deliveryLag: 'chat_delivery_lag_seconds',
  delivered: 'chat_messages_delivered_total',
  writerPending: 'chat_writer_pending_messages',
  writerInFlight: 'chat_writer_statements_in_flight',
  writerMaxInFlight: 'chat_writer_statements_max',
  writerFailures: 'chat_writer_failed_statements_total',
  stompConnections: 'stomp_connections',
  stompPushes: 'stomp_pushes_total',
} as const;

/** The chat figures an operator pages on: delivery lag, the group-commit writer's fill, failures. */
@Injectable()
export class ChatMetrics {
  constructor(metrics: MetricsService, writer: MessageWriter, relay: RoomRelay) {
    const lag = metrics.histogram({
      name: CHAT_METRICS.deliveryLag,
      help: 'Message stored (created_at) to delivered to this instance\'s sockets, local or through the bus',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    const delivered = metrics.counter({ name: CHAT_METRICS.delivered, help: 'Stored messages delivered to this instance\'s room subscribers' });
    relay.fanout.onDelivered = (m) => {
      delivered.inc();
      const at = Date.parse(m.createdAt);
      if (Number.isFinite(at)) lag.observe(Math.max(0, Date.now() - at) / 1000);
    };
    const read = (name: string, help: string, f: () => number, type: typeof Gauge | typeof Counter = Gauge) => {
      if (metrics.registry.getSingleMetric(name)) return;
      new type({
        name,
        help,
        registers: [metrics.registry],
        collect(this: Gauge | Counter) {
          this.reset();
          this.inc(f());
        },
      });
    };
    read(CHAT_METRICS.writerPending, 'Chat messages waiting for the group-commit writer', () => writer.stats().pending);
    read(CHAT_METRICS.writerInFlight, 'Writer statements running', () => writer.stats().inFlight);
    read(CHAT_METRICS.writerMaxInFlight, 'Writer statements allowed at once', () => writer.stats().maxInFlight);
    read(CHAT_METRICS.writerFailures, 'Writer statements that failed (retried group by group or refused)', () => writer.stats().failedStatements, Counter);
  }
}
