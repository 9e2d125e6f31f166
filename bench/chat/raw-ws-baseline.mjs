// Baseline for bench/chat: a minimal `ws` broadcast server. A client joins room R at /room/R and
// every text message it sends is sent as is to every client of R (itself included). No auth, no
// storage, no JSON, no ordering guarantees across processes: the floor of what a chat server costs.
import { WebSocketServer } from 'ws';

const rooms = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () =>
  console.log(`listening on http://127.0.0.1:${wss.address().port}`),
);
wss.on('connection', (ws, req) => {
  const room = req.url ?? '/';
  let set = rooms.get(room);
  if (!set) rooms.set(room, (set = new Set()));
  set.add(ws);
  ws.on('message', (data) => {
    const text = data.toString();
    for (const peer of set) peer.send(text);
  });
  ws.on('close', () => set.delete(ws));
});
process.on('SIGTERM', () => process.exit(0));
