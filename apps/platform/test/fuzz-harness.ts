import { createHmac } from 'node:crypto';
import { CLOSE_CODES } from '@squirret/contracts';
import { WebSocket } from 'ws';

const CLOSE_CODE_SET = new Set<number>(Object.values(CLOSE_CODES));

/** What one surface of the socket fuzzer saw. */
export interface Tally {
  readonly surface: string;
  inputs: number;
  crashes: number;
  fivexx: number;
  /** 503 answers: counted apart, they are the documented "try again" of overload and shutdown. */
  unavailable: number;
  hung: number;
  /** Closes with a code outside CLOSE_CODES (1006 = socket dropped without a close frame). */
  badCloses: number;
  /** Up to ten examples of each failure, for the report. */
  readonly examples: string[];
}

export const tally = (surface: string): Tally => ({ surface, inputs: 0, crashes: 0, fivexx: 0, unavailable: 0, hung: 0, badCloses: 0, examples: [] });

export function note(t: Tally, what: string): void {
  if (t.examples.length < 10) t.examples.push(what.slice(0, 300));
}

export const summary = (t: Tally) =>
  `FUZZ ${t.surface} inputs=${t.inputs} crashes=${t.crashes} 5xx=${t.fivexx} hung=${t.hung} badClose=${t.badCloses} 503=${t.unavailable}`;

/** A Spring-style HS256 token (what the chat service verifies), signed with node's own crypto. */
export function springToken(secret: string, sub: string, claims: Record<string, unknown> = {}, ttlSec = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub, iat: now, exp: now + ttlSec, ...claims })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** One fuzz connection: what to send after the socket opens, and a probe the server must answer. */
export interface WsInput {
  readonly url: string;
  readonly protocols?: string[];
  readonly messages: readonly (string | Buffer)[];
  /** Sent last; any message, pong or close after it proves the connection is served. A ws ping when 'ping'. */
  readonly probe: string | Buffer | 'ping';
}

/**
 * Opens the socket, sends the messages and the probe, and waits (at most `deadlineMs`) for an
 * answer or a close. Counts the inputs, 5xx handshakes, hangs and close codes outside the table.
 */
export function runWsInput(t: Tally, input: WsInput, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    let probed = false;
    let closedByUs = false;
    const ws = new WebSocket(input.url, input.protocols ?? [], { handshakeTimeout: deadlineMs, maxPayload: 1 << 24 });
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      t.hung++;
      note(t, `hung: ${input.url.replace(/token=[^&]+/, 'token=…')} after ${input.messages.length} messages, first ${String(input.messages[0]).slice(0, 120)}`);
      ws.terminate();
      done();
    }, deadlineMs);
    const answered = () => {
      if (!probed || closedByUs) return;
      closedByUs = true;
      ws.close(1000);
      // The close handshake itself must finish too, or the socket is stuck.
      setTimeout(() => ws.terminate(), 1000).unref();
    };
    ws.on('unexpected-response', (_req, res) => {
      t.inputs += 1;
      const status = res.statusCode ?? 0;
      if (status === 503) t.unavailable++;
      else if (status >= 500) {
        t.fivexx++;
        note(t, `handshake ${status}: ${input.url.replace(/token=[^&]+/, 'token=…')}`);
      }
      res.resume();
      done();
    });
    ws.on('open', () => {
      for (const m of input.messages) ws.send(m);
      t.inputs += Math.max(1, input.messages.length);
      probed = true;
      if (input.probe === 'ping') ws.ping();
      else ws.send(input.probe);
    });
    ws.on('message', answered);
    ws.on('pong', answered);
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (!closedByUs && !CLOSE_CODE_SET.has(code)) {
        t.badCloses++;
        note(t, `close ${code}: ${input.url.replace(/token=[^&]+/, 'token=…')} first ${String(input.messages[0]).slice(0, 160)}`);
      }
      done();
    });
  });
}

/** Runs `work` on `inputs` with `workers` in parallel until done or `budgetMs` is spent; returns whether all ran. */
export async function pool<T>(inputs: readonly T[], workers: number, budgetMs: number, work: (x: T) => Promise<void>, stop: () => boolean): Promise<boolean> {
  const end = Date.now() + budgetMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < inputs.length && Date.now() < end && !stop()) await work(inputs[next++] as T);
    }),
  );
  return next >= inputs.length;
}
