package trainingpeaks

import (
	"bytes"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/source"
)

// A whole three-year backfill through 10% 500s and 10% 429s completes with
// every file intact, and every 429's Retry-After is waited out.
func TestBackfillThroughFaults(t *testing.T) {
	faults := fakes.NewFaults(5)
	faults.ServerErrorRate, faults.TooManyRate, faults.RetryAfter = 0.10, 0.10, 1
	h := newHarness(t, trainingpeaksfake.Options{Faults: faults})
	seeded := h.fake.Seed(200, day("2023-10-15"), day("2026-10-13"), rand.New(rand.NewSource(8)))
	c := h.client(t, nil)

	got := list(t, c, source.Query{})
	kinds := map[string]trainingpeaksfake.Kind{}
	for _, w := range seeded {
		kinds[strconv.FormatInt(w.ID, 10)] = w.Kind
	}
	if len(got) != 200 {
		t.Fatalf("listed %d, want 200", len(got))
	}
	files, skips := 0, 0
	for _, a := range got {
		data, err := c.Download(t.Context(), a)
		k := kinds[a.RemoteID]
		if !k.HasFile() {
			if _, ok := skipErr(err); !ok {
				t.Fatalf("%s workout %s: %v, want a skip", k, a.RemoteID, err)
			}
			skips++
			continue
		}
		if err != nil {
			t.Fatalf("%s workout %s: %v", k, a.RemoteID, err)
		}
		id, _ := strconv.ParseInt(a.RemoteID, 10, 64)
		if !bytes.Equal(data, h.fake.FileBytes(id)) {
			t.Fatalf("workout %s: bytes differ from the original", a.RemoteID)
		}
		files++
	}
	if faults.Injected() < 20 {
		t.Fatalf("only %d faults injected", faults.Injected())
	}
	tooMany := 0
	for _, r := range h.fake.Requests() {
		if r.Status == http.StatusTooManyRequests {
			tooMany++
		}
	}
	waited := 0
	for _, d := range h.sleeps.all() {
		if d >= time.Second {
			waited++
		}
	}
	if tooMany == 0 || waited < tooMany {
		t.Fatalf("%d answers were 429 with Retry-After: 1 but only %d waits lasted 1s or more", tooMany, waited)
	}
	t.Logf("%d files, %d skips, %d faults injected (%d were 429)", files, skips, faults.Injected(), tooMany)
	h.secretsLogged(t)
}

// script answers requests to /users/v3/user from a list of canned answers
// (status, Retry-After, or -1 to drop the connection), then passes them on.
func script(answers []answer, calls *atomic.Int32, clk *clock) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/users/v3/user" {
				next.ServeHTTP(w, r)
				return
			}
			i := int(calls.Add(1)) - 1
			if i >= len(answers) {
				if len(answers) > 0 && answers[len(answers)-1].forever {
					i = len(answers) - 1
				} else {
					next.ServeHTTP(w, r)
					return
				}
			}
			a := answers[i]
			if a.status < 0 {
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			switch {
			case a.retryAfter != "":
				w.Header().Set("Retry-After", a.retryAfter)
			case a.retryAt > 0:
				w.Header().Set("Retry-After", clk.Now().Add(a.retryAt).UTC().Format(http.TimeFormat))
			}
			w.WriteHeader(a.status)
		})
	}
}

