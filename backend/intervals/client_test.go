package intervals

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fitbridge/backend/httpcall"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"

	"golang.org/x/time/rate"
)

const testKey = "s3cret-Key-42"

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

func fake(t *testing.T, o intervalsfake.Options) (*intervalsfake.Server, string) {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey = testKey
	}
	if o.RatePerSec == 0 {
		o.RatePerSec = -1
	}
	s := intervalsfake.New(o)
	u := s.Start()
	t.Cleanup(s.Close)
	return s, u
}

func client(base string, sl *sleeps, opts ...Option) *Client {
	all := []Option{
		WithLimiter(nil),
		WithRetry(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 8 * time.Millisecond}),
		WithSleep(sl.sleep),
	}
	return New(base, "", testKey, append(all, opts...)...)
}

func fitRide(start time.Time, minutes int, km float64, serial uint32) []byte {
	return fitgen.Activity(fitgen.Ride{Start: start, Duration: time.Duration(minutes) * time.Minute, DistanceM: km * 1000, Serial: serial, Every: time.Minute})
}

func uploadsOf(reqs []intervalsfake.Request) []intervalsfake.Request {
	var out []intervalsfake.Request
	for _, r := range reqs {
		if r.Method == http.MethodPost && r.Path == "/api/v1/athlete/0/activities" {
			out = append(out, r)
		}
	}
	return out
}

func TestAthlete(t *testing.T) {
	_, base := fake(t, intervalsfake.Options{AthleteName: "Ada Rider", Timezone: "America/Denver"})
	for _, tc := range []struct {
		name    string
		key, ua string
		want    Athlete
		status  int
		message string
	}{
		{name: "ok", key: testKey, want: Athlete{ID: "i12345", Name: "Ada Rider", Timezone: "America/Denver", GarminSync: true, StravaSync: true}},
		{name: "wrong key", key: "wrong", status: 401, message: "Unauthorized"},
		{name: "blocked user agent", key: testKey, ua: "Python-urllib/3.12", status: 403, message: "Access denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(base, "", tc.key, WithLimiter(nil))
			if tc.ua != "" {
				c = New(base, "", tc.key, WithLimiter(nil), WithUserAgent(tc.ua))
			}
			got, err := c.Athlete(context.Background())
			if tc.status == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Message != tc.message || !ae.Auth() || !errors.Is(err, ErrAuth) || IsPermanent(err) {
				t.Fatalf("got %v (%#v)", err, ae)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Fatalf("error text holds the key: %v", err)
			}
		})
	}
}

func TestUploadCreatedThenDuplicate(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{})
	c := client(base, &sleeps{})
	ctx := context.Background()
	data := fitRide(time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), 60, 30, 1)
	up := Upload{Filename: "C:\\rides\\ride", Data: data, Name: "Tempo", Description: "from MyWhoosh", DeviceName: "MyWhoosh", ExternalID: "mywhoosh_66a1"}

	first, err := c.Upload(ctx, up)
	if err != nil || !first.Created || first.Status != 201 || first.ID == "" || len(first.IDs) != 1 {
		t.Fatalf("first upload %+v, %v", first, err)
	}
	up.ExternalID = "mywhoosh_other"
	second, err := c.Upload(ctx, up)
	if err != nil || second.Created || second.Status != 200 || second.ID != first.ID {
		t.Fatalf("second upload %+v, %v; want 200 with %s", second, err, first.ID)
	}
	if s.UploadCount() != 1 || len(s.Activities()) != 1 {
		t.Fatalf("fake has %d creations, %d activities", s.UploadCount(), len(s.Activities()))
	}

	// The listing shows what the first upload sent; the 200 changed nothing.
	acts, err := c.Activities(ctx, time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	if err != nil || len(acts) != 1 {
		t.Fatalf("list: %v %v", acts, err)
	}
	a := acts[0]
	if a.ID != first.ID || a.ExternalID != "mywhoosh_66a1" || a.Name != "Tempo" || a.DeviceName != "MyWhoosh" ||
		!a.StartUTC.Equal(time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC)) || a.StartLocal != time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) ||
		a.ElapsedS != 3600 || a.DistanceM != 30000 || a.Type != "Ride" || a.Source != "OAUTH_CLIENT" || a.IsStub() {
		t.Fatalf("listed %+v", a)
	}

	ups := uploadsOf(s.Requests())
	if len(ups) != 2 {
		t.Fatalf("%d upload requests", len(ups))
	}
	r := ups[0]
	if r.Filename != "ride.fit" || strings.Join(r.FormParts, ",") != "file" {
		t.Fatalf("multipart: filename %q parts %v", r.Filename, r.FormParts)
	}
	for k, want := range map[string]string{"name": "Tempo", "description": "from MyWhoosh", "device_name": "MyWhoosh", "external_id": "mywhoosh_66a1"} {
		if r.Query.Get(k) != want {
			t.Fatalf("query %s = %q, want %q", k, r.Query.Get(k), want)
		}
	}
	if r.Query.Has("paired_event_id") || s.MarkDoneCount() != 0 {
		t.Fatal("the upload must not pair with or complete a planned workout")
	}
	if !strings.HasPrefix(r.UserAgent, "FitBridge/") {
		t.Fatalf("user agent %q", r.UserAgent)
	}
}

