package update

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/releasesfake"
)

func newChecker(t *testing.T, feed string, current string, now *time.Time) *Checker {
	t.Helper()
	return &Checker{Home: t.TempDir(), FeedURL: feed, Current: current, UserAgent: "FitBridge/" + current,
		Now: func() time.Time { return *now }}
}

func TestCheckFindsANewerRelease(t *testing.T) {
	fake := releasesfake.New(Repo, "v1.4.0")
	feed := fake.Start()
	defer fake.Close()
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)

	tests := []struct {
		current string
		want    bool
	}{
		{"1.3.9", true},
		{"1.4.0-dev.2+gabc1234", true},
		{"1.4.0", false},
		{"1.5.0-dev.1+gabc1234", false},
	}
	for _, tt := range tests {
		t.Run(tt.current, func(t *testing.T) {
			c := newChecker(t, feed, tt.current, &now)
			n, err := c.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n.Available != tt.want {
				t.Fatalf("current %s against 1.4.0: available = %v, want %v", tt.current, n.Available, tt.want)
			}
			if tt.want && (n.Version != "1.4.0" || n.URL != fake.NotesURL()) {
				t.Fatalf("notice %+v, want 1.4.0 and %s", n, fake.NotesURL())
			}
		})
	}
}

// The request names FitBridge and carries nothing else: no query, no body,
// no cookie or credentials, no rider data.
func TestCheckSendsNothingAboutTheRider(t *testing.T) {
	fake := releasesfake.New(Repo, "v9.0.0")
	feed := fake.Start()
	defer fake.Close()
	now := time.Now()
	c := newChecker(t, feed, "1.0.0", &now)
	if _, err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodGet || r.RawQuery != "" || r.BodyBytes > 0 || r.UserAgent != "FitBridge/1.0.0" {
		t.Fatalf("request %s ?%q body %d UA %q", r.Method, r.RawQuery, r.BodyBytes, r.UserAgent)
	}
	for k := range r.Header {
		switch k {
		case "Accept", "User-Agent", "Accept-Encoding":
		default:
			t.Errorf("the request carried header %s: %q", k, r.Header.Get(k))
		}
	}
}

func TestCheckAsksAtMostOnceADay(t *testing.T) {
	fake := releasesfake.New(Repo, "v1.1.0")
	feed := fake.Start()
	defer fake.Close()
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	c := newChecker(t, feed, "1.0.0", &now)

	for i, step := range []struct {
		advance  time.Duration
		tag      string
		requests int
		version  string
	}{
		{0, "", 1, "1.1.0"},
		{time.Hour, "v1.2.0", 1, "1.1.0"}, // remembered: no request, the day's answer
		{22 * time.Hour, "", 1, "1.1.0"},  // 23 h after the first ask
		{time.Hour, "", 2, "1.2.0"},       // a day later: asks again
		{-48 * time.Hour, "", 3, "1.2.0"}, // the clock went back: asks again
		{10 * time.Minute, "v1.3.0", 3, "1.2.0"},
	} {
		now = now.Add(step.advance)
		if step.tag != "" {
			fake.SetTag(step.tag)
		}
		n, err := c.Check(context.Background())
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := len(fake.Requests()); got != step.requests || n.Version != step.version {
			t.Fatalf("step %d: %d requests and version %q, want %d and %q", i, got, n.Version, step.requests, step.version)
		}
	}
	// Another feed (a test's fake, then the real one) is not answered from the other's memory.
	other := releasesfake.New(Repo, "v1.0.0")
	otherURL := other.Start()
	defer other.Close()
	c.FeedURL = otherURL
	if n, err := c.Check(context.Background()); err != nil || n.Available || len(other.Requests()) != 1 {
		t.Fatalf("another feed: %+v, %v, %d requests", n, err, len(other.Requests()))
	}
}

// Offline, a feed in trouble or an odd answer: an error, nothing remembered,
// so the next start asks again.
func TestCheckFailsWithoutRemembering(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/repos/x/y/releases/latest"
	l.Close()
	odd := func(body string, status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tests := []struct {
		name, feed, want string
	}{
		{"offline", closed, "ask for the latest release"},
		{"rate limited", odd(`{"message":"API rate limit exceeded"}`, http.StatusForbidden), "403"},
		{"not json", odd(`<html>`, http.StatusOK), "read the latest release"},
		{"not a version", odd(`{"tag_name":"nightly","html_url":"https://example.org/r"}`, http.StatusOK), `"nightly" is not a version`},
		{"pre-release", odd(`{"tag_name":"v2.0.0-rc.1","html_url":"https://example.org/r","prerelease":true}`, http.StatusOK), "pre-release"},
		{"not a web page", odd(`{"tag_name":"v2.0.0","html_url":"file:///etc/passwd"}`, http.StatusOK), "not a web page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Now()
			c := newChecker(t, tt.feed, "1.0.0", &now)
			n, err := c.Check(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) || n.Available {
				t.Fatalf("got %+v, %v; want an error with %q", n, err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(c.Home, stateFile)); !os.IsNotExist(err) {
				t.Fatalf("a failed check was remembered: %v", err)
			}
		})
	}
}
