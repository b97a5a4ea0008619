package trainingpeaks

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

// statuses lists the fake's answers to requests whose path ends with suffix.
func statuses(f *trainingpeaksfake.Server, suffix string) []int {
	var out []int
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			out = append(out, r.Status)
		}
	}
	return out
}

// A bearer that stops working mid-run: the call gets 401, the cookie is
// exchanged again and that call alone is repeated, once.
func TestReexchangeOn401(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{})
	c := h.client(t, nil)
	byKind := seededActivities(t, h, c)
	a := byKind[trainingpeaksfake.KindFIT][0]
	h.fake.ExpireBearers()
	data, err := c.Download(t.Context(), a)
	if err != nil || len(data) == 0 {
		t.Fatalf("Download after expiry: %v", err)
	}
	if got := statuses(h.fake, "/details"); len(got) != 2 || got[0] != 401 || got[1] != 200 {
		t.Fatalf("details answered %v, want [401 200]", got)
	}
	reqs := h.fake.Requests()
	for i, r := range reqs {
		if r.Status == 401 {
			if i+2 >= len(reqs) || reqs[i+1].Path != "/users/v3/token" || reqs[i+1].Bearer || !reqs[i+1].Cookie || reqs[i+2].Path != r.Path {
				t.Fatalf("after the 401 on %s came %+v, %+v; want the exchange (cookie, no bearer) then the same call", r.Path, reqs[i+1], reqs[i+2])
			}
		}
	}
	if n := h.fake.Exchanges(); n != 2 {
		t.Fatalf("%d exchanges, want 2", n)
	}
	h.secretsLogged(t)
}

// The bearer's expiry is kept: shortly before it, a fresh one is fetched
// without waiting for a 401.
func TestReexchangeBeforeExpiry(t *testing.T) {
	tests := []struct {
		name      string
		advance   time.Duration
		exchanges int
	}{
		{"well before expiry", 8 * time.Minute, 1},
		{"inside the renewal margin", 9*time.Minute + 30*time.Second, 2},
		{"after expiry", 11 * time.Minute, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, trainingpeaksfake.Options{BearerLifetime: 10 * time.Minute})
			c := h.client(t, nil)
			if _, err := c.Athletes(t.Context()); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(tt.advance)
			list(t, c, source.Query{Since: day("2026-09-01"), Until: day("2026-09-30")})
			if n := h.fake.Exchanges(); n != tt.exchanges {
				t.Fatalf("%d exchanges, want %d", n, tt.exchanges)
			}
			for _, r := range h.fake.Requests() {
				if r.Status == http.StatusUnauthorized {
					t.Fatalf("%s answered 401: the bearer was used past its expiry", r.Path)
				}
			}
		})
	}
}

// refuse401 answers 401 to every request whose path contains part, as if the
// service refused even a fresh bearer there, and counts them.
func refuse401(part string, n *atomic.Int32) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, part) {
				n.Add(1)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestNeedsSignIn(t *testing.T) {
	var refused atomic.Int32
	tests := []struct {
		name          string
		before, after func(h *harness, t *testing.T) // around the first call
		check         func(h *harness, t *testing.T)
	}{
		{
			name: "cookie revoked mid-run",
			after: func(h *harness, t *testing.T) {
				h.fake.RevokeCookie()
				h.fake.ExpireBearers()
			},
			check: func(h *harness, t *testing.T) {
				if got := statuses(h.fake, "/users/v3/token"); len(got) != 2 || got[1] != http.StatusUnauthorized {
					t.Fatalf("exchanges answered %v, want [200 401]", got)
				}
			},
		},
		{
			name:   "fresh bearer refused too",
			before: func(h *harness, t *testing.T) { h.serve(t, refuse401("/workouts/", &refused)) },
			check: func(h *harness, t *testing.T) {
				if n := refused.Load(); n != 2 {
					t.Fatalf("the refused call was made %d times, want 2 (retried once)", n)
				}
				if n := h.fake.Exchanges(); n != 2 {
					t.Fatalf("%d exchanges, want 2", n)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, trainingpeaksfake.Options{})
			if tt.before != nil {
				tt.before(h, t)
			}
			c := h.client(t, nil)
			if _, err := c.Athletes(t.Context()); err != nil {
				t.Fatal(err)
			}
			if tt.after != nil {
				tt.after(h, t)
			}
			err := c.List(t.Context(), source.Query{Since: day("2026-09-01"), Until: day("2026-09-30")}, func(source.Activity) error { return nil })
			if !errors.Is(err, source.ErrNeedsSignIn) || !strings.Contains(err.Error(), "sign in to TrainingPeaks again") {
				t.Fatalf("List = %v, want needs-sign-in", err)
			}
			if strings.Contains(err.Error(), h.cookie) {
				t.Fatal("the error quotes the cookie")
			}
			tt.check(h, t)
			h.secretsLogged(t)
		})
	}
}

// Some tools report a refused cookie as 200 {"success":false}: that is a
// sign-in to renew as much as a 401 is, not an unreadable answer to retry.
func TestExchangeSuccessFalseNeedsSignIn(t *testing.T) {
	h := newHarness(t, trainingpeaksfake.Options{RefuseWith200: true})
	h.fake.RevokeCookie()
	c := h.client(t, nil)
	_, err := c.Athletes(t.Context())
	if !errors.Is(err, source.ErrNeedsSignIn) || !strings.Contains(err.Error(), "success:false") {
		t.Fatalf("Athletes = %v, want needs-sign-in naming success:false", err)
	}
	if got := statuses(h.fake, "/users/v3/token"); len(got) != 1 || got[0] != http.StatusOK {
		t.Fatalf("exchanges answered %v, want one 200 (no retries)", got)
	}
	if err := Validate(t.Context(), h.config(nil)); !errors.Is(err, source.ErrNeedsSignIn) {
		t.Fatalf("Validate = %v, want needs-sign-in", err)
	}
	h.secretsLogged(t)
}

func TestNewWithoutCookie(t *testing.T) {
	for _, tok := range []string{"", "  ", "_ga=1; other=2"} {
		if _, err := New(source.Config{Token: tok}); !errors.Is(err, source.ErrNeedsSignIn) {
			t.Fatalf("New(%q) = %v, want needs-sign-in", tok, err)
		}
	}
}
