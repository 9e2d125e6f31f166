// The trainer's room list (seed 003 §1.2): member rooms with unread counts, refreshed every few
// seconds. Rendered with Vue render functions: names are set as text, never as HTML.
(function () {
  'use strict';
  var h = Vue.h;
  var S = window.Squirret;

  Vue.createApp({
    data: function () {
      return { token: S.token(), rooms: [], state: 'loading', error: '' };
    },
    mounted: function () {
      var self = this;
      this.load();
      this.timer = setInterval(function () { self.load(); }, 5000);
    },
    unmounted: function () { clearInterval(this.timer); },
    methods: {
      load: function () {
        var self = this;
        if (!this.token) {
          this.state = 'error';
          this.error = '로그인이 필요합니다 (토큰 없음).';
          return;
        }
        S.api('/distributor/chat/rooms', this.token).then(function (body) {
          self.rooms = body.chat_rooms || [];
          self.state = 'ready';
          self.error = '';
        }).catch(function (err) {
          self.state = 'error';
          self.error = err.status === 401 ? '로그인이 만료되었습니다.' : err.status === 403 ? '트레이너만 볼 수 있습니다.' : '목록을 불러오지 못했습니다: ' + err.message;
        });
      }
    },
    render: function () {
      var self = this;
      var children = [h('h1', '채팅방 목록')];
      if (this.state === 'loading') children.push(h('p', { class: 'status' }, '불러오는 중…'));
      if (this.error) children.push(h('p', { class: 'error', 'data-testid': 'error' }, this.error));
      if (this.state === 'ready' && this.rooms.length === 0) children.push(h('p', { class: 'empty' }, '아직 채팅방이 없습니다.'));
      children.push(h('ul', { class: 'rooms' }, this.rooms.map(function (r) {
        return h('li', { class: 'room', key: r.id, 'data-room': r.id }, [
          h('a', { href: '/distributor/chat?room_id=' + encodeURIComponent(r.id) + '&user_id=' + encodeURIComponent(r.member_id), class: 'room-link' }, [
            h('span', { class: 'member' }, r.member_name),
            h('span', { class: 'when' }, r.last_activity),
            r.unread_count > 0 ? h('span', { class: 'unread', 'data-testid': 'unread-' + r.id }, String(r.unread_count)) : null
          ])
        ]);
      })));
      return h('main', { class: 'page rooms-page', 'data-state': self.state }, children);
    }
  }).mount('#app');
})();
