package capture

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"fitbridge/backend/source"
)

func TestMain(m *testing.M) {
	// Capture tests never open a window.
	os.Setenv(EnvHeadless, "1")
	os.Exit(m.Run())
}

// pages serves the small login pages the capture tests drive.
func pages(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	html := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!doctype html><html><head><title>t</title></head><body>%s</body></html>", body)
		}
	}
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.Handle("/ls", html(`<script>setTimeout(() => localStorage.setItem('webToken', 'tok-ls-1234'), 150)</script>`))
	mux.Handle("/ls-nested", html(`<script>
		localStorage.setItem('persist:app-store', JSON.stringify({
			user: JSON.stringify({token: "Bearer nested-5678", name: "x"}), _persist: JSON.stringify({version: 1})
		}));</script>`))
	mux.Handle("/ls-frame", html(`<script>setTimeout(() => localStorage.setItem('webToken', 'frame-token-31'), 150)</script>`))
	mux.HandleFunc("/embed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body><iframe src="%s"></iframe></body></html>`, r.URL.Query().Get("src"))
	})
	mux.Handle("/cookie", html(`<p>cookie</p><script>setTimeout(() => fetch('/set-cookie', {method: 'POST'}), 150)</script>`))
	mux.HandleFunc("/set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sess", Value: "cookie-tok-42", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "other", Value: "nope", Path: "/"})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("/cookie-persistent", html(`<p>cookie</p><script>setTimeout(() => fetch('/set-persistent', {method: 'POST'}), 150)</script>`))
	mux.HandleFunc("/set-persistent", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sess", Value: "lasting-tok-43", Path: "/", HttpOnly: true, Expires: persistentExpiry})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("/header", html(`<script>
		setInterval(() => fetch('/api/me', {headers: {'Authorization': 'Bearer hdr-tok-77'}}), 150);
	</script>`))
	// The page's own call carries the bearer, then its answer sets a cookie.
	mux.Handle("/header-then-cookie", html(`<script>
		setTimeout(() => fetch('/api/me', {headers: {'Authorization': 'Bearer hdr-tok-77'}})
			.then(() => fetch('/set-cookie', {method: 'POST'})), 300);
	</script>`))
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) })
	mux.Handle("/resp", html(`<script>setTimeout(() => fetch('/api/session', {method: 'POST'}).then(r => r.json()), 150)</script>`))
	mux.HandleFunc("/api/session", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"error":false,"data":{"token":"resp-tok-99","user":{"id":1}}}`))
	})
	mux.Handle("/stale", html(`<script>
		localStorage.setItem('webToken', 'stale-token');
		setTimeout(() => localStorage.setItem('webToken', 'fresh-token'), 700);
	</script>`))
	mux.Handle("/never", html(`<form><input id="email"><input id="password" type="password"></form>`))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// browsers bounds how many test browsers run at once: each is heavy, and
// CI machines are small.
var browsers = make(chan struct{}, 3)

// browserPath finds the browser the tests drive, or skips when the machine
// has none at all.
func browserPath(t *testing.T) string {
	t.Helper()
	p, err := FindBrowser()
	if err != nil {
		t.Skipf("capture tests need a Chrome-family browser (install chromium or set %s): %v", EnvBrowser, err)
	}
	return p
}

// syncBuffer collects log output from the capture and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type run struct {
	token   string
	err     error
	elapsed time.Duration
	profile string
	logs    string
}

// capture runs Capture headless, then checks the browser left nothing behind.
func capture(t *testing.T, spec source.CaptureSpec, started func(ctx context.Context)) run {
	t.Helper()
	return captureEvery(t, 50*time.Millisecond, spec, started)
}

func captureEvery(t *testing.T, poll time.Duration, spec source.CaptureSpec, started func(ctx context.Context)) run {
	t.Helper()
	return captureWith(t, func(o *Options) { o.PollEvery = poll }, spec, started)
}

