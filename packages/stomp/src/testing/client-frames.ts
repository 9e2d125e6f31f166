// Frames exactly as the two real clients put them on the wire (one WebSocket message each).
// StompClientLib builds headers from a Swift dictionary, so its header order varies from run to
// run; the order below is one it produces. stompjs 7 keeps insertion order and appends
// content-length itself.

/** Frames sent by StompClientLib (iOS): LF endings, NUL terminator, no host, no heart-beat. */
export const stompClientLib = {
  connect: (): string => 'CONNECT\naccept-version:1.1,1.2\n\n\0',
  subscribe: (destination: string): string => `SUBSCRIBE\ndestination:${destination}\nack:auto\nid:${destination}\n\n\0`,
  unsubscribe: (destination: string): string => `UNSUBSCRIBE\nid:${destination}\n\n\0`,
  /** `sendJSONForDict`: content-type json;charset=UTF-8 and a UTF-8 byte content-length. */
  sendJson: (destination: string, json: string): string =>
    `SEND\ncontent-type:application/json;charset=UTF-8\ndestination:${destination}\n` +
    `content-length:${Buffer.byteLength(json, 'utf8')}\n\n${json}\0`,
  ack: (messageId: string): string => `ACK\nid:${messageId}\n\n\0`,
  /** Its DISCONNECT carries a header literally named DISCONNECT and asks for no receipt. */
  disconnect: (epochSec: number): string => `DISCONNECT\nDISCONNECT:${epochSec}\n\n\0`,
  /** Its answer to a server heart-beat. */
  pong: (): string => '\n',
};

/** Frames sent by @stomp/stompjs 7 with default settings. */
export const stompJs = {
  connect: (): string => 'CONNECT\naccept-version:1.2,1.1,1.0\nheart-beat:10000,10000\n\n\0',
  subscribe: (id: string, destination: string): string => `SUBSCRIBE\nid:${id}\ndestination:${destination}\n\n\0`,
  unsubscribe: (id: string): string => `UNSUBSCRIBE\nid:${id}\n\n\0`,
  publishJson: (destination: string, json: string): string =>
    `SEND\ndestination:${destination}\ncontent-type:application/json\n` +
    `content-length:${Buffer.byteLength(json, 'utf8')}\n\n${json}\0`,
  /** `publish({ binaryBody })`: sent as a binary WebSocket message. */
  publishBinary: (destination: string, body: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`SEND\ndestination:${destination}\ncontent-length:${body.length}\n\n`), body, Buffer.from([0])]),
  disconnect: (receipt: string): string => `DISCONNECT\nreceipt:${receipt}\n\n\0`,
  heartbeat: (): string => '\n',
};
