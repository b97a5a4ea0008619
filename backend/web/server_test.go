package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

const testToken = "0123456789abcdef0123456789abcdef"

type person struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

type testApp struct{}

func (*testApp) Add(a, b int) int { return a + b }

func (*testApp) Greet(p person) (string, error) {
	if p.Name == "" {
		return "", errors.New("Tell FitBridge your name first.")
	}
	return "Hello " + p.Name, nil
}

func (*testApp) Fail() error {
	return errors.New("Intervals.icu refused the API key: check it in Settings.")
}
func (*testApp) Nothing() {}
func (*testApp) Join(sep string, parts ...string) string {
	return strings.Join(parts, sep)
}

// FromRequest tells whether the context is the HTTP request's.
func (*testApp) FromRequest(ctx context.Context, n int) (bool, error) {
	return ctx.Value(http.ServerContextKey) != nil && n == 1, nil
}
func (*testApp) Panic() int            { panic("boom") }
func (*testApp) Pair() (int, int)      { return 1, 2 } // not callable: two values
func (*testApp) Chan(c chan int)       {}              // not callable: no JSON for a channel
func (*testApp) Leak() (string, error) { return "", errors.New("bad token " + testToken) }
func (*testApp) hidden()               {} // unexported: not callable

var _ = (*testApp).hidden // used only through the name the browser sends

var assets = fstest.MapFS{
	"index.html":    {Data: []byte("<!doctype html><title>FitBridge</title>")},
	"assets/app.js": {Data: []byte("console.log(1)")},
}

// syncBuffer collects log output written from several goroutines.
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

type fixture struct {
	s    *Server
	url  string // as printed, with the token
	base string // http://127.0.0.1:PORT
	host string // 127.0.0.1:PORT
	port string
	logs *syncBuffer
	c    *http.Client
}

