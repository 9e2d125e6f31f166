import { createFrame, toHeaderList, type StompFrame, type StompHeader, type StompHeaderInput } from './frame';

/** Fields of a CONNECTED frame. */
export interface ConnectedFields {
  readonly version: string;
  readonly heartbeat: string;
  readonly server: string;
  readonly session?: string;
}

/** Fields of an ERROR frame. */
export interface ErrorFields {
  /** Short summary, sent as the `message` header. */
  readonly message: string;
  /** The `receipt` of the offending frame, echoed as `receipt-id`. */
  readonly receiptId?: string;
  /** Plain-text detail; defaults to the message. */
  readonly body?: string;
  readonly extraHeaders?: readonly StompHeader[];
}

/** Fields of a MESSAGE frame. */
export interface MessageFields {
  readonly subscription: string;
  readonly messageId: string;
  readonly destination: string;
  readonly body: Buffer | string;
  /** Set for `client` / `client-individual` subscriptions (STOMP 1.2 requires an `ack` header then). */
  readonly ack?: string;
  readonly headers?: StompHeaderInput;
}

// Headers the session owns on a MESSAGE; an application header of the same name is dropped.
/** MESSAGE headers the server sets itself; an application header of these names is dropped. */
export const RESERVED_MESSAGE_HEADERS: ReadonlySet<string> = new Set(['subscription', 'message-id', 'destination', 'content-length', 'ack']);

/** CONNECTED: version, heart-beat, server and (when known) session. */
export function connectedFrame(fields: ConnectedFields): StompFrame {
  const headers: StompHeader[] = [
    ['version', fields.version],
    ['heart-beat', fields.heartbeat],
    ['server', fields.server],
  ];
  if (fields.session !== undefined) headers.push(['session', fields.session]);
  return createFrame('CONNECTED', headers);
}

/** RECEIPT for a client frame that carried `receipt`. */
export function receiptFrame(receiptId: string): StompFrame {
  return createFrame('RECEIPT', [['receipt-id', receiptId]]);
}

/** ERROR: `message`, optional `receipt-id`, `content-type:text/plain` and a short body. */
export function errorFrame(fields: ErrorFields): StompFrame {
  const headers: StompHeader[] = [['message', fields.message]];
  if (fields.receiptId !== undefined) headers.push(['receipt-id', fields.receiptId]);
  headers.push(...(fields.extraHeaders ?? []), ['content-type', 'text/plain']);
  return createFrame('ERROR', headers, `${fields.body ?? fields.message}\n`);
}

/**
 * MESSAGE: subscription (stompjs routes by it), message-id, destination (StompClientLib routes by
 * it), content-type and content-length, then the application's own headers.
 */
export function messageFrame(fields: MessageFields): StompFrame {
  const extra = toHeaderList(fields.headers);
  const contentType = extra.find(([n]) => n === 'content-type')?.[1] ?? defaultContentType(fields.body);
  const body = typeof fields.body === 'string' ? Buffer.from(fields.body, 'utf8') : fields.body;
  const headers: StompHeader[] = [
    ['subscription', fields.subscription],
    ['message-id', fields.messageId],
    ['destination', fields.destination],
  ];
  if (fields.ack !== undefined) headers.push(['ack', fields.ack]);
  headers.push(['content-type', contentType], ['content-length', String(body.length)]);
  for (const entry of extra) {
    if (entry[0] !== 'content-type' && !RESERVED_MESSAGE_HEADERS.has(entry[0])) headers.push(entry);
  }
  return createFrame('MESSAGE', headers, body);
}

function defaultContentType(body: Buffer | string): string {
  return typeof body === 'string' ? 'text/plain;charset=UTF-8' : 'application/octet-stream';
}
