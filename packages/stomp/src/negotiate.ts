/** A STOMP protocol version this server speaks. */
export type StompVersion = '1.0' | '1.1' | '1.2';

/** Versions in order of preference. */
export const SUPPORTED_VERSIONS: readonly StompVersion[] = ['1.2', '1.1', '1.0'];

/** WebSocket subprotocols for STOMP, in order of preference. */
export const STOMP_SUBPROTOCOLS: readonly string[] = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

/** Outcome of a negotiation: the agreed value, or why there is none. */
export type Negotiated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** This server's heart-beat capability, in ms (0 = cannot send / does not want any). */
export interface HeartbeatSettings {
  /** Smallest interval at which the server can send heart-beats (the `sx` of the spec). */
  readonly canSend: number;
  /** Interval at which the server wants to receive heart-beats (the `sy` of the spec). */
  readonly wantReceive: number;
}

/** The agreed heart-beat intervals in ms; 0 means none in that direction. */
export interface NegotiatedHeartbeat {
  /** Server -> client: send a heart-beat (or any frame) at least this often. */
  readonly sendEveryMs: number;
  /** Client -> server: the client promised data at least this often. */
  readonly expectEveryMs: number;
}

// setTimeout/setInterval treat anything above 2^31-1 ms as 1 ms; clamp so a hostile client cannot
// turn "heart-beat every 30 days" into a 1 ms flood from the gateway's timer.
const MAX_TIMER_MS = 2_147_483_647;
const HEARTBEAT = /^\s*([0-9]+)\s*,\s*([0-9]+)\s*$/;

/** Picks the highest common version. A missing `accept-version` means the client speaks only 1.0. */
export function negotiateVersion(acceptVersion: string | undefined): Negotiated<StompVersion> {
  if (acceptVersion === undefined) return { ok: true, value: '1.0' };
  const offered = new Set(acceptVersion.split(',').map((v) => v.trim()));
  const version = SUPPORTED_VERSIONS.find((v) => offered.has(v));
  if (version === undefined) {
    return { ok: false, error: `supported protocol versions are ${SUPPORTED_VERSIONS.join(',')}` };
  }
  return { ok: true, value: version };
}

/**
 * STOMP heart-beat negotiation. The client's `heart-beat: cx,cy` meets the server's `sx,sy`:
 * the server sends every max(sx, cy) unless either is 0, and expects data every max(cx, sy) unless
 * either is 0. A missing header is `0,0`.
 */
export function negotiateHeartbeat(
  clientHeader: string | undefined,
  server: HeartbeatSettings,
): Negotiated<NegotiatedHeartbeat> {
  let cx = 0;
  let cy = 0;
  if (clientHeader !== undefined) {
    const match = HEARTBEAT.exec(clientHeader);
    if (!match) return { ok: false, error: 'heart-beat header must be two integers "cx,cy"' };
    cx = Number(match[1]);
    cy = Number(match[2]);
  }
  return {
    ok: true,
    value: { sendEveryMs: agree(server.canSend, cy), expectEveryMs: agree(cx, server.wantReceive) },
  };
}

/** The `heart-beat` value of CONNECTED: the agreed intervals, so the client computes the same pair. */
export function heartbeatHeader(heartbeat: NegotiatedHeartbeat): string {
  return `${heartbeat.sendEveryMs},${heartbeat.expectEveryMs}`;
}

/**
 * Picks the WebSocket subprotocol to echo. Only a protocol the client asked for may be echoed, and
 * none at all when it asked for none (StompClientLib fails the handshake if one comes back).
 */
export function selectSubprotocol(requested: Iterable<string>): string | undefined {
  const asked = new Set<string>();
  for (const entry of requested) for (const p of entry.split(',')) asked.add(p.trim());
  return STOMP_SUBPROTOCOLS.find((p) => asked.has(p));
}

function agree(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) return 0;
  return Math.min(Math.max(a, b), MAX_TIMER_MS);
}