func start(t *testing.T, opts Options) *fixture {
	t.Helper()
	logs := &syncBuffer{}
	if opts.App == nil {
		opts.App = &testApp{}
	}
	if opts.Assets == nil {
		opts.Assets = assets
	}
	if opts.Token == "" {
		opts.Token = testToken
	}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // tests that close it themselves make this a no-op
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		s: s, url: u, base: "http://" + pu.Host, host: pu.Host, port: pu.Port(), logs: logs,
		c: &http.Client{
			Timeout:       5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

type req struct {
	method, path, body string
	bearer, cookie     string
	host, origin       string
}

func (f *fixture) do(t *testing.T, r req) (*http.Response, string) {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	hr, err := http.NewRequest(r.method, f.base+r.path, strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: "fitbridge_token", Value: r.cookie})
	}
	if r.host != "" {
		hr.Host = r.host
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	resp, err := f.c.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestStartURL(t *testing.T) {
	s, err := New(Options{App: &testApp{}}) // random token, default address
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	u, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*/#token=[0-9a-f]{64}$`).MatchString(u) {
		t.Fatalf("Start() = %q", u)
	}
	if _, err := s.Start(); err == nil {
		t.Fatal("second Start succeeded")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
		warn    bool
	}{
		{name: "defaults", opts: Options{App: &testApp{}}},
		{name: "localhost", opts: Options{App: &testApp{}, Addr: "localhost:0"}},
		{name: "ipv6 loopback", opts: Options{App: &testApp{}, Addr: "[::1]:0"}},
		{name: "other loopback", opts: Options{App: &testApp{}, Addr: "127.0.0.2:0"}},
		{name: "every interface", opts: Options{App: &testApp{}, Addr: "0.0.0.0:8080"}, warn: true},
		{name: "no host", opts: Options{App: &testApp{}, Addr: ":8080"}, warn: true},
		{name: "lan address", opts: Options{App: &testApp{}, Addr: "192.168.1.5:8080"}, warn: true},
		{name: "host name", opts: Options{App: &testApp{}, Addr: "fitbridge.lan:8080"}, warn: true},
		{name: "no app", opts: Options{}, wantErr: true},
		{name: "no port", opts: Options{App: &testApp{}, Addr: "127.0.0.1"}, wantErr: true},
		{name: "short token", opts: Options{App: &testApp{}, Token: "abc"}, wantErr: true},
		{name: "token with a cookie separator", opts: Options{App: &testApp{}, Token: "0123456789abcdef;x"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New: %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			w := s.Warning()
			if (w != "") != tt.warn {
				t.Fatalf("Warning() = %q, want one: %v", w, tt.warn)
			}
			if tt.warn && !strings.Contains(w, "anyone on your network") {
				t.Fatalf("Warning() = %q: not plain enough", w)
			}
		})
	}
}

func TestAccess(t *testing.T) {
	f := start(t, Options{})
	tests := []struct {
		name string
		r    req
		want int
	}{
		// The window's files load without the token: the page reads it
		// from its own address once it runs.
		{"shell without token", req{path: "/"}, http.StatusOK},
		{"asset without token", req{path: "/assets/app.js"}, http.StatusOK},
		{"call without token", req{method: "POST", path: "/api/call/Add", body: "[1,2]"}, http.StatusUnauthorized},
		{"events without token", req{path: "/api/events"}, http.StatusUnauthorized},
		{"wrong bearer", req{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken + "x"}, http.StatusUnauthorized},
		{"token as a cookie", req{method: "POST", path: "/api/call/Add", body: "[1,2]", cookie: testToken}, http.StatusUnauthorized},
		{"events with the token as a cookie", req{path: "/api/events", cookie: testToken}, http.StatusUnauthorized},
		{"token in the query", req{path: "/?token=" + testToken}, http.StatusUnauthorized},
		{"token in the query of a call", req{method: "POST", path: "/api/call/Add?token=" + testToken, body: "[1,2]"}, http.StatusUnauthorized},
		{"token in the query of another path", req{path: "/assets/app.js?token=" + testToken}, http.StatusUnauthorized},
		{"bearer", req{path: "/", bearer: testToken}, http.StatusOK},
		{"call with bearer", req{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken}, http.StatusOK},

		{"foreign host", req{path: "/", bearer: testToken, host: "evil.example:" + f.port}, http.StatusForbidden},
		{"foreign host exchanging the token", req{path: "/?token=" + testToken, host: "evil.example:" + f.port}, http.StatusForbidden},
		{"loopback on another port", req{path: "/", bearer: testToken, host: "127.0.0.1:1"}, http.StatusForbidden},
		{"localhost", req{path: "/", bearer: testToken, host: "localhost:" + f.port}, http.StatusOK},
		{"LOCALHOST", req{path: "/", bearer: testToken, host: "LOCALHOST:" + f.port}, http.StatusOK},
		{"ipv6 loopback", req{path: "/", bearer: testToken, host: "[::1]:" + f.port}, http.StatusOK},

		{"foreign origin", req{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken, origin: "http://evil.example"}, http.StatusForbidden},
		{"foreign origin on a GET", req{path: "/api/events", bearer: testToken, origin: "https://evil.example"}, http.StatusForbidden},
		{"null origin", req{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken, origin: "null"}, http.StatusForbidden},
		{"other loopback name as origin", req{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken, origin: "http://localhost:" + f.port}, http.StatusForbidden},
		{"same origin", req{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken, origin: f.base}, http.StatusOK},
		{"same origin without token", req{method: "POST", path: "/api/call/Add", body: "[1,2]", origin: f.base}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, tt.r)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.want)
			}
			if c := resp.Header.Get("Set-Cookie"); c != "" {
				t.Fatalf("the server set a cookie: %s", c)
			}
			if strings.HasPrefix(tt.r.path, "/api/") && tt.want != http.StatusOK {
				var e struct{ Error string }
				if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
					t.Fatalf("API refusal is not a JSON error: %q", body)
				}
			}
		})
	}
}

// TestNoCookieEver: nothing the server answers, to the printed address or
// any call, sets a cookie, since a cookie for 127.0.0.1 reaches every local
// port.
func TestNoCookieEver(t *testing.T) {
	f := start(t, Options{})
	pu, err := url.Parse(f.url)
	if err != nil || pu.RawQuery != "" || pu.Fragment != "token="+testToken {
		t.Fatalf("printed URL %q: the token must be in the fragment only", f.url)
	}
	for _, r := range []req{
		{path: "/"},
		{path: "/?token=" + testToken},
		{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken},
		{path: "/assets/app.js"},
	} {
		resp, _ := f.do(t, r)
		if len(resp.Cookies()) > 0 || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("%s %s set a cookie: %q", r.method, r.path, resp.Header.Values("Set-Cookie"))
		}
	}
}