func TestUploadRejected(t *testing.T) {
	good := fitRide(time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), 30, 10, 2)
	corrupt := append([]byte(nil), good...)
	for i := 20; i < len(corrupt)-2; i += 3 {
		corrupt[i] ^= 0x5a
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		filename string
		message  string
	}{
		{"junk", []byte("<html>not a ride</html>"), "ride.fit", "Unsupported file type"},
		{"corrupt FIT", corrupt, "bad.fit", "Error reading FIT file bad.fit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, base := fake(t, intervalsfake.Options{})
			sl := &sleeps{}
			_, err := client(base, sl).Upload(context.Background(), Upload{Filename: tc.filename, Data: tc.data})
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != 422 || !strings.Contains(ae.Message, tc.message) || !IsPermanent(err) || ae.Auth() {
				t.Fatalf("got %v", err)
			}
			if !strings.HasPrefix(err.Error(), "upload "+tc.filename+": Intervals.icu answered 422: ") {
				t.Fatalf("error text %q", err)
			}
			if n := len(uploadsOf(s.Requests())); n != 1 || len(sl.all()) != 0 {
				t.Fatalf("a permanent error was retried: %d requests", n)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	data := fitRide(time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC), 45, 20, 3)
	up := Upload{Filename: "ride.fit", Data: data, ExternalID: "zwift_ab"}
	for _, tc := range []struct {
		name       string
		opts       intervalsfake.Options
		setup      func(*intervalsfake.Server)
		client     []Option
		wantErr    string // "" = success
		wantStatus int
		requests   int // upload requests the fake saw
		creations  int
		waits      func([]time.Duration) bool
	}{
		{
			name: "429 with Retry-After", opts: intervalsfake.Options{RetryAfter: true},
			setup: func(s *intervalsfake.Server) { s.Burst429(2) }, wantStatus: 201, requests: 3, creations: 1,
			waits: func(d []time.Duration) bool { return len(d) == 2 && d[0] == time.Second && d[1] == time.Second },
		},
		{
			name: "429 without Retry-After", setup: func(s *intervalsfake.Server) { s.Burst429(2) }, wantStatus: 201, requests: 3, creations: 1,
			waits: func(d []time.Duration) bool {
				return len(d) == 2 && d[0] <= time.Millisecond && d[1] <= 2*time.Millisecond
			},
		},
		{
			name: "500 then success", setup: func(s *intervalsfake.Server) { s.FailNthUpload(1, 500) }, wantStatus: 201, requests: 2, creations: 1,
			waits: func(d []time.Duration) bool { return len(d) == 1 },
		},
		{
			name: "stored but connection dropped", setup: func(s *intervalsfake.Server) { s.DropConnectionAfterStore(1) }, wantStatus: 200, requests: 2, creations: 1,
			waits: func(d []time.Duration) bool { return len(d) == 1 },
		},
		{
			name: "timeout then success", setup: func(s *intervalsfake.Server) { s.SlowNext(1, 5*time.Second) },
			client: []Option{WithHTTPClient(&http.Client{Timeout: 500 * time.Millisecond})}, wantStatus: 201, requests: 2, creations: 1,
			waits: func(d []time.Duration) bool { return len(d) == 1 },
		},
		{
			name: "429 until attempts run out", setup: func(s *intervalsfake.Server) { s.Burst429(10) },
			wantErr: "upload ride.fit: Intervals.icu answered 429: Too Many Requests (gave up after 4 attempts)", requests: 4,
			waits: func(d []time.Duration) bool { return len(d) == 3 },
		},
		{
			name: "Retry-After longer than allowed", opts: intervalsfake.Options{RetryAfter: true}, setup: func(s *intervalsfake.Server) { s.Burst429(1) },
			client:  []Option{WithRetry(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxRetryAfter: 500 * time.Millisecond})},
			wantErr: "upload ride.fit: Intervals.icu answered 429: Too Many Requests (asked to wait 1s; try again later)",
			waits:   func(d []time.Duration) bool { return len(d) == 0 },
		},
		{
			name: "500 until attempts run out", setup: func(s *intervalsfake.Server) {
				for i := 1; i <= 4; i++ {
					s.FailNthUpload(i, 503)
				}
			},
			wantErr: "upload ride.fit: Intervals.icu answered 503: java.lang.IllegalStateException: injected upload failure at icu.activity.ActivityService.upload(ActivityService.kt:211) (gave up after 4 attempts)", requests: 4,
			waits: func(d []time.Duration) bool { return len(d) == 3 },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, base := fake(t, tc.opts)
			tc.setup(s)
			sl := &sleeps{}
			res, err := client(base, sl, tc.client...).Upload(context.Background(), up)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || IsPermanent(err) {
					t.Fatalf("got %+v, %v; want error %q", res, err, tc.wantErr)
				}
			} else if err != nil || res.Status != tc.wantStatus || res.ID == "" {
				t.Fatalf("got %+v, %v; want status %d", res, err, tc.wantStatus)
			}
			if n := len(uploadsOf(s.Requests())); tc.requests > 0 && n != tc.requests {
				t.Fatalf("%d upload requests reached the fake, want %d", n, tc.requests)
			}
			if s.UploadCount() != tc.creations || len(s.Activities()) != tc.creations {
				t.Fatalf("%d creations / %d activities, want %d", s.UploadCount(), len(s.Activities()), tc.creations)
			}
			if tc.creations == 1 && s.Activities()[0].ID != res.ID {
				t.Fatalf("answered id %s, stored %s", res.ID, s.Activities()[0].ID)
			}
			if !tc.waits(sl.all()) {
				t.Fatalf("waits %v", sl.all())
			}
		})
	}
}

