package igpsportfake

import (
	"encoding/json"
	"net/http"
	"strings"
)

// pageConfig is what the pages' script needs to know about the fake.
type pageConfig struct {
	Region    string `json:"region"`
	Lang      string `json:"lang"`
	Stale     string `json:"stale"`
	Redirect  string `json:"redirect"`
	AutoLogin bool   `json:"autoLogin"`
	Username  string `json:"username,omitempty"`
	Password  string `json:"password,omitempty"`
	DelayMs   int64  `json:"delayMs"`
	NextTitle string `json:"nextTitle"`
	SignQuery bool   `json:"signQuery"`
}

func (s *Server) config(r *http.Request) pageConfig {
	c := pageConfig{Region: s.opts.Region, Lang: "en", Stale: s.stale, NextTitle: "Next Page", SignQuery: !s.opts.ReplayableSignatures}
	if s.opts.Region == RegionChina {
		c.Lang, c.NextTitle = "zh-Hans", "下一页"
	}
	// Only a path on this origin is followed after sign-in.
	if red := r.URL.Query().Get("redirect"); strings.HasPrefix(red, "/") && !strings.HasPrefix(red, "//") {
		c.Redirect = red
	}
	return c
}

func (s *Server) servePage(w http.ResponseWriter, c pageConfig, body, script string) {
	cfg, _ := json.Marshal(c) // escapes <, > and &, so it is safe inside <script>
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	page := strings.NewReplacer("{{BODY}}", body, "{{CONFIG}}", string(cfg), "{{COMMON}}", commonJS, "{{SCRIPT}}", script).Replace(pageHTML)
	_, _ = w.Write([]byte(page))
}

// loginPage is the passport sign-in form. Before sign-in it leaves a stale
// token in storage, the way an old passport session lingers for real riders.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	c := s.config(r)
	if s.opts.AutoLogin {
		c.AutoLogin, c.Username, c.Password = true, s.opts.Username, s.opts.Password
		c.DelayMs = s.opts.AutoLoginDelay.Milliseconds()
	}
	s.servePage(w, c, loginBody, loginJS)
}

// listPage is the web app's ride history: it reads the token from storage
// and calls the list API itself (signed in China mode), one page per click.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, s.config(r), listBody, listJS)
}

const pageHTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>iGPSport</title></head>
<body>
{{BODY}}
<script>
const CFG = {{CONFIG}};
{{COMMON}}
{{SCRIPT}}
</script>
</body></html>
`

const loginBody = `<form id="login-form" autocomplete="on">
  <label>Account <input id="username" name="username" autocomplete="username"></label>
  <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
  <button id="login-submit" type="submit">Log in</button>
  <p id="error" role="alert"></p>
</form>`

const listBody = `<h1>Ride history</h1>
<p id="status">Loading…</p>
<table><tbody id="rides"></tbody></table>
<ul class="ant-pagination">
  <li class="ant-pagination-prev ant-pagination-disabled" aria-disabled="true"><button class="ant-pagination-item-link" type="button">‹</button></li>
  <li class="ant-pagination-item ant-pagination-item-active" id="current">1</li>
  <li class="ant-pagination-next ant-pagination-disabled" aria-disabled="true" id="next"><button class="ant-pagination-item-link" type="button">›</button></li>
