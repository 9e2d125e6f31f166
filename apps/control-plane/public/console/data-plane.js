// The data-plane session as the README tells app developers to run it: POST /api/session, connect
// to the returned wsUrl with ?token=, refresh the token before it expires (sent in-band as
// {"type":"auth"} so the socket stays open), and on 1012 / 1006 / 4001 / a failed connect call
// POST /api/session/{id}/refresh and connect to the wsUrl it returns (re-placement), retrying a
// 503 NO_CAPACITY after a second.

/** Codes after which the session is over: never reconnect. */
const FINAL_CODES = new Set([4002, 4003]);
const RETRY_MS = 1000;
const MAX_BACKOFF_MS = 5000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The token's `exp` and `iat` (seconds), read without verifying: only to schedule the refresh. */
export function tokenTimes(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
    return { exp: Number(claims.exp), iat: Number(claims.iat ?? claims.nbf ?? Date.now() / 1000) };
  } catch {
    return undefined;
  }
}

/** When to refresh: 90 s before expiry (the seed says 1-2 minutes before 15), earlier for short tokens. */
export function refreshDelayMs(token, nowMs = Date.now()) {
  const t = tokenTimes(token);
  if (!t || !Number.isFinite(t.exp)) return 60_000;
  const lifetime = Math.max(1, t.exp - t.iat);
  const lead = Math.min(90, lifetime / 4);
  return Math.max(0, (t.exp - lead) * 1000 - nowMs);
}

async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json;
  try {
    json = await res.json();
  } catch {
    json = undefined;
  }
  return { status: res.status, json, retryAfter: Number(res.headers.get('retry-after')) || 1 };
}

/**
 * One workout's data-plane connection. Callbacks: onState(key, detail), onMessage(msg),
 * onOpen(), onClose(code, reason). `send` drops frames while no socket is open.
 */
export class DataPlaneSession {
  constructor({ userId, onState, onMessage, onOpen, onClose }) {
    this.userId = userId;
    this.onState = onState;
    this.onMessage = onMessage;
    this.onOpen = onOpen ?? (() => {});
    this.onClose = onClose ?? (() => {});
    this.sessionId = undefined;
    this.wsUrl = undefined;
    this.token = undefined;
    this.ws = undefined;
    this.stopped = false;
    this.refreshTimer = undefined;
    this.recovering = false;
    this.stats = { refreshes: 0, inBandRefreshes: 0, reconnects: 0, noCapacity: 0, startedAt: Date.now() };
  }

  get open() {
    return this.ws !== undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /** Gets a session (retrying 503 every second) and connects. */
  async start() {
    for (;;) {
      if (this.stopped) return;
      this.onState('starting');
      let r;
      try {
        r = await postJson('/api/session', { userId: this.userId });
      } catch (err) {
        this.onState('error', `세션 요청 실패: ${err.message}`);
        await sleep(RETRY_MS);
        continue;
      }
      if (r.status === 200 && r.json?.wsUrl) {
        this.sessionId = r.json.sessionId;
        this.wsUrl = r.json.wsUrl;
        this.token = r.json.wsToken;
        this.connect();
        return;
      }
      if (r.status === 503) {
        this.stats.noCapacity += 1;
        this.onState('no-capacity', r.json?.message ?? '');
        await sleep(r.retryAfter * 1000);
        continue;
      }
      this.onState('error', `POST /api/session ${r.status}: ${r.json?.message ?? ''}`);
      return;
    }
  }

  connect() {
    if (this.stopped) return;
    this.onState('connecting', this.wsUrl);
    const ws = new WebSocket(`${this.wsUrl}?token=${encodeURIComponent(this.token)}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.onState('streaming');
      this.scheduleRefresh();
      this.onOpen();
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearTimeout(this.refreshTimer);
      this.onClose(ev.code, ev.reason);
      if (this.stopped) return;
      if (FINAL_CODES.has(ev.code)) {
        this.onState('ended', `${ev.code} ${ev.reason}`);
        return;
      }
      // 1012 drain, 1006 died, 1001, 1011, 1013, 4001 expired, 1008 refused, a failed connect: refresh and go where it says.
      this.onState(ev.code === 4001 ? 'token-expired' : 'reconnecting', `${ev.code} ${ev.reason}`);
      void this.recover();
    };
  }

  /** POST /refresh until it answers, then connect to the wsUrl it returns (maybe another node's). */
  async recover() {
    if (this.recovering) return;
    this.recovering = true;
    let backoff = RETRY_MS;
    try {
      for (;;) {
        if (this.stopped) return;
        let r;
        try {
          r = await postJson(`/api/session/${this.sessionId}/refresh`);
        } catch {
          r = undefined;
        }
        if (r?.status === 200 && r.json?.wsToken) {
          this.stats.refreshes += 1;
          this.stats.reconnects += 1;
          this.token = r.json.wsToken;
          if (r.json.wsUrl) this.wsUrl = r.json.wsUrl;
          this.connect();
          return;
        }
        if (r?.status === 503) this.stats.noCapacity += 1;
        else if (r && r.status >= 400 && r.status < 500) {
          this.onState('ended', `refresh ${r.status}: ${r.json?.message ?? ''}`);
          return;
        }
        await sleep(r?.status === 503 ? r.retryAfter * 1000 : backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    } finally {
      this.recovering = false;
    }
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshInBand(), refreshDelayMs(this.token));
  }

  /** Before expiry: a new token; same node → sent in-band, the socket stays; another node → reconnect there. */
  async refreshInBand() {
    if (this.stopped || !this.open) return;
    this.onState('refreshing');
    let r;
    try {
      r = await postJson(`/api/session/${this.sessionId}/refresh`);
    } catch {
      r = undefined;
    }
    if (this.stopped) return;
    if (r?.status !== 200 || !r.json?.wsToken) {
      // Try again shortly; if the token runs out first the server closes 4001 and recover() takes over.
      if (this.open) this.onState('streaming', '토큰 갱신 실패: 다시 시도합니다');
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.refreshInBand(), 2000);
      return;
    }
    this.stats.refreshes += 1;
    this.token = r.json.wsToken;
    const moved = r.json.wsUrl && r.json.wsUrl !== this.wsUrl;
    if (moved) {
      this.wsUrl = r.json.wsUrl;
      const old = this.ws;
      this.ws = undefined;
      old?.close(1000, 'moving');
      this.stats.reconnects += 1;
      this.connect();
      return;
    }
    if (this.open) {
      this.ws.send(JSON.stringify({ type: 'auth', token: this.token }));
      this.stats.inBandRefreshes += 1;
      this.onState('streaming');
      this.scheduleRefresh();
    }
  }

  send(data) {
    if (!this.open) return false;
    this.ws.send(data);
    return true;
  }

  /** Ends the workout: closes the socket and reports the client's counts to POST /finish. */
  async stop(counts) {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, 'stopped');
    if (this.sessionId && counts) {
      const durationSeconds = Math.max(0, Math.round((Date.now() - this.stats.startedAt) / 1000));
      await postJson(`/api/session/${this.sessionId}/finish`, { ...counts, durationSeconds }).catch(() => undefined);
    }
  }
}