// A call ended by a wait Intervals.icu asked for carries that wait, so the
// caller can schedule its next try after it; the 429 stays reachable.
func TestRetryAfterCarriedInError(t *testing.T) {
	data := fitRide(time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC), 45, 20, 3)
	up := Upload{Filename: "ride.fit", Data: data}
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		burst  int
	}{
		{"longer than the client waits", RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxRetryAfter: 500 * time.Millisecond}, 1},
		{"on the last attempt", RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, base := fake(t, intervalsfake.Options{RetryAfter: true})
			s.Burst429(tc.burst)
			_, err := client(base, &sleeps{}, WithRetry(tc.policy)).Upload(context.Background(), up)
			d, ok := RetryAfter(err)
			var ae *APIError
			if !ok || d != time.Second || !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || IsPermanent(err) {
				t.Fatalf("err %v: Retry-After %v %v, want 1s and a retryable 429", err, d, ok)
			}
		})
	}
	// Without Retry-After there is nothing to carry.
	s, base := fake(t, intervalsfake.Options{})
	s.Burst429(5)
	_, err := client(base, &sleeps{}, WithRetry(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond})).Athlete(context.Background())
	if _, ok := RetryAfter(err); err == nil || ok {
		t.Fatalf("err %v carries a Retry-After", err)
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{})
	s.Burst429(1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := 0
	// The rider cancels during the third wait.
	sleep := func(ctx context.Context, d time.Duration) error {
		if waits++; waits < 3 {
			return nil
		}
		cancel()
		return httpcall.Sleep(ctx, d) // would wait up to an hour but for the context
	}
	c := New(base, "", testKey, WithLimiter(nil), WithSleep(sleep), WithRetry(RetryPolicy{MaxAttempts: 50, BaseDelay: time.Hour}))
	_, err := c.Athlete(ctx)
	if !errors.Is(err, context.Canceled) || len(s.Requests()) != 3 {
		t.Fatalf("got %v after %d requests", err, len(s.Requests()))
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 429 {
		t.Fatalf("the last answer is lost: %v", err)
	}
}

func TestActivitiesSplitsFullWindows(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{Timezone: "UTC"})
	want := map[string]bool{}
	t0 := time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC)
	for i := range 23 {
		a := intervalsfake.Activity{Source: "GARMIN_CONNECT", StartDate: t0.Add(time.Duration(i*9) * time.Hour), Type: "Ride", ElapsedTime: 3600}
		if i%5 == 0 {
			a = intervalsfake.Activity{Source: "STRAVA", StartDateLocal: t0.Add(time.Duration(i*9)*time.Hour + time.Minute)}
		}
		want[s.AddActivity(a)] = true
	}
	// Two rides in the same second, at the very end of the window.
	last := t0.Add(10 * 24 * time.Hour)
	want[s.AddActivity(intervalsfake.Activity{Source: "UPLOAD", StartDate: last, Type: "Ride"})] = true
	want[s.AddActivity(intervalsfake.Activity{Source: "UPLOAD", StartDate: last, Type: "Run"})] = true

	for _, limit := range []int{1000, 4, 2} {
		c := client(base, &sleeps{}, WithPageLimit(limit))
		before := len(s.Requests())
		acts, err := c.Activities(context.Background(), t0, last)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for i, a := range acts {
			if got[a.ID] {
				t.Fatalf("limit %d: %s listed twice", limit, a.ID)
			}
			got[a.ID] = true
			if i > 0 && a.StartLocal.After(acts[i-1].StartLocal) {
				t.Fatalf("limit %d: not newest first at %d", limit, i)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("limit %d: %d activities, want %d", limit, len(got), len(want))
		}
		reqs := s.Requests()[before:]
		if limit < len(want) && len(reqs) < 3 {
			t.Fatalf("limit %d: %d requests; full windows were not split", limit, len(reqs))
		}
		for _, r := range reqs {
			if r.Query.Get("newest") == "" || r.Query.Get("fields") != ListFields || r.Query.Get("limit") == "" {
				t.Fatalf("listing query %v", r.Query)
			}
		}
	}
}