type answer struct {
	status     int
	retryAfter string
	retryAt    time.Duration // Retry-After as an HTTP date this far ahead
	forever    bool          // repeat this answer for every later call
}

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name      string
		answers   []answer
		wantErr   string
		calls     int
		minSleeps []time.Duration // lower bound of each wait, in order
		maxSleeps []time.Duration
	}{
		{
			name:      "429 with Retry-After seconds",
			answers:   []answer{{status: 429, retryAfter: "7"}, {status: 429, retryAfter: "7"}},
			calls:     3,
			minSleeps: []time.Duration{7 * time.Second, 7 * time.Second},
			maxSleeps: []time.Duration{8 * time.Second, 8 * time.Second},
		},
		{
			name:      "429 with Retry-After date",
			answers:   []answer{{status: 429, retryAt: 5 * time.Second}},
			calls:     2,
			minSleeps: []time.Duration{4 * time.Second},
			maxSleeps: []time.Duration{6 * time.Second},
		},
		{
			name:      "503 backs off with jitter",
			answers:   []answer{{status: 503}, {status: 502}},
			calls:     3,
			minSleeps: []time.Duration{500 * time.Millisecond, time.Second},
			maxSleeps: []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name:    "dropped connection",
			answers: []answer{{status: -1}},
			calls:   2,
		},
		{
			name:    "500 forever gives up",
			answers: []answer{{status: 500, forever: true}},
			calls:   5,
			wantErr: "gave up after 5 attempts",
		},
		{
			name:    "Retry-After of an hour is not waited out",
			answers: []answer{{status: 429, retryAfter: "3600"}},
			calls:   1,
			wantErr: "try again later",
		},
		{
			name:    "400 is not retried",
			answers: []answer{{status: 400}},
			calls:   1,
			wantErr: "HTTP 400",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, trainingpeaksfake.Options{})
			var calls atomic.Int32
			h.serve(t, script(tt.answers, &calls, h.clock))
			c := h.client(t, nil)
			_, err := c.Athletes(t.Context())
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
			if n := int(calls.Load()); n != tt.calls {
				t.Fatalf("%d calls, want %d", n, tt.calls)
			}
			got := h.sleeps.all()
			if tt.minSleeps != nil {
				if len(got) != len(tt.minSleeps) {
					t.Fatalf("waits %v, want %d", got, len(tt.minSleeps))
				}
				for i := range got {
					if got[i] < tt.minSleeps[i] || got[i] > tt.maxSleeps[i] {
						t.Fatalf("wait %d = %v, want %v..%v", i, got[i], tt.minSleeps[i], tt.maxSleeps[i])
					}
				}
			}
		})
	}
}

// One 503 from the fake (a scripted fault, not a wrapper) costs one retry
// after a backoff wait, and the call succeeds.
func TestSingle503IsRetried(t *testing.T) {
	faults := fakes.NewFaults(1)
	faults.FailNext(fakes.Next{Method: http.MethodGet, PathPrefix: "/users/v3/user", Count: 1, Status: http.StatusServiceUnavailable})
	h := newHarness(t, trainingpeaksfake.Options{Faults: faults})
	c := h.client(t, nil)
	as, err := c.Athletes(t.Context())
	if err != nil || len(as) != 1 {
		t.Fatalf("Athletes = %v, %v", as, err)
	}
	if got := statuses(h.fake, "/users/v3/user"); len(got) != 2 || got[0] != http.StatusServiceUnavailable || got[1] != http.StatusOK {
		t.Fatalf("user answered %v, want [503 200]", got)
	}
	if w := h.sleeps.all(); len(w) != 1 || w[0] < defaultRetryBase/2 || w[0] > defaultRetryBase {
		t.Fatalf("waits %v, want one backoff of %v..%v", w, defaultRetryBase/2, defaultRetryBase)
	}
	if faults.Injected() != 1 || h.fake.Exchanges() != 1 {
		t.Fatalf("%d faults, %d exchanges; want 1 and 1", faults.Injected(), h.fake.Exchanges())
	}
}

func TestSettingsOverridePacing(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		wantErr  bool
		interval time.Duration
	}{
		{"defaults", nil, false, defaultMinInterval},
		{"pacing off", map[string]string{SettingMinInterval: "0s", SettingRetryBase: "1ms"}, false, 0},
		{"bad duration", map[string]string{SettingMinInterval: "fast"}, true, 0},
		{"negative", map[string]string{SettingRetryBase: "-1s"}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(source.Config{Token: "abc", Settings: tt.settings})
			if tt.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.interval
			got := time.Duration(0)
			if l := c.calls.Limits().PerSecond; l > 0 {
				got = time.Duration(float64(time.Second) / l)
			}
			if got != want {
				t.Fatalf("interval %v, want %v", got, want)
			}
		})
	}
}