func captureWith(t *testing.T, tweak func(*Options), spec source.CaptureSpec, started func(ctx context.Context)) run {
	t.Helper()
	browsers <- struct{}{}
	defer func() { <-browsers }()
	opts := OptionsFromEnv()
	if !opts.Headless {
		t.Fatal("FITBRIDGE_BROWSER_HEADLESS should be set by TestMain")
	}
	opts.BrowserPath = browserPath(t)
	opts.PollEvery = 50 * time.Millisecond
	tweak(&opts)
	var logs syncBuffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var mu sync.Mutex
	var profile string
	opts.hooks = &testHooks{started: func(ctx context.Context, dir string) {
		mu.Lock()
		profile = dir
		mu.Unlock()
		if started != nil {
			started(ctx)
		}
	}}
	if spec.Timeout == 0 {
		spec.Timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	t0 := time.Now()
	tok, err := Capture(ctx, spec, opts)
	r := run{token: tok, err: err, elapsed: time.Since(t0), logs: logs.String()}
	mu.Lock()
	r.profile = profile
	mu.Unlock()
	t.Logf("capture took %v, err=%v", r.elapsed, err)

	if r.profile == "" {
		t.Fatalf("the start page was never opened; logs:\n%s", r.logs)
	}
	if _, statErr := os.Stat(r.profile); !os.IsNotExist(statErr) {
		t.Errorf("temporary profile %s still exists (stat: %v)", r.profile, statErr)
	}
	if n := processesUsing(r.profile); n > 0 {
		t.Errorf("%d browser processes still run with the temporary profile", n)
	}
	if tok != "" && strings.Contains(r.logs, tok) {
		t.Errorf("the token appears in the logs:\n%s", r.logs)
	}
	return r
}

// processesUsing counts live processes started with dir as their profile.
func processesUsing(dir string) int {
	if runtime.GOOS != "linux" {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && bytes.Contains(cmd, []byte("--user-data-dir="+dir)) {
			n++
		}
	}
	return n
}

func TestCaptureLocalStorage(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	validated := 0
	r := capture(t, source.CaptureSpec{
		StartURL:     srv.URL + "/ls",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
		Validate: func(ctx context.Context, tok string) error {
			validated++
			return nil
		},
	}, nil)
	if r.err != nil || r.token != "tok-ls-1234" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
	if validated != 1 {
		t.Errorf("Validate called %d times, want 1", validated)
	}
	if !strings.Contains(r.logs, "len=11") {
		t.Errorf("the token length is not logged:\n%s", r.logs)
	}
}

func TestCaptureLocalStorageNestedJSON(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL: srv.URL + "/ls-nested",
		LocalStorage: &source.LocalStorageToken{
			Key: "persist:app-store", JSONPath: []string{"user", "token"}, StripPrefix: "Bearer ",
		},
	}, nil)
	if r.err != nil || r.token != "nested-5678" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
}

func TestCaptureLocalStorageOfAnotherOrigin(t *testing.T) {
	t.Parallel()
	login, host := pages(t), pages(t)
	// The tab shows one origin while an embedded sign-in frame of another
	// (same site, other port) stores the token: the page cannot read it, the
	// storage events can.
	r := capture(t, source.CaptureSpec{
		StartURL:     host.URL + "/embed?src=" + login.URL + "/ls-frame",
		Origin:       login.URL,
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
		Timeout:      10 * time.Second,
	}, nil)
	if r.err != nil || r.token != "frame-token-31" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
	if !strings.Contains(r.logs, "last write seen") {
		t.Errorf("the token was not taken from the storage events:\n%s", r.logs)
	}
}

func TestCaptureHttpOnlyCookie(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL: srv.URL + "/cookie",
		Cookie:   &source.CookieToken{Name: "sess", Domain: "127.0.0.1"},
	}, nil)
	if r.err != nil || r.token != "cookie-tok-42" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
}

// persistentExpiry is when /set-persistent's cookie expires.
var persistentExpiry = time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)

