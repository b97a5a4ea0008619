package trainingpeaksfake

import (
	"html/template"
	"net/http"
	"strconv"
	"time"
)

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Log In | TrainingPeaks</title></head>
<body>
<h1>Log in to TrainingPeaks</h1>
{{if .Error}}<div class="validation-summary-errors"><ul><li>{{.Error}}</li></ul></div>{{end}}
{{if .Captcha}}<div class="captcha-required">Please confirm you are not a robot.</div>{{end}}
<form method="post" action="/login" id="login-form">
<input type="hidden" name="__RequestVerificationToken" value="{{.FormToken}}">
<input type="hidden" name="CaptchaHidden" value="{{if .Captcha}}true{{else}}false{{end}}">
<input type="hidden" name="CaptchaToken" value="">
<input type="hidden" name="Attempts" value="{{.Attempts}}">
<input type="hidden" name="SelectedMfaMethod" value="">
<label>Username <input type="text" name="Username" id="Username" autocomplete="username"></label>
<label>Password <input type="password" name="Password" id="Password" autocomplete="current-password"></label>
<button type="submit" id="btnSubmit">Log In</button>
</form>
{{if .Auto}}<script>
document.getElementById("Username").value = {{.User}};
document.getElementById("Password").value = {{.Pass}};
document.getElementById("login-form").submit();
</script>{{end}}
</body></html>`))

var mfaTmpl = template.Must(template.New("mfa").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Verify | TrainingPeaks</title></head>
<body>
<h1>Enter the code we sent you</h1>
{{if .Error}}<div class="validation-summary-errors"><ul><li>{{.Error}}</li></ul></div>{{end}}
<form method="post" action="/login/mfa" id="mfa-form">
<input type="text" name="Code" id="Code" autocomplete="one-time-code">
<button type="submit">Verify</button>
</form>
{{if .Auto}}<script>
document.getElementById("Code").value = {{.Code}};
document.getElementById("mfa-form").submit();
</script>{{end}}
</body></html>`))

type loginView struct {
	Error      string
	Captcha    bool
	FormToken  string
	Attempts   int
	Auto       bool
	User, Pass string
}

// loginPage serves the form and sets the anti-forgery cookie it pairs with.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, loginView{Auto: s.opts.AutoLogin})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, v loginView) {
	cookieTok, formTok := randomToken(24), randomToken(24)
	s.mu.Lock()
	s.forgery[cookieTok] = formTok
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: antiForgeryCookie, Value: cookieTok, Path: "/", HttpOnly: true, Secure: r.TLS != nil})
	v.FormToken = formTok
	v.User, v.Pass = s.opts.Username, s.opts.Password
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = loginTmpl.Execute(w, v)
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.loginPosts++
	s.mu.Unlock()
	c, err := r.Cookie(antiForgeryCookie)
	formTok := r.PostForm.Get("__RequestVerificationToken")
	s.mu.Lock()
	want, known := "", false
	if err == nil {
		want, known = s.forgery[c.Value]
		delete(s.forgery, c.Value)
	}
	s.mu.Unlock()
	if !known || formTok == "" || formTok != want {
		http.Error(w, "The required anti-forgery cookie or form field is not present or does not match.", http.StatusBadRequest)
		return
	}
	attempts, _ := strconv.Atoi(r.PostForm.Get("Attempts"))
	if r.PostForm.Get("Username") != s.opts.Username || r.PostForm.Get("Password") != s.opts.Password {
		// Auto-fill stops after the first try so a wrong password cannot loop.
		s.renderLogin(w, r, loginView{Error: "Invalid username or password.", Attempts: attempts + 1})
		return
	}
	switch s.opts.LoginMode {
	case LoginCaptcha:
		s.renderLogin(w, r, loginView{Captcha: true, Attempts: attempts + 1})
		return
	case LoginMFA:
		pending := randomToken(24)
		s.mu.Lock()
		s.mfaPending[pending] = true
		s.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: mfaPendingCookie, Value: pending, Path: "/login", HttpOnly: true, Secure: r.TLS != nil})
		http.Redirect(w, r, "/login/mfa", http.StatusFound)
		return
	}
	s.signIn(w, r)
}

// signIn issues the session cookie and sends the browser to the app, as the
// real login does with a 302 to app.trainingpeaks.com. The cookie is host-only
// on loopback: a Domain attribute naming an IP address is refused by browsers.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c := s.issueCookieLocked()
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: c, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		Expires: s.now().Add(30 * 24 * time.Hour),
	})
	http.Redirect(w, r, "/", http.StatusFound)
}

func (s *Server) mfaPage(w http.ResponseWriter, r *http.Request) {
	s.renderMFA(w, r, "", s.opts.AutoLogin)
}

func (s *Server) renderMFA(w http.ResponseWriter, r *http.Request, msg string, auto bool) {
	if !s.mfaKnown(r) {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = mfaTmpl.Execute(w, struct {
		Error string
		Auto  bool
		Code  string
	}{msg, auto, s.opts.MFACode})
}

func (s *Server) mfaKnown(r *http.Request) bool {
	c, err := r.Cookie(mfaPendingCookie)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mfaPending[c.Value]
}

func (s *Server) mfaPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !s.mfaKnown(r) {
		http.Redirect(w, r, "/login", http.StatusFound)
		return
	}
	if r.PostForm.Get("Code") != s.opts.MFACode {
		s.renderMFA(w, r, "That code is not valid.", false)
		return
	}
	c, _ := r.Cookie(mfaPendingCookie)
	s.mu.Lock()
	delete(s.mfaPending, c.Value)
	s.mu.Unlock()
	s.signIn(w, r)
}

// appPage stands in for app.trainingpeaks.com, where a signed-in rider lands.
func (s *Server) appPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, signedIn := r.Cookie(CookieName)
	if signedIn != nil {
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>TrainingPeaks</title></head><body><p>Not signed in. <a href="/login">Log in</a></p></body></html>`))
		return
	}
	_, _ = w.Write([]byte(`<!doctype html><html><head><title>Calendar | TrainingPeaks</title></head><body><h1 id="calendar">Calendar</h1></body></html>`))
}