// A service that caps a listing below the limit asked for, without saying
// so, must not hide rides: windows with SplitAt rows or more are split.
func TestActivitiesSurviveASilentCap(t *testing.T) {
	for _, c := range []struct {
		name string
		cap  int
	}{{"no cap", 0}, {"silent cap of 100", 100}, {"silent cap of 150", 150}} {
		t.Run(c.name, func(t *testing.T) {
			s, base := fake(t, intervalsfake.Options{Timezone: "UTC", SilentCap: c.cap})
			t0 := time.Date(2024, 1, 1, 6, 0, 0, 0, time.UTC)
			const n = 420
			for i := range n {
				s.AddActivity(intervalsfake.Activity{Source: "GARMIN_CONNECT", StartDate: t0.Add(time.Duration(i*5) * time.Hour), Type: "Ride", ElapsedTime: 3600})
			}
			acts, err := client(base, &sleeps{}).Activities(context.Background(), t0, t0.AddDate(0, 0, 120))
			if err != nil {
				t.Fatal(err)
			}
			if len(acts) != n {
				t.Fatalf("%d activities listed, want %d", len(acts), n)
			}
			for _, r := range s.Requests() {
				if r.Query.Get("limit") != strconv.Itoa(DefaultPageLimit) {
					t.Fatalf("limit %q sent", r.Query.Get("limit"))
				}
			}
		})
	}
}