// The cookie's expiry is logged (how long a session lasts is an open
// question); a session cookie says so. Its value never is (capture checks).
func TestCaptureCookieExpiryLogged(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	for _, tt := range []struct {
		page, token string
		want        []string
	}{
		{"/cookie", "cookie-tok-42", []string{"cookie_session=true", "cookie_expires=session"}},
		{"/cookie-persistent", "lasting-tok-43", []string{"cookie_session=false", "cookie_expires=" + persistentExpiry.Format(time.RFC3339), "cookie_days_left=30", "cookie_http_only=true"}},
	} {
		r := capture(t, source.CaptureSpec{
			StartURL: srv.URL + tt.page,
			Cookie:   &source.CookieToken{Name: "sess", Domain: "127.0.0.1"},
		}, nil)
		if r.err != nil || r.token != tt.token {
			t.Fatalf("%s: got %q, %v; logs:\n%s", tt.page, r.token, r.err, r.logs)
		}
		var found string
		for _, line := range strings.Split(r.logs, "\n") {
			if strings.Contains(line, "session value found") {
				found = line
			}
		}
		for _, w := range tt.want {
			if !strings.Contains(found, w) {
				t.Errorf("%s: %q missing from the log line %q", tt.page, w, found)
			}
		}
	}
}

// A cookie is the last resort: with both in sight, the header's value is
// taken, even though the cookie was read in the same look.
func TestCaptureCookieAfterHeader(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := captureEvery(t, 1500*time.Millisecond, source.CaptureSpec{
		StartURL:      srv.URL + "/header-then-cookie",
		Cookie:        &source.CookieToken{Name: "sess", Domain: "127.0.0.1"},
		RequestHeader: &source.RequestHeaderToken{Host: "127.0.0.1", StripPrefix: "Bearer "},
	}, nil)
	if r.err != nil || r.token != "hdr-tok-77" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
}

func TestCaptureRequestHeader(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL:      srv.URL + "/header",
		RequestHeader: &source.RequestHeaderToken{Host: "127.0.0.1", StripPrefix: "Bearer "},
	}, nil)
	if r.err != nil || r.token != "hdr-tok-77" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
}

func TestCaptureResponseField(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL:      srv.URL + "/resp",
		ResponseField: &source.ResponseFieldToken{URLContains: "/api/session", JSONPath: []string{"data", "token"}},
	}, nil)
	if r.err != nil || r.token != "resp-tok-99" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
}

func TestCaptureIgnoresStaleToken(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	var mu sync.Mutex
	calls := map[string]int{}
	r := capture(t, source.CaptureSpec{
		StartURL:     srv.URL + "/stale",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
		Validate: func(ctx context.Context, tok string) error {
			mu.Lock()
			defer mu.Unlock()
			calls[tok]++
			if tok == "stale-token" {
				return errors.New("HTTP 401")
			}
			return nil
		},
	}, nil)
	if r.err != nil || r.token != "fresh-token" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls["stale-token"] != 1 || calls["fresh-token"] != 1 {
		t.Errorf("validate calls = %v, want each value checked once", calls)
	}
	if strings.Contains(r.logs, "stale-token") {
		t.Errorf("a refused token appears in the logs")
	}
}

