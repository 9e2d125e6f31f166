// Shared by the distributor pages: the Spring token and JSON calls to our own origin.
// The token comes from `#token=` (kept out of server logs: fragments are never sent) or from
// localStorage `imean_access_token`, where the seed's app stores it after login.
(function () {
  'use strict';
  var KEY = 'imean_access_token';

  function token() {
    var m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (m) {
      try { window.localStorage.setItem(KEY, decodeURIComponent(m[1])); } catch (e) { /* private mode */ }
      window.history.replaceState(null, '', window.location.pathname + window.location.search);
      return decodeURIComponent(m[1]);
    }
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function api(path, tok) {
    return fetch(path, { headers: { Accept: 'application/json', Authorization: 'Bearer ' + tok } }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) {
          var err = new Error(body.message || ('HTTP ' + res.status));
          err.status = res.status;
          throw err;
        }
        return body;
      });
    });
  }

  function query(name) {
    return new URLSearchParams(window.location.search).get(name);
  }

  function wsUrl(path) {
    return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + path;
  }

  function time(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var hh = String(d.getHours()).padStart(2, '0');
    var mm = String(d.getMinutes()).padStart(2, '0');
    return hh + ':' + mm;
  }

  window.Squirret = { token: token, api: api, query: query, wsUrl: wsUrl, time: time };
})();