func TestActivitiesParsesStubsAndRows(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{})
	stub := s.AddActivity(intervalsfake.Activity{Source: "STRAVA", StartDateLocal: time.Date(2025, 5, 3, 8, 12, 44, 0, time.UTC)})
	full := s.AddActivity(intervalsfake.Activity{Source: "OAUTH_CLIENT", OAuthClientName: "Intervals Companion", ExternalID: "2025-05-03-08-12-44.fit",
		StartDate: time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC), ElapsedTime: 3700, MovingTime: 3550, Distance: 30100.5, Type: "VirtualRide"})
	acts, err := client(base, &sleeps{}).Activities(context.Background(), time.Date(2025, 5, 3, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 3, 23, 59, 59, 0, time.UTC))
	if err != nil || len(acts) != 2 {
		t.Fatalf("%v %v", acts, err)
	}
	byID := map[string]Activity{}
	for _, a := range acts {
		byID[a.ID] = a
	}
	st := byID[stub]
	if !st.IsStub() || st.Source != "STRAVA" || st.StartLocal != time.Date(2025, 5, 3, 8, 12, 44, 0, time.UTC) || st.Type != "" || st.ElapsedS != 0 {
		t.Fatalf("stub %+v", st)
	}
	if strings.HasPrefix(stub, "i") {
		t.Fatalf("stub id %q should be numeric", stub)
	}
	f := byID[full]
	if f.IsStub() || f.OAuthClientName != "Intervals Companion" || f.MovingS != 3550 || f.DistanceM != 30100.5 ||
		f.StartLocal != time.Date(2025, 5, 3, 8, 12, 44, 0, time.UTC) || f.Timezone != "Europe/Berlin" {
		t.Fatalf("row %+v", f)
	}
}

