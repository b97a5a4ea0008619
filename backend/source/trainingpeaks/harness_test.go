package trainingpeaks

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

// clock is a settable time shared by the fake and the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sleeps records the waits the client asks for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// syncBuffer is a log sink safe for the client's goroutines.
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

// now is mid-afternoon in Berlin, so "today" is the same date everywhere near.
var testNow = time.Date(2026, 10, 14, 13, 0, 0, 0, time.UTC)

type harness struct {
	fake   *trainingpeaksfake.Server
	url    string
	cookie string
	clock  *clock
	sleeps *sleeps
	logs   *syncBuffer
}

func newHarness(t *testing.T, opts trainingpeaksfake.Options) *harness {
	t.Helper()
	h := &harness{clock: &clock{t: testNow}, sleeps: &sleeps{}, logs: &syncBuffer{}}
	if opts.Now == nil {
		opts.Now = h.clock.Now
	}
	h.fake = trainingpeaksfake.New(opts)
	h.url = h.fake.Start()
	t.Cleanup(h.fake.Close)
	h.cookie = h.fake.IssueCookie()
	return h
}

// serve puts a wrapper in front of the fake, for misbehaviour the fake has no switch for.
func (h *harness) serve(t *testing.T, wrap func(next http.Handler) http.Handler) {
	t.Helper()
	ts := httptest.NewServer(wrap(h.fake.Handler()))
	t.Cleanup(ts.Close)
	h.url = ts.URL
}

// config paces nothing: loopback tests make thousands of calls.
func (h *harness) config(settings map[string]string) source.Config {
	s := map[string]string{SettingMinInterval: "0s"}
	for k, v := range settings {
		s[k] = v
	}
	return source.Config{BaseURL: h.url, Token: h.cookie, Settings: s}
}

func (h *harness) client(t *testing.T, settings map[string]string) *Client {
	t.Helper()
	c, err := newClient(h.config(settings), options{sleep: h.sleeps.sleep, now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	c.log = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return c
}

// secretsLogged fails if the cookie or any bearer reached the logs.
func (h *harness) secretsLogged(t *testing.T) {
	t.Helper()
	logs := h.logs.String()
	if strings.Contains(logs, h.cookie) || strings.Contains(logs, "tpb.") {
		t.Fatalf("a secret reached the logs:\n%s", logs)
	}
}

func list(t *testing.T, c *Client, q source.Query) []source.Activity {
	t.Helper()
	var out []source.Activity
	if err := c.List(context.Background(), q, func(a source.Activity) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatalf("List: %v", err)
	}
	return out
}

func skipErr(err error) (*source.SkipError, bool) {
	var se *source.SkipError
	ok := errors.As(err, &se)
	return se, ok
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
