/** One header line as it appeared on the wire: `[name, value]`, already unescaped. */
export type StompHeader = readonly [name: string, value: string];

/** Headers given to a frame builder: an ordered list, or a record when order does not matter. */
export type StompHeaderInput = readonly StompHeader[] | Readonly<Record<string, string>>;

/** A decoded STOMP frame. Headers keep wire order; when a name repeats, the first one counts (STOMP 1.2). */
export interface StompFrame {
  readonly command: string;
  readonly headers: readonly StompHeader[];
  readonly body: Buffer;
}

/** Commands of STOMP 1.2 (client and server), as typed constants. */
export const StompCommand = {
  CONNECT: 'CONNECT',
  STOMP: 'STOMP',
  CONNECTED: 'CONNECTED',
  SEND: 'SEND',
  SUBSCRIBE: 'SUBSCRIBE',
  UNSUBSCRIBE: 'UNSUBSCRIBE',
  ACK: 'ACK',
  NACK: 'NACK',
  BEGIN: 'BEGIN',
  COMMIT: 'COMMIT',
  ABORT: 'ABORT',
  DISCONNECT: 'DISCONNECT',
  MESSAGE: 'MESSAGE',
  RECEIPT: 'RECEIPT',
  ERROR: 'ERROR',
} as const;
export type StompCommand = (typeof StompCommand)[keyof typeof StompCommand];

/** What a bare heart-beat is on the wire: one EOL between frames. */
export const HEARTBEAT = '\n';

const EMPTY_BODY = Buffer.alloc(0);

/**
 * CONNECT and CONNECTED headers are never escaped, so that a 1.0 peer can read them before a
 * version is agreed (STOMP 1.2, "Value Encoding").
 */
export function isEscapeExempt(command: string): boolean {
  return command === StompCommand.CONNECT || command === StompCommand.CONNECTED;
}

/** The value of the first header called `name`, or undefined. */
export function header(frame: Pick<StompFrame, 'headers'>, name: string): string | undefined {
  for (const [n, v] of frame.headers) if (n === name) return v;
  return undefined;
}

/** Normalises a header input to an ordered list. */
export function toHeaderList(headers: StompHeaderInput | undefined): StompHeader[] {
  if (headers === undefined) return [];
  if (isHeaderList(headers)) return headers.map(([n, v]) => [n, v] as const);
  return Object.entries(headers).map(([n, v]) => [n, v] as const);
}

/** Builds a frame; a string body is encoded as UTF-8. */
export function createFrame(command: string, headers?: StompHeaderInput, body?: Buffer | string): StompFrame {
  return {
    command,
    headers: toHeaderList(headers),
    body: body === undefined ? EMPTY_BODY : typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

function isHeaderList(headers: StompHeaderInput): headers is readonly StompHeader[] {
  return Array.isArray(headers);
}
