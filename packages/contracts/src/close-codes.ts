/**
 * The one table of WebSocket close codes used by every socket of every service.
 * 1xxx are RFC 6455 codes; 4xxx are the application's own.
 */
export const CLOSE_CODES = {
  /** Normal end of a stream (client said goodbye, or session finished). */
  NORMAL: 1000,
  /** Server is going away (shutdown / drain): reconnect, possibly elsewhere. */
  GOING_AWAY: 1001,
  /** Protocol violation on the socket itself. */
  PROTOCOL_ERROR: 1002,
  /** Frame type the endpoint does not accept (e.g. binary where only text is allowed). */
  UNSUPPORTED_DATA: 1003,
  /** Authentication or authorization refused (bad, missing or foreign token, no access to the room). */
  POLICY_VIOLATION: 1008,
  /** A message over the socket's size limit. */
  MESSAGE_TOO_BIG: 1009,
  /** Unexpected server error. */
  INTERNAL_ERROR: 1011,
  /** Server restarting: reconnect with the same token after a short delay. */
  SERVICE_RESTART: 1012,
  /** Server overloaded: try again later. */
  TRY_AGAIN_LATER: 1013,
  /** The token expired during the connection and no fresh token was sent in-band. */
  TOKEN_EXPIRED: 4001,
  /** The session was finished or replaced by a newer connection for the same session. */
  SESSION_REPLACED: 4002,
  /** The session is finished: no more frames accepted. */
  SESSION_FINISHED: 4003,
  /** The client could not keep up: its bounded send buffer overflowed. */
  SLOW_CONSUMER: 4008,
  /** Too many malformed messages in a row. */
  TOO_MANY_ERRORS: 4009,
  /** Heart-beat (or ping) not answered in time. */
  HEARTBEAT_TIMEOUT: 4010,
  /** The chat room does not exist. */
  ROOM_NOT_FOUND: 4004,
} as const;

/**
 * The one code every socket of every gateway is closed with when its process drains (SIGTERM,
 * rolling restart): reconnect with the same token after a short delay, possibly to another node.
 * The realtime layer's drain step (packages/server-kit/src/realtime) is the only place that sends it
 * at shutdown; 1001 (GOING_AWAY) is not used for shutdown.
 */
export const DRAIN_CLOSE_CODE = CLOSE_CODES.SERVICE_RESTART;

export type CloseCodeName = keyof typeof CLOSE_CODES;
export type CloseCode = (typeof CLOSE_CODES)[CloseCodeName];
