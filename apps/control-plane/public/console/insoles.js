// Both insoles as a pressure map of the six regions (apps/fsr/README.md): the /ws/fsr-data stream
// (snapshot, then every sample), the 10-second feedback and the AI + FSR combined feedback.
import { FSR_STAGE, FSR_STATUS } from './labels.js';

// Rows forefoot, midfoot, heel; columns as seen from above, the inner (medial) side towards the middle.
const LAYOUT = {
  left: [['ratio2', 'ratio1'], ['ratio4', 'ratio3'], ['ratio6', 'ratio5']],
  right: [['ratio1', 'ratio2'], ['ratio3', 'ratio4'], ['ratio5', 'ratio6']],
};
const RATIOS = ['ratio1', 'ratio2', 'ratio3', 'ratio4', 'ratio5', 'ratio6'];
const FEEDBACK_POLL_MS = 2000;

const wsBase = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

export class InsoleMap {
  constructor({ left, right, link, feedback, combined, deviceId }) {
    this.feet = { left, right };
    this.link = link;
    this.feedback = feedback;
    this.combined = combined;
    this.deviceId = deviceId;
    this.sessionId = undefined;
    this.closed = false;
    for (const side of ['left', 'right']) this.build(side);
  }

  build(side) {
    const grid = document.createElement('div');
    grid.className = 'grid';
    for (const row of LAYOUT[side]) {
      for (const region of row) {
        const cell = document.createElement('div');
        cell.className = 'cell';
        cell.dataset.region = region;
        cell.textContent = '-';
        grid.append(cell);
      }
    }
    this.feet[side].append(grid);
  }

  show(side, foot) {
    const el = this.feet[side];
    if (!foot) return;
    const values = RATIOS.map((r) => Number(foot[r]) || 0);
    const sum = values.reduce((a, b) => a + b, 0) || 1;
    for (const [i, region] of RATIOS.entries()) {
      const cell = el.querySelector(`[data-region="${region}"]`);
      const share = values[i] / sum;
      // Up to about half of the foot's load on one sensor is full colour.
      cell.style.setProperty('--load', String(Math.min(1, share * 2)));
      cell.textContent = `${values[i].toFixed(1)}`;
    }
    el.dataset.ratios = values.map((v) => v.toFixed(1)).join(',');
    el.dataset.samples = String(Number(el.dataset.samples) + 1);
  }

  connect() {
    if (this.closed) return;
    const q = this.deviceId ? `?deviceId=${encodeURIComponent(this.deviceId)}` : '';
    const ws = new WebSocket(`${wsBase()}/ws/fsr-data${q}`);
    this.ws = ws;
    this.setLink('connecting', '연결 중…');
    ws.onopen = () => this.setLink('open', '연결됨');
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === 'snapshot') {
        if (msg.left) this.show('left', msg.left);
        if (msg.right) this.show('right', msg.right);
      } else if (msg.type === 'sample' && (msg.side === 'left' || msg.side === 'right')) {
        this.show(msg.side, msg);
      }
    };
    ws.onclose = (ev) => {
      this.setLink('closed', `끊김 (${ev.code}): 다시 연결합니다`);
      if (!this.closed) setTimeout(() => this.connect(), 1000);
    };
  }

  setLink(state, text) {
    this.link.dataset.state = state;
    this.link.textContent = text;
  }

  query() {
    const p = new URLSearchParams();
    if (this.deviceId) p.set('deviceId', this.deviceId);
    if (this.sessionId) p.set('sessionId', this.sessionId);
    const s = p.toString();
    return s ? `?${s}` : '';
  }

  startFeedback() {
    const poll = async () => {
      if (this.closed) return;
      try {
        const [fb, comb] = await Promise.all([
          fetch(`/api/fsr_data/feedback${this.query()}`).then((r) => (r.ok ? r.json() : undefined)),
          fetch(`/api/fsr_data/feedback/combined${this.query()}`).then((r) => (r.ok ? r.json() : undefined)),
        ]);
        if (fb) {
          this.feedback.dataset.status = fb.status;
          this.feedback.textContent = `${FSR_STATUS[fb.status] ?? fb.status} · ${FSR_STAGE[fb.stage] ?? fb.stage}${fb.feedback ? ` · ${fb.feedback}` : ''}`;
        }
        if (comb) {
          this.combined.replaceChildren(
            ...(comb.overallMessages ?? []).map((m) => {
              const li = document.createElement('li');
              li.textContent = m;
              return li;
            }),
          );
          this.combined.dataset.ai = comb.ai?.status ?? '';
          this.combined.dataset.fsr = comb.fsr?.status ?? '';
        }
      } catch {
        // The next poll tries again.
      }
      setTimeout(poll, FEEDBACK_POLL_MS);
    };
    void poll();
  }
}
