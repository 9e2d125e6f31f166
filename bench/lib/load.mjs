// A small closed-loop HTTP load generator: `connections` keep-alive clients send requests back to
// back for `durationMs`; returns throughput and latency percentiles. Loopback only.
import http from 'node:http';

export async function load({ url, method = 'POST', body, headers = {}, connections = 32, durationMs = 5000, expectStatus = 200 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const latencies = [];
  let errors = 0;
  const end = Date.now() + durationMs;
  const one = () =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === expectStatus) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      if (payload) req.write(payload);
      req.end();
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50ms: pct(50),
    p99ms: pct(99),
  };
}

export const round = (n, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