func TestSetType(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{})
	id := s.AddActivity(intervalsfake.Activity{Source: "UPLOAD", StartDate: time.Now().Add(-time.Hour), Type: "Ride"})
	stub := s.AddActivity(intervalsfake.Activity{Source: "STRAVA", StartDateLocal: time.Now()})
	c := client(base, &sleeps{})
	for _, tc := range []struct {
		name, id, typ string
		status        int
	}{
		{"ride to virtual ride", id, "VirtualRide", 0},
		{"strava stub", stub, "Ride", 422},
		{"unknown activity", "i404", "Ride", 404},
		{"unknown type", id, "Bike", 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.SetType(context.Background(), tc.id, tc.typ)
			if tc.status == 0 {
				if a, _ := s.Activity(tc.id); err != nil || a.Type != tc.typ {
					t.Fatalf("%v, stored %q", err, a.Type)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tc.status || !IsPermanent(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
	if a, _ := s.Activity(id); a.Type != "VirtualRide" {
		t.Fatalf("a refused update changed the type to %q", a.Type)
	}
}

func TestLimiterSharedBetweenClients(t *testing.T) {
	for _, tc := range []struct {
		name     string
		limiter  *rate.Limiter
		requests int
		want429  bool
	}{
		{"shared limiter keeps under the service's rate", rate.NewLimiter(15, 5), 20, false},
		{"no limiter trips the service's rate", nil, 40, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, base := fake(t, intervalsfake.Options{RatePerSec: 20, Burst: 5})
			var clients []*Client
			for range 2 {
				clients = append(clients, New(base, "", testKey, WithLimiter(tc.limiter), WithRetry(RetryPolicy{MaxAttempts: 1})))
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			limited := 0
			for i := range tc.requests {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := clients[i%2].Athlete(context.Background())
					var ae *APIError
					if errors.As(err, &ae) && ae.Status == 429 {
						mu.Lock()
						limited++
						mu.Unlock()
					} else if err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if (limited > 0) != tc.want429 {
				t.Fatalf("%d requests limited", limited)
			}
		})
	}
}

func TestNoSecretsInLogsOrErrors(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{RetryAfter: true})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sl := &sleeps{}
	c := client(base, sl, WithLogger(logger))
	bad := New(base, "", "wrong-"+testKey, WithLimiter(nil), WithLogger(logger))
	ctx := context.Background()

	var errs []error
	_, err := bad.Athlete(ctx)
	errs = append(errs, err)
	s.Burst429(1)
	s.DropConnectionAfterStore(1)
	_, err = c.Upload(ctx, Upload{Filename: "r.fit", Data: fitRide(time.Now().Add(-2*time.Hour), 20, 8, 4), ExternalID: "x"})
	errs = append(errs, err)
	_, err = c.Upload(ctx, Upload{Filename: "r.fit", Data: []byte("junk")})
	errs = append(errs, err)
	_, err = c.Activities(ctx, time.Now().AddDate(0, 0, -2), time.Now())
	errs = append(errs, err)

	if errs[0] == nil || errs[1] != nil || errs[2] == nil || errs[3] != nil {
		t.Fatalf("errors %v", errs)
	}
	secrets := []string{testKey, base64.StdEncoding.EncodeToString([]byte("API_KEY:" + testKey)), base64.StdEncoding.EncodeToString([]byte("API_KEY:wrong-" + testKey))}
	for _, sec := range secrets {
		if strings.Contains(logs.String(), sec) {
			t.Fatalf("log holds a secret:\n%s", logs.String())
		}
		for _, e := range errs {
			if e != nil && strings.Contains(e.Error(), sec) {
				t.Fatalf("error holds a secret: %v", e)
			}
		}
	}
	for _, want := range []string{"method=POST", "path=/api/v1/athlete/0/activities", "status=429", "retry_after=1",
		"query=external_id", "query=\"fields&limit=", "oldest=", "ms=", "err=EOF", `msg="intervals upload answer"`, "status=200", "stubs=0"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestProbeListWithoutNewest(t *testing.T) {
	for _, tc := range []struct {
		require bool
		want    int
	}{{false, 200}, {true, 422}} {
		s, base := fake(t, intervalsfake.Options{RequireNewest: tc.require})
		got, err := client(base, &sleeps{}).ProbeListWithoutNewest(context.Background())
		if err != nil || got != tc.want {
			t.Fatalf("require=%v: %d %v", tc.require, got, err)
		}
		if r := s.Requests(); len(r) != 1 || r[0].Query.Has("newest") {
			t.Fatalf("probe requests %+v", r)
		}
	}
}

// A 409 (seen in one client's tests) is a duplicate, like 200.
func TestUploadConflictAndResponseShapes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		created bool
		id      string
		ids     []string
		err     bool
	}{
		{"409 with ids", 409, `{"id":"i7","activities":[{"id":"i7"}]}`, false, "i7", []string{"i7"}, false},
		{"409 error body", 409, `{"status":409,"error":"Duplicate"}`, false, "", nil, false},
		{"top-level id only", 200, `{"icu_athlete_id":"i1","id":"i9"}`, false, "i9", []string{"i9"}, false},
		{"activities first", 201, `{"id":"i1","activities":[{"id":"i2"},{"id":"i3"}]}`, true, "i2", []string{"i2", "i3"}, false},
		{"bare list", 201, `[{"id":"i4"}]`, true, "i4", []string{"i4"}, false},
		{"no id at all", 201, `{}`, false, "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			res, err := client(srv.URL, &sleeps{}).Upload(context.Background(), Upload{Filename: "a.fit", Data: fitRide(time.Now(), 5, 1, 1)})
			if tc.err {
				if err == nil {
					t.Fatalf("got %+v, want an error", res)
				}
				return
			}
			if err != nil || res.Created != tc.created || res.ID != tc.id || strings.Join(res.IDs, ",") != strings.Join(tc.ids, ",") || res.Status != tc.status {
				t.Fatalf("got %+v, %v", res, err)
			}
		})
	}
}

func TestParseTimes(t *testing.T) {
	for _, tc := range []struct {
		in         string
		utc, local time.Time
	}{
		{"2025-05-03T06:12:44Z", time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC), time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC)},
		{"2025-05-03T06:12:44", time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC), time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC)},
		{"2025-05-03T06:12:44.250Z", time.Date(2025, 5, 3, 6, 12, 44, 250e6, time.UTC), time.Date(2025, 5, 3, 6, 12, 44, 250e6, time.UTC)},
		// An offset is applied for UTC but never moves a local wall clock.
		{"2025-05-03T08:12:44+02:00", time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC), time.Date(2025, 5, 3, 8, 12, 44, 0, time.UTC)},
		{"", time.Time{}, time.Time{}},
	} {
		u, err1 := parseUTC(tc.in)
		l, err2 := parseLocal(tc.in)
		if err1 != nil || err2 != nil || !u.Equal(tc.utc) || l != tc.local {
			t.Errorf("%q: utc %v local %v (%v %v)", tc.in, u, l, err1, err2)
		}
	}
	if _, err := parseUTC("3 May"); err == nil {
		t.Error("garbage parsed")
	}
}

