// The trainer-member chat page (seed 003 §1.1). History over REST, then the WebSocket resumed
// from the newest id we have (so nothing is shown twice or missed after a reconnect). Each send
// carries a clientId: it shows as "sending" until the server's ack (stored in PostgreSQL), as
// "failed" with the reason and a retry button on an error or a lost connection. Messages are
// rendered with Vue render functions as text: `<script>` shows as `<script>`.
(function () {
  'use strict';
  var h = Vue.h;
  var S = window.Squirret;
  var SEND_TIMEOUT_MS = 10000;
  var STATUS_TEXT = { connecting: '연결 중…', open: '연결됨', reconnecting: '재연결 중…', closed: '연결 끊김' };

  function newClientId() {
    return 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  Vue.createApp({
    data: function () {
      return {
        token: S.token(),
        roomId: S.query('room_id') || '',
        me: null,
        role: null,
        peer: '',
        messages: [],
        pending: [],
        notices: [],
        status: 'connecting',
        closeReason: '',
        error: '',
        input: '',
        spread: false,
        lastId: 0,
        attempts: 0
      };
    },
    mounted: function () {
      var self = this;
      if (!this.token) { this.fail('로그인이 필요합니다 (토큰 없음).'); return; }
      if (!/^pt_\d+$/.test(this.roomId)) { this.fail('room_id가 올바르지 않습니다.'); return; }
      S.api('/distributor/chat/rooms/' + this.roomId + '/messages?limit=50', this.token).then(function (body) {
        self.me = body.you.user_id;
        self.role = body.you.role;
        self.peer = body.peer_name;
        body.messages.forEach(function (m) { self.add(m); });
        self.connect();
      }).catch(function (err) {
        self.fail(err.status === 403 ? '이 채팅방에 들어갈 수 없습니다.' : err.status === 404 ? '채팅방이 없습니다.' : err.status === 401 ? '로그인이 만료되었습니다.' : '불러오지 못했습니다: ' + err.message);
      });
      document.addEventListener('visibilitychange', function () { self.markRead(); });
      this.ticker = setInterval(function () { self.expire(); }, 1000);
    },
    unmounted: function () { clearInterval(this.ticker); },
    methods: {
      fail: function (text) { this.status = 'closed'; this.error = text; },
      add: function (m) {
        if (typeof m.id !== 'number' || m.id <= this.lastId) return;
        this.lastId = m.id;
        this.messages.push(m);
        if (m.clientId) this.pending = this.pending.filter(function (p) { return p.clientId !== m.clientId; });
      },
      connect: function () {
        var self = this;
        this.status = this.attempts === 0 ? 'connecting' : 'reconnecting';
        var ws = new WebSocket(S.wsUrl('/distributor/ws/chat/' + this.roomId + '?token=' + encodeURIComponent(this.token) + '&lastMessageId=' + this.lastId));
        this.ws = ws;
        ws.onopen = function () { self.attempts = 0; };
        ws.onmessage = function (ev) {
          var m;
          try { m = JSON.parse(ev.data); } catch (e) { return; }
          self.onMessage(m);
        };
        ws.onclose = function (ev) {
          if (self.ws !== ws) return;
          self.pending.forEach(function (p) {
            if (p.state === 'sending') { p.state = 'failed'; p.reason = '연결이 끊겨 전송을 확인하지 못했습니다'; }
          });
          // Refused for good (token, room): do not retry.
          if (ev.code === 1008 || ev.code === 4004 || ev.code === 4001) {
            self.status = 'closed';
            self.closeReason = ev.reason || String(ev.code);
            return;
          }
          self.status = 'reconnecting';
          self.attempts += 1;
          setTimeout(function () { self.connect(); }, Math.min(10000, 500 * Math.pow(2, self.attempts)));
        };
      },
      onMessage: function (m) {
        if (m.type === 'system' && m.event === 'connected') {
          this.status = 'open';
          this.retryFailed();
          return;
        }
        if (m.type === 'ack') {
          this.pending.forEach(function (p) { if (p.clientId === m.clientId) { p.state = 'sent'; p.id = m.messageId; } });
          return;
        }
        if (m.type === 'error') {
          if (m.clientId) {
            this.pending.forEach(function (p) { if (p.clientId === m.clientId) { p.state = 'failed'; p.reason = m.message; } });
          } else {
            this.notices.push({ key: 'e' + Date.now(), text: m.message });
          }
          return;
        }
        if (m.type === 'system' && !m.id) {
          this.notices.push({ key: 'n' + Date.now() + Math.random(), text: m.content });
          if (this.notices.length > 5) this.notices.shift();
          return;
        }
        this.add(m);
        this.markRead();
      },
      markRead: function () {
        if (document.visibilityState !== 'visible' || !this.ws || this.ws.readyState !== 1 || this.lastId === this.readSent) return;
        this.readSent = this.lastId;
        this.ws.send(JSON.stringify({ type: 'read', messageId: this.lastId }));
      },
      send: function () {
        var text = this.input;
        if (!text.trim()) return;
        this.input = '';
        var p = { clientId: newClientId(), content: text, type: this.spread ? 'spread' : 'chat', state: 'sending', reason: '', at: Date.now() };
        this.pending.push(p);
        this.transmit(p);
      },
      transmit: function (p) {
        if (!this.ws || this.ws.readyState !== 1) {
          p.state = 'failed';
          p.reason = '연결되지 않아 보내지 못했습니다';
          return;
        }
        p.state = 'sending';
        p.reason = '';
        p.at = Date.now();
        this.ws.send(JSON.stringify({ type: p.type, content: p.content, clientId: p.clientId }));
      },
      retry: function (p) { this.transmit(p); },
      retryFailed: function () {
        var self = this;
        // A retry with the same clientId is never stored twice.
        this.pending.forEach(function (p) { if (p.state === 'failed' && /연결/.test(p.reason)) self.transmit(p); });
        this.markRead();
      },
      expire: function () {
        var now = Date.now();
        this.pending.forEach(function (p) {
          if (p.state === 'sending' && now - p.at > SEND_TIMEOUT_MS) { p.state = 'failed'; p.reason = '응답이 없어 전송을 확인하지 못했습니다'; }
        });
      }
    },
    render: function () {
      var self = this;
      var header = h('header', { class: 'chat-header' }, [
        h('a', { href: '/distributor/chat/rooms', class: 'back' }, '‹ 목록'),
        h('h1', this.peer || this.roomId),
        h('span', { class: 'status status-' + this.status, 'data-testid': 'status', 'data-status': this.status }, STATUS_TEXT[this.status] + (this.closeReason ? ' (' + this.closeReason + ')' : ''))
      ]);
      var lines = this.messages.map(function (m) {
        var mine = m.user_id === self.me;
        return h('li', { key: 'm' + m.id, class: ['msg', 'msg-' + m.type, mine ? 'mine' : 'theirs'], 'data-id': m.id }, [
          h('span', { class: 'who' }, m.type === 'spread' ? (m.user_name || '') + ' · 공지' : (m.user_name || m.user_id || '')),
          h('span', { class: 'text' }, m.content),
          h('time', { class: 'when' }, S.time(m.timestamp))
        ]);
      });
      var pending = this.pending.filter(function (p) { return p.state !== 'sent'; }).map(function (p) {
        return h('li', { key: p.clientId, class: ['msg', 'mine', 'pending', 'pending-' + p.state], 'data-testid': 'pending-' + p.state }, [
          h('span', { class: 'text' }, p.content),
          p.state === 'failed'
            ? h('span', { class: 'failed' }, [h('span', { class: 'reason' }, '전송 실패: ' + p.reason + ' '), h('button', { type: 'button', class: 'retry', onClick: function () { self.retry(p); } }, '다시 보내기')])
            : h('span', { class: 'sending' }, '보내는 중…')
        ]);
      });
      var form = h('form', { class: 'composer', onSubmit: function (e) { e.preventDefault(); self.send(); } }, [
        h('input', { class: 'input', 'data-testid': 'input', value: this.input, maxlength: 2000, placeholder: '메시지를 입력하세요', onInput: function (e) { self.input = e.target.value; } }),
        this.role === 'trainer'
          ? h('label', { class: 'spread' }, [h('input', { type: 'checkbox', checked: this.spread, onChange: function (e) { self.spread = e.target.checked; } }), ' 모든 회원에게'])
          : null,
        h('button', { type: 'submit', class: 'send', 'data-testid': 'send', disabled: this.status === 'closed' && !!this.error }, '보내기')
      ]);
      return h('main', { class: 'page chat-page' }, [
        header,
        this.error ? h('p', { class: 'error', 'data-testid': 'error' }, this.error) : null,
        h('ul', { class: 'notices' }, this.notices.map(function (n) { return h('li', { key: n.key, class: 'notice' }, n.text); })),
        h('ol', { class: 'messages', 'data-testid': 'messages' }, lines.concat(pending)),
        form
      ]);
    }
  }).mount('#app');
})();
