// The fair baseline of bench/control-plane: a raw node:http server doing what POST /api/session
// does for its answer, without the framework: parse the JSON body, insert the same cp_sessions row
// into the same PostgreSQL database (same parameterised statement, a pg pool of the same size as
// the service's), and sign the same inference token with the same signer (@squirret/auth on
// jsonwebtoken with a KeyObject secret).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(resolve(import.meta.dirname, '../../apps/platform/package.json'));
const { Hs256Jwt, hmacKey, newJti } = require('@squirret/auth');
const { Pool } = require('pg');

const jwt = new Hs256Jwt(hmacKey(process.env.INFERENCE_TOKEN_SECRET));
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const WS_BASE = 'ws://127.0.0.1:1';

const server = http.createServer((req, res) => {
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    void (async () => {
      const { userId } = JSON.parse(data || '{}');
      const sessionId = randomUUID();
      const wsUrl = `${WS_BASE}/ws/${sessionId}`;
      await pool.query(
        `INSERT INTO cp_sessions (id, kind, status, user_id, node_id, ws_url, created_at) VALUES ($1, $2, 'active', $3, $4, $5, $6)`,
        [sessionId, 'inference', userId ?? null, 'bench-node', wsUrl, new Date()],
      );
      const iat = Math.floor(Date.now() / 1000);
      const wsToken = jwt.sign({ sub: sessionId, aud: 'inference-ws', ...(userId ? { uid: userId } : {}), iat, nbf: iat, exp: iat + 900, jti: newJti() });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sessionId, wsUrl, wsToken }));
    })().catch((err) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