func TestCall(t *testing.T) {
	f := start(t, Options{})
	tests := []struct {
		name, method, body string
		status             int
		result             string // JSON of "result" on 200
		errContains        string // "error" otherwise
	}{
		{name: "positional args", method: "Add", body: "[2, 3]", status: 200, result: "5"},
		{name: "struct arg", method: "Greet", body: `[{"name":"Ana","age":30}]`, status: 200, result: `"Hello Ana"`},
		{name: "method error", method: "Greet", body: `[{}]`, status: 500, errContains: "Tell FitBridge your name first."},
		{name: "error only, as is", method: "Fail", body: `[]`, status: 500, errContains: "Intervals.icu refused the API key: check it in Settings."},
		{name: "nothing returned", method: "Nothing", body: `[]`, status: 200, result: "null"},
		{name: "empty body means no args", method: "Nothing", body: ``, status: 200, result: "null"},
		{name: "variadic", method: "Join", body: `["-", "a", "b", "c"]`, status: 200, result: `"a-b-c"`},
		{name: "variadic with none", method: "Join", body: `["-"]`, status: 200, result: `""`},
		{name: "context from the request", method: "FromRequest", body: `[1]`, status: 200, result: "true"},
		{name: "too few", method: "Add", body: "[1]", status: 400, errContains: "Add takes 2 arguments, got 1"},
		{name: "too many", method: "Add", body: "[1,2,3]", status: 400, errContains: "takes 2 arguments"},
		{name: "variadic too few", method: "Join", body: "[]", status: 400, errContains: "at least 1"},
		{name: "wrong type", method: "Add", body: `[1, "two"]`, status: 400, errContains: "argument 2 of Add"},
		{name: "bad JSON", method: "Add", body: `[1,`, status: 400, errContains: "JSON array"},
		{name: "not an array", method: "Add", body: `{"a":1}`, status: 400, errContains: "JSON array"},
		{name: "trailing data", method: "Add", body: `[1,2] [3]`, status: 400, errContains: "single JSON array"},
		{name: "unknown method", method: "Nope", body: `[]`, status: 404, errContains: "no method"},
		{name: "unexported method", method: "hidden", body: `[]`, status: 404},
		{name: "unsupported results", method: "Pair", body: `[]`, status: 404},
		{name: "panic", method: "Panic", body: `[]`, status: 500, errContains: "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.do(t, req{method: "POST", path: "/api/call/" + tt.method, body: tt.body, bearer: testToken})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			var out struct {
				Result json.RawMessage `json:"result"`
				Error  *string         `json:"error"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if tt.status == 200 {
				if string(out.Result) != tt.result || out.Error != nil {
					t.Fatalf("body %s, want result %s", body, tt.result)
				}
				return
			}
			if out.Error == nil || !strings.Contains(*out.Error, tt.errContains) {
				t.Fatalf("body %s, want an error containing %q", body, tt.errContains)
			}
		})
	}
}

func TestCallMethodNotAllowed(t *testing.T) {
	f := start(t, Options{})
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		resp, body := f.do(t, req{method: m, path: "/api/call/Add", bearer: testToken})
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: %d %q, Allow %q", m, resp.StatusCode, body, resp.Header.Get("Allow"))
		}
	}
	if resp, _ := f.do(t, req{path: "/api/nothing", bearer: testToken}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown API path: %d", resp.StatusCode)
	}
}

func TestMethods(t *testing.T) {
	want := []string{"Add", "Fail", "FromRequest", "Greet", "Join", "Leak", "Nothing", "Panic"}
	names := func(app any) []string {
		var out []string
		for n := range methodsOf(app) {
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}
	if got := names(&testApp{}); !slices.Equal(got, want) {
		t.Fatalf("methods = %v, want %v", got, want)
	}
	if got := names(nil); len(got) != 0 {
		t.Fatalf("methods of nil = %v", got)
	}
}

func TestStatic(t *testing.T) {
	f := start(t, Options{})
	tests := []struct {
		path, wantType, wantBody string
		status                   int
	}{
		{"/", "text/html", "<title>FitBridge", 200},
		{"/index.html", "text/html", "<title>FitBridge", 200},
		{"/assets/app.js", "javascript", "console.log", 200},
		{"/library/2024", "text/html", "<title>FitBridge", 200}, // the window's own route
		{"/assets", "text/html", "<title>FitBridge", 200},       // a folder without index.html
		{"/assets/missing.js", "", "", 404},
		{"/../../etc/passwd", "", "", http.StatusTemporaryRedirect}, // the mux sends it to the cleaned path
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.do(t, req{path: tt.path, bearer: testToken})
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(resp.Header.Get("Content-Type"), tt.wantType) || !strings.Contains(body, tt.wantBody) {
				t.Fatalf("%s %q", resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

// sseClient reads an event stream line by line.
type sseClient struct {
	cancel context.CancelFunc
	lines  chan string
}

func (f *fixture) events(t *testing.T) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	hr, _ := http.NewRequestWithContext(ctx, "GET", f.base+"/api/events", nil)
	hr.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{cancel: cancel, lines: make(chan string, 100)}
	go func() {
		defer func() { _ = resp.Body.Close() }()
		defer close(c.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(cancel)
	c.expect(t, ": connected")
	return c
}

// expect waits for a line, skipping others (heartbeats, retry).
func (c *sseClient) expect(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(3 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("stream ended before %q", want)
			}
			if l == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %q within 3s", want)
		}
	}
}

func waitStreams(t *testing.T, s *Server, want int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for s.streams.Load() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d event streams still served, want %d", s.streams.Load(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEvents(t *testing.T) {
	f := start(t, Options{Heartbeat: 20 * time.Millisecond})

	a, b := f.events(t), f.events(t)
	waitStreams(t, f.s, 2)

	f.s.Publish("progress", map[string]int{"done": 3, "total": 10})
	for _, c := range []*sseClient{a, b} {
		c.expect(t, "event: progress")
		c.expect(t, `data: {"done":3,"total":10}`)
	}
	f.s.Publish("notice", "3 rides from MyWhoosh")
	a.expect(t, "event: notice")
	a.expect(t, `data: "3 rides from MyWhoosh"`)
	a.expect(t, ": ping")

	// Bad events are dropped, not sent.
	f.s.Publish("two\nlines", 1)
	f.s.Publish("bad", func() {})
	f.s.Publish("after", 1)
	a.expect(t, "event: after")

	// The handler goroutine ends when its client goes away.
	a.cancel()
	waitStreams(t, f.s, 1)

	// And when the server closes.
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	waitStreams(t, f.s, 0)
	select {
	case _, ok := <-b.lines:
		for ok {
			_, ok = <-b.lines
		}
	case <-time.After(3 * time.Second):
		t.Fatal("stream still open after Close")
	}
}

func TestSlowEventClientIsDropped(t *testing.T) {
	h := newHub()
	c := h.subscribe()
	for range clientBuffer + 1 {
		h.publish([]byte("x"))
	}
	n := 0
	for range c { // closed once dropped
		n++
	}
	if n != clientBuffer {
		t.Fatalf("got %d frames before the drop, want %d", n, clientBuffer)
	}
	h.unsubscribe(c) // no double close
	h.close()
	if h.subscribe() != nil {
		t.Fatal("subscribed to a closed hub")
	}
}

func TestTokenNeverLogged(t *testing.T) {
	f := start(t, Options{})
	for _, r := range []req{
		{path: "/?token=" + testToken},
		{path: "/?token=" + testToken + "&view=x"},
		{path: "/?token=wrong"},
		{path: "/" + testToken},                       // in the path
		{path: "/?q=" + testToken, cookie: testToken}, // under another key
		{method: "POST", path: "/api/call/Add", body: "[1,2]", bearer: testToken},
		{method: "POST", path: "/api/call/Leak", body: "[]", bearer: testToken}, // in a method error
		{path: "/", host: "evil.example:" + f.port, bearer: testToken},
	} {
		f.do(t, r)
	}
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	logs := f.logs.String()
	if strings.Contains(logs, testToken) {
		t.Fatalf("token in the log:\n%s", logs)
	}
	for _, want := range []string{"token=[redacted]", "status=401", "status=403", "method=POST"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestListenAddresses(t *testing.T) {
	tests := []struct {
		addr    string
		urlHost *regexp.Regexp
	}{
		{"", regexp.MustCompile(`^127\.0\.0\.1:\d+$`)},
		{"127.0.0.1:0", regexp.MustCompile(`^127\.0\.0\.1:\d+$`)},
		{"localhost:0", regexp.MustCompile(`^(127\.0\.0\.1|\[::1\]):\d+$`)},
		{"[::1]:0", regexp.MustCompile(`^\[::1\]:\d+$`)},
	}
	for _, tt := range tests {
		name := tt.addr
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			s, err := New(Options{App: &testApp{}, Addr: tt.addr, Token: testToken})
			if err != nil {
				t.Fatal(err)
			}
			u, err := s.Start()
			if err != nil {
				if strings.Contains(tt.addr, "::1") {
					t.Skipf("no IPv6 loopback here: %v", err)
				}
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			pu, err := url.Parse(u)
			if err != nil || !tt.urlHost.MatchString(pu.Host) || s.Warning() != "" {
				t.Fatalf("Start() = %q, Warning %q", u, s.Warning())
			}
			hr, _ := http.NewRequest("POST", "http://"+pu.Host+"/api/call/Add", strings.NewReader("[20,22]"))
			hr.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"result":42}` {
				t.Fatalf("call through the printed host: %d %s", resp.StatusCode, b)
			}
		})
	}
}
