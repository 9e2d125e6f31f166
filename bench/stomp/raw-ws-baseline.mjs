// Baseline for bench/stomp: a minimal `ws` server that pushes the same DATA JSON to every client
// once per PUSH_MS, stamped with the tick's start time. No STOMP, no auth, no bus.
import { WebSocketServer } from 'ws';

const PUSH_MS = Number(process.env.PUSH_MS ?? 1000);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => console.log(`listening on http://127.0.0.1:${wss.address().port}`));
setInterval(() => {
  const now = Date.now();
  const body = JSON.stringify({ type: 'DATA', payload: { value: 0, ts: Math.floor(now / 1000), ai: { lumbar: 'null', knee: 'null', ankle: 'null' }, hasFsr: false }, timestamp: now });
  for (const ws of wss.clients) ws.send(body);
}, PUSH_MS);
process.on('SIGTERM', () => process.exit(0));