</ul>`

// commonJS keeps the app state the way redux-persist does (each slice a JSON
// string inside a JSON object) and makes API calls, signed in China.
const commonJS = `
const STORE_KEY = 'persist:app-store';
function readState() {
  try { return JSON.parse(localStorage.getItem(STORE_KEY) || '{}') || {}; } catch (e) { return {}; }
}
function readToken() {
  try { const s = readState(); return s.global ? (JSON.parse(s.global).token || '') : ''; } catch (e) { return ''; }
}
function writeToken(bearer) {
  const s = readState();
  let g = {};
  try { g = s.global ? JSON.parse(s.global) : {}; } catch (e) {}
  g.token = bearer;
  g.lang = g.lang || CFG.lang;
  s.global = JSON.stringify(g);
  s._persist = JSON.stringify({version: -1, rehydrated: true});
  localStorage.setItem(STORE_KEY, JSON.stringify(s));
}
let keyPromise = null;
function signingKey() {
  if (!keyPromise) {
    keyPromise = fetch('/service/edge-core/api/public/key').then(function (r) { return r.json(); }).then(function (j) {
      const raw = Uint8Array.from(atob(j.data.secret_key), function (c) { return c.charCodeAt(0); });
      return crypto.subtle.importKey('raw', raw, {name: 'HMAC', hash: 'SHA-256'}, false, ['sign']);
    });
  }
  return keyPromise;
}
async function api(method, url, body, withToken) {
  const headers = {'Accept': 'application/json, text/plain, */*'};
  if (withToken && readToken()) headers['Authorization'] = readToken();
  const payload = body === undefined ? '' : JSON.stringify(body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (CFG.region === 'cn') {
    const u = new URL(url, location.href);
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = crypto.randomUUID();
    const msg = method + '\n' + u.pathname + (CFG.signQuery ? u.search : '') + '\n' + ts + '\n' + nonce + '\n' + payload;
    const sig = await crypto.subtle.sign('HMAC', await signingKey(), new TextEncoder().encode(msg));
    headers['x-timestamp'] = ts;
    headers['x-nonce'] = nonce;
    headers['x-access-key'] = 'AKIDWebClient';
    headers['x-platform'] = 'web';
    headers['x-signature'] = btoa(String.fromCharCode.apply(null, new Uint8Array(sig)));
  }
  const res = await fetch(url, {method: method, headers: headers, body: body === undefined ? undefined : payload});
  let json = null;
  try { json = await res.json(); } catch (e) {}
  return {status: res.status, json: json};
}
`

const loginJS = `
if (!readToken()) writeToken('Bearer ' + CFG.stale);
const form = document.getElementById('login-form');
form.addEventListener('submit', async function (e) {
  e.preventDefault();
  const err = document.getElementById('error');
  err.textContent = '';
  const r = await api('POST', '/service/auth/account/login', {
    appId: 'igpsport-web',
    username: document.getElementById('username').value,
    password: document.getElementById('password').value,
  }, false);
  if (r.json && r.json.code === 0) {
    writeToken('Bearer ' + r.json.data.access_token);
    location.href = CFG.redirect || ('/sport/history/list?lang=' + CFG.lang);
    return;
  }
  err.textContent = (r.json && r.json.message) || ('HTTP ' + r.status);
});
if (CFG.autoLogin) {
  setTimeout(function () {
    document.getElementById('username').value = CFG.username;
    document.getElementById('password').value = CFG.password;
    form.requestSubmit();
  }, CFG.delayMs);
}
`

const listJS = `
let pageNo = 0, totalPage = 0, busy = false;
const next = document.getElementById('next');
next.setAttribute('title', CFG.nextTitle);
function toLogin() {
  location.href = '/login?lang=' + CFG.lang + '&redirect=' + encodeURIComponent(location.pathname + location.search);
}
async function load(n) {
  busy = true;
  const q = new URLSearchParams({pageNo: String(n), pageSize: '20', reqType: '0', sort: '1'});
  if (CFG.region === 'cn') q.set('sortType', '1');
  const r = await api('GET', '/service/web-gateway/web-analyze/activity/queryMyActivity?' + q.toString(), undefined, true);
  busy = false;
  if (r.status === 401 || (r.json && r.json.code === 401)) { toLogin(); return; }
  const status = document.getElementById('status');
  if (!r.json || r.json.code !== 0) { status.textContent = (r.json && r.json.message) || ('HTTP ' + r.status); return; }
  pageNo = n;
  totalPage = r.json.data.totalPage;
  const tbody = document.getElementById('rides');
  tbody.textContent = '';
  for (const row of r.json.data.rows) {
    const tr = document.createElement('tr');
    for (const v of [row.title, row.startTime, (row.rideDistance / 1000).toFixed(1) + ' km']) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  status.textContent = r.json.data.totalRows + ' rides';
  document.getElementById('current').textContent = String(pageNo);
  const last = pageNo >= totalPage;
  next.classList.toggle('ant-pagination-disabled', last);
  next.setAttribute('aria-disabled', last ? 'true' : 'false');
}
next.addEventListener('click', function () {
  if (!busy && pageNo < totalPage) load(pageNo + 1);
});
if (readToken()) load(1); else toLogin();
`
