import { strict as assert } from 'node:assert';
import { header, type StompFrame } from '../frame';
import { StompParser } from '../parser';
import { StompSession, type StompSessionOptions } from '../session';
import type { StompAction, StompCloseAction, StompSendAction } from '../session-actions';
import { stompClientLib, stompJs } from './client-frames';

/** Session options used by the tests; override what a test is about. */
export function sessionOptions(overrides: Partial<StompSessionOptions> = {}): StompSessionOptions {
  return {
    serverName: 'squirret/test',
    heartbeat: { canSend: 10_000, wantReceive: 10_000 },
    sessionId: 's1',
    ...overrides,
  };
}

/** A session that has already accepted the given client's CONNECT. */
export function connectedSession(
  client: 'stompjs' | 'StompClientLib' = 'stompjs',
  overrides: Partial<StompSessionOptions> = {},
): StompSession {
  const session = new StompSession(sessionOptions(overrides));
  session.receive(client === 'stompjs' ? stompJs.connect() : stompClientLib.connect());
  assert.equal(session.isConnected, true);
  return session;
}

/** Decodes one send action, asserting it holds exactly one frame, LF-only, NUL-terminated. */
export function decodeSend(action: StompAction | undefined): StompFrame {
  assert.ok(action && action.type === 'send', `expected a send action, got ${action?.type}`);
  const data = Buffer.isBuffer(action.data) ? action.data : Buffer.from(action.data);
  assert.equal(data[data.length - 1], 0, 'frame must end with NUL');
  const result = new StompParser({ maxFrameBytes: 1 << 24, maxBodyBytes: 1 << 24 }).push(data);
  assert.equal(result.error, undefined);
  assert.equal(result.frames.length, 1, 'one frame per WebSocket message');
  assert.equal(result.heartbeats, 0);
  const frame = result.frames[0] as StompFrame;
  const headEnd = data.indexOf('\n\n');
  assert.ok(!data.subarray(0, headEnd).includes('\r'), 'LF line endings only');
  return frame;
}

/** Every frame the session asked to send, decoded. */
export function sentFrames(actions: readonly StompAction[]): StompFrame[] {
  return actions.filter((a): a is StompSendAction => a.type === 'send').map((a) => decodeSend(a));
}

/**
 * Asserts the actions end in exactly "send ERROR, close" and returns the ERROR frame. Checks the
 * `message` header, `content-type:text/plain` and a non-empty body.
 */
export function expectError(actions: readonly StompAction[], message: string | RegExp): StompFrame {
  assert.ok(actions.length >= 2, `expected ERROR + close, got ${JSON.stringify(actions.map((a) => a.type))}`);
  const close = actions[actions.length - 1] as StompAction;
  assert.equal(close.type, 'close');
  const error = decodeSend(actions[actions.length - 2]);
  assert.equal(error.command, 'ERROR');
  const text = header(error, 'message');
  if (typeof message === 'string') assert.equal(text, message);
  else assert.match(text ?? '', message);
  assert.equal(header(error, 'content-type'), 'text/plain');
  assert.ok(error.body.length > 0);
  assert.equal((close as StompCloseAction).message, text);
  return error;
}

/** The action types, for compact order assertions. */
export function types(actions: readonly StompAction[]): string[] {
  return actions.map((a) => a.type);
}