// A check that gives no verdict (the service would not answer it, or it
// timed out) does not throw the token away: it is checked again.
func TestCaptureRechecksUncheckedToken(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	var mu sync.Mutex
	calls := 0
	r := captureWith(t, func(o *Options) { o.recheck = 100 * time.Millisecond }, source.CaptureSpec{
		StartURL:     srv.URL + "/ls",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
		Validate: func(ctx context.Context, tok string) error {
			mu.Lock()
			defer mu.Unlock()
			switch calls++; calls {
			case 1:
				return fmt.Errorf("%w: the gateway wants signed calls", source.ErrUnchecked)
			case 2:
				return fmt.Errorf("list page 1: %w", context.DeadlineExceeded)
			}
			return nil
		},
	}, nil)
	if r.err != nil || r.token != "tok-ls-1234" {
		t.Fatalf("got %q, %v; logs:\n%s", r.token, r.err, r.logs)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 3 {
		t.Errorf("Validate called %d times, want 3", calls)
	}
}

// A token that can never be checked ends the sign-in with the reason.
func TestCaptureUncheckedUntilTimeout(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	cause := errors.New("the gateway wants signed calls")
	var mu sync.Mutex
	calls := 0
	r := captureWith(t, func(o *Options) { o.recheck = 100 * time.Millisecond }, source.CaptureSpec{
		StartURL:     srv.URL + "/ls",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
		Timeout:      2 * time.Second,
		Validate: func(ctx context.Context, tok string) error {
			mu.Lock()
			calls++
			mu.Unlock()
			return fmt.Errorf("%w: %w", source.ErrUnchecked, cause)
		},
	}, nil)
	if r.token != "" || !errors.Is(r.err, ErrUncheckedSession) || !errors.Is(r.err, cause) {
		t.Fatalf("got %q, %v", r.token, r.err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls < 2 {
		t.Errorf("Validate called %d times: the token was not checked again", calls)
	}
}

func TestCaptureTimesOut(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL:     srv.URL + "/never",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
		Cookie:       &source.CookieToken{Name: "sess"},
		Timeout:      1500 * time.Millisecond,
	}, nil)
	if !errors.Is(r.err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", r.err)
	}
	// The timeout runs from the page opening; starting the browser on a
	// busy machine adds a few seconds.
	if r.elapsed > 45*time.Second {
		t.Errorf("timing out took %v", r.elapsed)
	}
	for _, want := range []string{"email and password", "paste a token"} {
		if !strings.Contains(r.err.Error(), want) {
			t.Errorf("error %q does not mention %q", r.err, want)
		}
	}
}

func TestCaptureBrowserKilled(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL:     srv.URL + "/never",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
	}, func(ctx context.Context) {
		time.Sleep(300 * time.Millisecond)
		if err := chromedp.FromContext(ctx).Browser.Process().Kill(); err != nil {
			t.Errorf("kill: %v", err)
		}
	})
	if !errors.Is(r.err, ErrBrowserClosed) {
		t.Fatalf("err = %v, want ErrBrowserClosed", r.err)
	}
	if r.elapsed > 45*time.Second {
		t.Errorf("noticing the dead browser took %v", r.elapsed)
	}
}

func TestCaptureWindowClosed(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	r := capture(t, source.CaptureSpec{
		StartURL:     srv.URL + "/never",
		LocalStorage: &source.LocalStorageToken{Key: "webToken"},
	}, func(ctx context.Context) {
		time.Sleep(300 * time.Millisecond)
		id := chromedp.FromContext(ctx).Target.TargetID
		if _, err := chromedp.CallBrowser(ctx, target.CloseTarget, target.CloseTargetParams{TargetID: id}); err != nil {
			t.Errorf("close target: %v", err)
		}
	})
	if !errors.Is(r.err, ErrBrowserClosed) {
		t.Fatalf("err = %v, want ErrBrowserClosed", r.err)
	}
}

func TestCaptureCallerCancels(t *testing.T) {
	t.Parallel()
	srv := pages(t)
	browsers <- struct{}{}
	defer func() { <-browsers }()
	opts := OptionsFromEnv()
	opts.BrowserPath = browserPath(t)
	ctx, cancel := context.WithCancel(context.Background())
	profile := make(chan string, 1)
	opts.hooks = &testHooks{started: func(_ context.Context, dir string) {
		profile <- dir
		time.Sleep(200 * time.Millisecond)
		cancel()
	}}
	_, err := Capture(ctx, source.CaptureSpec{StartURL: srv.URL + "/never", LocalStorage: &source.LocalStorageToken{Key: "k"}}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	dir := <-profile
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary profile %s still exists", dir)
	}
	if n := processesUsing(dir); n > 0 {
		t.Errorf("%d browser processes left behind", n)
	}
}