func TestUploadFilename(t *testing.T) {
	fitData := fitRide(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 5, 1, 1)
	var gzBuf bytes.Buffer
	zw := gzip.NewWriter(&gzBuf)
	zw.Write(fitData)
	zw.Close()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"ride.fit", fitData, "ride.fit"},
		{"RIDE.FIT", fitData, "RIDE.FIT"},
		{"ride", fitData, "ride.fit"},
		{"ride.fit", gzBuf.Bytes(), "ride.fit.gz"},
		{"ride.fit.gz", fitData, "ride.fit"},
		{`C:\Users\me\Zwift\2025-01-01-10-00-00.fit`, fitData, "2025-01-01-10-00-00.fit"},
		{"", fitData, "activity.fit"},
		{"run.tcx", []byte(`<?xml version="1.0"?><TrainingCenterDatabase>`), "run.tcx"},
		{"route.xml", []byte(`<?xml version="1.0"?><gpx version="1.1">`), "route.gpx"},
		{"what.bin", []byte("??"), "what.bin"},
	} {
		if got := uploadFilename(tc.name, tc.data); got != tc.want {
			t.Errorf("uploadFilename(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// With the default policy, a 429 without Retry-After is never retried at
// once: every first wait is at least half the 1 s base (the reference's
// "backoff starting at 1 s"), over many calls so chance cannot hide it.
func TestFirstRetryAfter429WaitsAtLeastHalfASecond(t *testing.T) {
	s, base := fake(t, intervalsfake.Options{})
	sl := &sleeps{}
	c := New(base, "", testKey, WithLimiter(nil), WithSleep(sl.sleep))
	const calls = 20
	for range calls {
		s.Burst429(1)
		if _, err := c.Athlete(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	waits := sl.all()
	if len(waits) != calls {
		t.Fatalf("%d waits, want %d", len(waits), calls)
	}
	for i, d := range waits {
		if d < DefaultRetry.BaseDelay/2 || d > DefaultRetry.BaseDelay {
			t.Fatalf("wait %d = %v, want %v..%v", i, d, DefaultRetry.BaseDelay/2, DefaultRetry.BaseDelay)
		}
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"intervals.icu", "ftp://intervals.icu", "http://"} {
		_, err := New(base, "", testKey).Athlete(context.Background())
		if err == nil || !strings.Contains(err.Error(), "is not an http(s) URL") {
			t.Errorf("%q: %v", base, err)
		}
	}
	if c := New("", "", testKey); c.base.String() != DefaultBaseURL {
		t.Errorf("default base %s", c.base)
	}
}
