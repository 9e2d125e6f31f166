import type { StompHeader } from './frame';
import type { NegotiatedHeartbeat, StompVersion } from './negotiate';

/** How a subscription acknowledges messages (STOMP 1.2 `ack` header). */
export type StompAckMode = 'auto' | 'client' | 'client-individual';

/** Why a session ended; the gateway maps these to WebSocket close codes in one place. */
export const StompCloseReason = {
  /** The client sent DISCONNECT (normal closure). */
  DISCONNECT: 'disconnect',
  /** The client broke the protocol; an ERROR frame was sent first. */
  PROTOCOL_ERROR: 'protocol-error',
  /** A frame went over a size limit; an ERROR frame was sent first. */
  TOO_LARGE: 'too-large',
  /** The application rejected something via `session.error()`; an ERROR frame was sent first. */
  APPLICATION_ERROR: 'application-error',
} as const;
export type StompCloseReason = (typeof StompCloseReason)[keyof typeof StompCloseReason];

/** Write these bytes to the socket as one WebSocket message (a serialized frame or a heart-beat EOL). */
export interface StompSendAction {
  readonly type: 'send';
  readonly data: Buffer | string;
}

/** The client completed CONNECT; CONNECTED has been queued just before this action. */
export interface StompConnectedAction {
  readonly type: 'connected';
  readonly version: StompVersion;
  readonly heartbeat: NegotiatedHeartbeat;
  readonly login?: string;
  readonly passcode?: string;
  readonly host?: string;
  /** Every CONNECT header, raw (CONNECT headers are never unescaped). */
  readonly headers: readonly StompHeader[];
}

/** The client subscribed; route messages for `destination` to this session under `id`. */
export interface StompSubscribeAction {
  readonly type: 'subscribe';
  readonly id: string;
  readonly destination: string;
  readonly ack: StompAckMode;
}

/** The client dropped a subscription. */
export interface StompUnsubscribeAction {
  readonly type: 'unsubscribe';
  readonly id: string;
  readonly destination: string;
}

/** A client SEND for the application; it may answer with `session.error(...)`. */
export interface StompMessageAction {
  readonly type: 'message';
  readonly destination: string;
  readonly headers: readonly StompHeader[];
  readonly body: Buffer;
  readonly contentType?: string;
}

/** The client sent a bare EOL heart-beat. Reported for liveness; never echoed back. */
export interface StompHeartbeatAction {
  readonly type: 'heartbeat';
}

/** Close the socket after writing every `send` action before this one; ignore anything after it. */
export interface StompCloseAction {
  readonly type: 'close';
  readonly reason: StompCloseReason;
  /** The ERROR message sent, when the close follows an error. */
  readonly message?: string;
}

/** What the gateway must do, in order, after feeding data to a session. */
export type StompAction =
  | StompSendAction
  | StompConnectedAction
  | StompSubscribeAction
  | StompUnsubscribeAction
  | StompMessageAction
  | StompHeartbeatAction
  | StompCloseAction;
