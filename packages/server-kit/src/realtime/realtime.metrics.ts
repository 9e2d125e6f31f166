import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * One gateway's counts, kept as plain numbers on the hot path (a labelled prom-client `inc` per
 * frame costs a label lookup; 1,000 STOMP pushes a second should not pay it) and read into the
 * registry when it is scraped.
 */
export class GatewayStats {
  open = 0;
  opened = 0;
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Closes by WebSocket close code (what the peer saw, or 1006 for a cut-off). */
  readonly closes = new Map<number, number>();
  /** Upgrades refused before the handshake, by HTTP status. */
  readonly refusals = new Map<number, number>();
  /** Handler exceptions contained by closing their socket (1011). */
  faults = 0;

  constructor(readonly gateway: string) {}

  closed(code: number): void {
    this.open--;
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
  }

  refused(status: number): void {
    this.refusals.set(status, (this.refusals.get(status) ?? 0) + 1);
  }
}

const registered = new WeakMap<Registry, Map<string, GatewayStats>>();

/**
 * The realtime metrics of a registry, labelled by gateway: `realtime_connections` (open),
 * `realtime_connections_total`, `realtime_messages_total` and `realtime_bytes_total` by direction,
 * `realtime_closes_total` by code, `realtime_upgrade_refusals_total` by status and
 * `realtime_faults_total`. Returns the stats object of `gateway` (one per name and registry).
 */
export function gatewayStats(registry: Registry, gateway: string): GatewayStats {
  let all = registered.get(registry);
  if (!all) {
    all = new Map();
    registered.set(registry, all);
    register(registry, all);
  }
  let stats = all.get(gateway);
  if (!stats) all.set(gateway, (stats = new GatewayStats(gateway)));
  return stats;
}

function register(registry: Registry, all: Map<string, GatewayStats>): void {
  const registers = [registry];
  new Gauge({
    name: 'realtime_connections',
    help: 'Open WebSocket connections by gateway',
    labelNames: ['gateway'],
    registers,
    collect() {
      for (const s of all.values()) this.set({ gateway: s.gateway }, s.open);
    },
  });
  const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter<string>, s: GatewayStats) => void) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const s of all.values()) fill(this, s);
      },
    });
  counter('realtime_connections_total', 'WebSocket connections accepted by gateway', ['gateway'], (c, s) => c.inc({ gateway: s.gateway }, s.opened));
  counter('realtime_messages_total', 'WebSocket messages by gateway and direction', ['gateway', 'direction'], (c, s) => {
    c.inc({ gateway: s.gateway, direction: 'in' }, s.messagesIn);
    c.inc({ gateway: s.gateway, direction: 'out' }, s.messagesOut);
  });
  counter('realtime_bytes_total', 'WebSocket payload bytes by gateway and direction', ['gateway', 'direction'], (c, s) => {
    c.inc({ gateway: s.gateway, direction: 'in' }, s.bytesIn);
    c.inc({ gateway: s.gateway, direction: 'out' }, s.bytesOut);
  });
  counter('realtime_closes_total', 'WebSocket closes by gateway and close code', ['gateway', 'code'], (c, s) => {
    for (const [code, n] of s.closes) c.inc({ gateway: s.gateway, code: String(code) }, n);
  });
  counter('realtime_upgrade_refusals_total', 'WebSocket upgrades refused before the handshake, by gateway and HTTP status', ['gateway', 'status'], (c, s) => {
    for (const [status, n] of s.refusals) c.inc({ gateway: s.gateway, status: String(status) }, n);
  });
  counter('realtime_faults_total', 'Handler exceptions contained by closing their socket (1011), by gateway', ['gateway'], (c, s) => c.inc({ gateway: s.gateway }, s.faults));
}
