// The app's STOMP session channel (/ws, seed 004 §4) through @stomp/stompjs's browser bundle
// (global StompJs): a guest session from POST /internal/session, then /user/queue/session with
// DATA every second and voice when there is something to say.

const QUEUE = '/user/queue/session';
const APP_DESTINATION = '/app/session.message';
const KEEP = 40;

const wsBase = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

export class StompFeed {
  constructor({ list, link, deviceId, describe }) {
    this.list = list;
    this.link = link;
    this.deviceId = deviceId;
    this.describe = describe;
    this.client = undefined;
  }

  async start() {
    if (this.client) return;
    const StompJs = globalThis.StompJs;
    if (!StompJs) throw new Error('@stomp/stompjs bundle missing');
    const r = await fetch('/internal/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!r.ok) {
      this.setLink('closed', `게스트 세션 실패 (${r.status})`);
      return;
    }
    const { wsToken } = await r.json();
    const q = new URLSearchParams({ token: wsToken });
    if (this.deviceId) q.set('deviceId', this.deviceId);
    this.client = new StompJs.Client({
      brokerURL: `${wsBase()}/ws?${q}`,
      reconnectDelay: 2000,
      heartbeatIncoming: 10000,
      heartbeatOutgoing: 10000,
    });
    this.client.onConnect = () => {
      this.setLink('open', '연결됨');
      this.client.subscribe(QUEUE, (frame) => this.add(frame.body));
      this.client.publish({ destination: APP_DESTINATION, body: JSON.stringify({ type: 'PING', payload: { ts: Date.now() } }) });
    };
    this.client.onWebSocketClose = () => this.setLink('closed', '끊김: 다시 연결합니다');
    this.client.onStompError = (frame) => this.setLink('error', `STOMP 오류: ${frame.headers.message ?? ''}`);
    this.client.activate();
  }

  add(body) {
    let msg;
    try {
      msg = JSON.parse(body);
    } catch {
      msg = { type: 'text', text: body };
    }
    const li = document.createElement('li');
    li.dataset.type = msg.type;
    li.textContent = this.describe(msg);
    this.list.prepend(li);
    while (this.list.children.length > KEEP) this.list.lastElementChild.remove();
    this.list.dataset.count = String(Number(this.list.dataset.count) + 1);
    this.list.dataset[`last${msg.type === 'voice' ? 'Voice' : 'Data'}`] = li.textContent;
  }

  setLink(state, text) {
    this.link.dataset.state = state;
    this.link.textContent = text;
  }

  async stop() {
    await this.client?.deactivate();
    this.client = undefined;
    this.setLink('closed', '연결 안 됨');
  }
}