func TestCaptureNoBrowser(t *testing.T) {
	_, err := Capture(context.Background(), source.CaptureSpec{
		StartURL: "http://127.0.0.1:1/", LocalStorage: &source.LocalStorageToken{Key: "k"},
	}, Options{BrowserPath: "/nonexistent/fitbridge-no-such-browser"})
	if !errors.Is(err, ErrNoBrowser) {
		t.Fatalf("err = %v, want ErrNoBrowser", err)
	}
	if !strings.Contains(err.Error(), "paste a token") {
		t.Errorf("error %q does not mention the fallbacks", err)
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		raw   string
		path  []string
		strip string
		want  string
		ok    bool
	}{
		{"eyJ.abc.def", nil, "", "eyJ.abc.def", true},
		{` "Bearer xyz" `, nil, "Bearer ", "xyz", true},
		{`{"token":"\"quoted\""}`, []string{"token"}, "", "quoted", true},
		{`{"a":"{\"b\":\"{\\\"c\\\":\\\"deep\\\"}\"}"}`, []string{"a", "b", "c"}, "", "deep", true},
		{`{"list":[{"t":"x0"},{"t":"x1"}]}`, []string{"list", "1", "t"}, "", "x1", true},
		{`{"n":12345}`, []string{"n"}, "", "12345", true},
		{`{"a":{"b":1}}`, []string{"a"}, "", "", false},
		{`{"a":null}`, []string{"a"}, "", "", false},
		{`{"a":1}`, []string{"missing"}, "", "", false},
		{`not json`, []string{"a"}, "", "", false},
	}
	for _, tc := range tests {
		got, ok := extract(tc.raw, tc.path, tc.strip)
		if got != tc.want || ok != tc.ok {
			t.Errorf("extract(%q, %v) = %q, %v; want %q, %v", tc.raw, tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDescribeTokenHidesToken(t *testing.T) {
	// header {"alg":"HS256","typ":"JWT"}, payload {"exp":1767225600,"iat":1767222000,"userId":"u1"}
	tok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." +
		"eyJleHAiOjE3NjcyMjU2MDAsImlhdCI6MTc2NzIyMjAwMCwidXNlcklkIjoidTEifQ.c2lnbmF0dXJl"
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", DescribeToken(tok))
	out := buf.String()
	if strings.Contains(out, tok) || strings.Contains(out, "c2lnbmF0dXJl") {
		t.Fatalf("token leaked: %s", out)
	}
	for _, want := range []string{fmt.Sprintf("token.len=%d", len(tok)), "jwt_claims=exp,iat,userId", "jwt_exp=2026-01-01T00:00:00", "jwt_lifetime=1h0m0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing from %s", want, out)
		}
	}
	if exp, ok := JWTExpiry(tok); !ok || exp.Unix() != 1767225600 {
		t.Errorf("JWTExpiry = %v, %v", exp, ok)
	}
}

func TestJWTClaim(t *testing.T) {
	jwt := func(payload string) string {
		return "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".sig"
	}
	for _, tc := range []struct {
		token, want string
		ok          bool
	}{
		{jwt(`{"userId":"12345","exp":1}`), "12345", true},
		{jwt(`{"userId":" 77 "}`), "77", true},
		{jwt(`{"userId":12345678901234567890}`), "12345678901234567890", true},
		{jwt(`{"userId":""}`), "", false},
		{jwt(`{"userId":null}`), "", false},
		{jwt(`{"userId":{"id":1}}`), "", false},
		{jwt(`{"sub":"1"}`), "", false},
		{jwt(`not json`), "", false},
		{"not-a-jwt", "", false},
	} {
		got, ok := JWTClaim(tc.token, "userId")
		if got != tc.want || ok != tc.ok {
			t.Errorf("JWTClaim(%s) = %q, %v; want %q, %v", tc.token, got, ok, tc.want, tc.ok)
		}
	}
}
