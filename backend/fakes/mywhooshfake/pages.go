package mywhooshfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// The portal's pages are served without faults: they stand in for
// event.mywhoosh.com, which a browser loads, not FitBridge's HTTP client.

const loginPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MyWhoosh | Login</title>
<style>
 body { font-family: sans-serif; background: #101820; color: #eee; margin: 0; }
 main { max-width: 360px; margin: 80px auto; }
 input { display: block; width: 100%; margin: 8px 0; padding: 8px; }
 .btn-universal { background: #00d084; border: 0; padding: 10px 24px; }
 .btn-universal:disabled { opacity: .4; }
 #uc-banner { position: fixed; inset: auto 0 0 0; background: #fff; color: #222; padding: 16px; }
 #login-error { color: #f66; min-height: 1em; }
</style>
</head>
<body>
<div id="usercentrics-root">
 <div id="uc-banner" role="dialog" aria-label="Privacy settings">
  <p>We use cookies and similar technologies to improve your experience.</p>
  <button data-testid="uc-deny-all-button" type="button">Deny</button>
  <button data-testid="uc-accept-all-button" type="button">Accept All</button>
 </div>
</div>
<main>
 <h1>Login</h1>
 <form id="login-form" novalidate>
  <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username">
  <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
  <button class="btn-universal" type="submit" disabled>Login</button>
  <p id="login-error"></p>
 </form>
</main>
<script>
(() => {
  const cfg = __CONFIG__;
  if (cfg.staleToken && !localStorage.getItem('webToken')) {
    localStorage.setItem('webToken', cfg.staleToken);
  }
  const banner = document.getElementById('usercentrics-root');
  const submit = document.querySelector('button.btn-universal');
  // The form stays inert until the cookie banner is answered, as on the real page.
  const consent = () => { banner.remove(); submit.disabled = false; };
  document.querySelector('[data-testid="uc-accept-all-button"]').addEventListener('click', consent);
  document.querySelector('[data-testid="uc-deny-all-button"]').addEventListener('click', consent);
  document.getElementById('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = document.getElementById('login-error');
    err.textContent = '';
    try {
      const res = await fetch('/api/web/login', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({
          email: document.getElementById('email').value,
          password: document.getElementById('password').value,
          remember: true,
        }),
      });
      const body = await res.json();
      if (body.error || !body.data || !body.data.token) {
        err.textContent = body.message || 'Login failed';
        return;
      }
      if (!cfg.cookieOnly) localStorage.setItem('webToken', body.data.token);
      location.href = '/user/activities#activities';
    } catch (e) {
      err.textContent = 'Network error';
    }
  });
  if (cfg.auto) {
    setTimeout(() => {
      document.querySelector('[data-testid="uc-accept-all-button"]').click();
      document.getElementById('email').value = cfg.auto.email;
      document.getElementById('password').value = cfg.auto.password;
      submit.click();
    }, cfg.autoDelayMs);
  }
})();
</script>
</body>
</html>
`

const activitiesPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>MyWhoosh | Activities</title></head>
<body>
<h1>My activities</h1>
<table id="activities"><tbody></tbody></table>
<script>
(async () => {
  const token = localStorage.getItem('webToken');
  if (!token) {
    // Signed in through the cookies only: the page has no bearer to call with.
    if (!document.cookie.includes('whoosh_uuid=')) location.href = '/auth/login';
    return;
  }
  // The portal's own calls carry the session as a bearer, like service14's.
  const res = await fetch('/v2/rider/profile/activities', {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token},
    body: JSON.stringify({page: 1, sortDate: 'DESC', type: '', limit: 10}),
  });
  if (res.status === 401 || res.status === 403) { location.href = '/auth/login'; return; }
  const body = await res.json();
  const tbody = document.querySelector('#activities tbody');
  for (const row of ((body.data && body.data.results) || [])) {
    const tr = document.createElement('tr');
    tr.textContent = row.title + ' ' + row.startDatetime;
    tbody.appendChild(tr);
  }
})();
</script>
</body>
</html>
`

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	cfg := map[string]any{"auto": nil, "autoDelayMs": s.opts.AutoLoginDelay.Milliseconds(), "staleToken": "",
		"cookieOnly": s.opts.WebTokenOnlyInCookie}
	if s.opts.AutoLogin {
		cfg["auto"] = map[string]string{"email": s.opts.Email, "password": s.opts.Password}
	}
	if s.opts.StaleWebToken {
		cfg["staleToken"] = s.token("web", -2*time.Hour)
	}
	// json.Marshal escapes <, > and &, so the values are safe inside <script>.
	b, _ := json.Marshal(cfg)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, strings.Replace(loginPage, "__CONFIG__", string(b), 1))
}

func (s *Server) handleActivitiesPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, activitiesPage)
}

// handleWebLogin stands in for the portal's own sign-in call; only the page
// uses it.
func (s *Server) handleWebLogin(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&b); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": true, "message": "invalid request"})
		return
	}
	if s.opts.NeverLogIn {
		writeJSON(w, http.StatusOK, map[string]any{"error": true, "message": "Something went wrong, please try again later"})
		return
	}
	if !strings.EqualFold(strings.TrimSpace(b.Email), s.opts.Email) || b.Password != s.opts.Password {
		writeJSON(w, http.StatusOK, map[string]any{"error": true, "message": "Email address or password is incorrect"})
		return
	}
	s.count(func(st *Stats) { st.WebLogins++ })
	tok := s.token("web", s.opts.TokenTTL)
	// The portal also keeps the session and the rider id in cookies.
	http.SetCookie(w, &http.Cookie{Name: "whoosh_token", Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "whoosh_uuid", Value: s.opts.WhooshID, Path: "/", SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusOK, map[string]any{"error": false, "message": "", "data": map[string]any{
		"token": tok, "whooshId": s.opts.WhooshID,
	}})
}
