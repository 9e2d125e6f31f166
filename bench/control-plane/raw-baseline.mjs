// Baseline for the control-plane benchmark: a raw node:http server that parses the body and signs
// the same inference token (HS256 with a KeyObject, same claims) without a database.
import http from 'node:http';
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';

const key = createSecretKey(Buffer.from(process.env.INFERENCE_TOKEN_SECRET));
const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const server = http.createServer((req, res) => {
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    const { userId } = JSON.parse(data || '{}');
    const sessionId = randomUUID();
    const iat = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ sub: sessionId, aud: 'inference-ws', uid: userId, iat, nbf: iat, exp: iat + 900, jti: randomUUID() })).toString('base64url');
    const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    const body = JSON.stringify({ sessionId, wsUrl: `ws://127.0.0.1:1/ws/${sessionId}`, wsToken: `${header}.${payload}.${sig}` });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
