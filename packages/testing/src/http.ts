import { strict as assert } from 'node:assert';
import { request } from 'node:http';

/** An HTTP answer as the parity tests compare it. */
export interface RawAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly retryAfter: string | undefined;
  readonly body: Record<string, unknown> | null;
}

/**
 * One real POST over a real socket with exactly the headers given (no agent, no defaults);
 * `chunked` sends the body without a Content-Length.
 */
export function rawPost(port: number, path: string, headers: Record<string, string>, body?: string, chunked = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: Record<string, unknown> | null = null;
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = null;
        }
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], retryAfter: res.headers['retry-after'], body: parsed });
      });
    });
    req.on('error', reject);
    if (body !== undefined && !chunked) req.setHeader('content-length', Buffer.byteLength(body));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The answer without what differs from one request to the next (an error body's timestamp, checked to be ISO). */
export function withoutTimestamp(a: RawAnswer): RawAnswer {
  if (!a.body || !('timestamp' in a.body)) return a;
  const { timestamp, ...rest } = a.body;
  assert.ok(!Number.isNaN(Date.parse(String(timestamp))), 'an error body carries an ISO timestamp');
  return { ...a, body: rest };
}

/** What a parity row must get: its status, and for an error its code and message. */
export interface ExpectedAnswer {
  readonly status: number;
  readonly code?: string;
  readonly message?: RegExp;
}

/**
 * A fast route's answer `a` and the framework route's `b` to the same request (both made
 * comparable): equal, and as expected, so both being wrong alike fails too; an error in the
 * contract's body (docs/contracts/ios-api.md §0) naming the path without its query string.
 */
export function assertSameAnswer(name: string, a: RawAnswer, b: RawAnswer, path: string, expected: ExpectedAnswer): RawAnswer {
  assert.deepEqual(a, b, `${name}: the fast route and the framework route answer alike`);
  assert.equal(a.status, expected.status, `${name}: status`);
  if (expected.code) assert.equal(a.body?.code, expected.code, `${name}: code`);
  if (expected.message) assert.match(String(a.body?.message), expected.message, `${name}: message`);
  if (a.status >= 400) {
    assert.deepEqual(Object.keys(a.body ?? {}).sort(), ['code', 'error', 'message', 'path', 'status'], `${name}: the error body (docs/contracts/ios-api.md §0)`);
    assert.equal(a.body?.path, path.split('?')[0], `${name}: the path, without a query string`);
  }
  return a;
}
