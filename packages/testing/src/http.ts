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
