package igpsport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/igpsport"
)

var (
	from = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
)

// syncBuffer collects log output from several goroutines.
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

// world is one fake service and a client signed in to it.
type world struct {
	fake   *igpsportfake.Server
	url    string
	token  string
	logs   *syncBuffer
	client *igpsport.Client
}

func newWorld(t *testing.T, fo igpsportfake.Options, rides int, tweak func(*igpsport.Options)) *world {
	t.Helper()
	f := igpsportfake.New(fo)
	if rides > 0 {
		f.Seed(rides, from, to, rand.New(rand.NewSource(7)))
	}
	u := f.Start()
	t.Cleanup(f.Close)
	w := &world{fake: f, url: u, token: f.Token(), logs: &syncBuffer{}}
	opts := fastOptions(w.logs)
	if tweak != nil {
		tweak(&opts)
	}
	region := fo.Region
	c, err := igpsport.New(source.Config{BaseURL: u, Region: region, Token: "Bearer " + w.token}, opts)
	if err != nil {
		t.Fatal(err)
	}
	w.client = c
	t.Cleanup(func() {
		if strings.Contains(w.logs.String(), w.token) {
			t.Errorf("the token appeared in the log")
		}
	})
	return w
}

// fastOptions shrink every wait; logs go to buf at debug level so tests can
// check that no secret reaches them.
func fastOptions(buf io.Writer) igpsport.Options {
	return igpsport.Options{
		Logger:    slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Pace:      -1,
		RetryBase: time.Millisecond,
		RetryMax:  4 * time.Millisecond,
		Browser:   noBrowser{},
	}
}

// noBrowser fails the test's expectations loudly if the web app fallback is used.
type noBrowser struct{}

func (noBrowser) OpenList(context.Context, igpsport.WebApp) (igpsport.ListSession, error) {
	return nil, errors.New("the browser fallback was not expected here")
}

func listAll(t *testing.T, c *igpsport.Client, q source.Query) ([]source.Activity, error) {
	t.Helper()
	var out []source.Activity
	err := c.List(context.Background(), q, func(a source.Activity) error {
		out = append(out, a)
		return nil
	})
	return out, err
}

func ids(acts []source.Activity) []string {
	out := make([]string, len(acts))
	for i, a := range acts {
		out[i] = a.RemoteID
	}
	sort.Strings(out)
	return out
}

func fakeIDs(rides []igpsportfake.Ride) []string {
	out := make([]string, len(rides))
	for i, r := range rides {
		out[i] = strconv.FormatInt(r.RideID, 10)
	}
	sort.Strings(out)
	return out
}

func listPages(f *igpsportfake.Server) []string {
	var out []string
	for _, r := range f.Requests() {
		if strings.HasSuffix(r.Path, "/queryMyActivity") {
			out = append(out, r.Query.Get("pageNo")+":"+strconv.Itoa(r.Status))
		}
	}
	return out
}

func TestDescriptor(t *testing.T) {
	d, ok := source.Lookup("igpsport")
	if !ok {
		t.Fatal("igpsport is not registered")
	}
	if d.ExternalIDFor("0") != "igpsport_0" || d.ExternalIDFor("31234567") != "igpsport_31234567" {
		t.Fatalf("external ids: %q %q", d.ExternalIDFor("0"), d.ExternalIDFor("31234567"))
	}
	if len(d.Regions) != 2 || d.Regions[0].ID != "intl" || d.Regions[1].ID != "cn" || d.EnvURL != "FITBRIDGE_IGPSPORT_URL" {
		t.Fatalf("regions %+v env %q", d.Regions, d.EnvURL)
	}
	if d.New == nil || d.Capture == nil || d.Login == nil || d.CleanToken == nil || d.Validate == nil || d.Kind != source.KindCloud {
		t.Fatal("descriptor is missing a sign-in way")
	}
	for _, c := range []struct{ region, base, start, origin string }{
		{"intl", "", "https://app.igpsport.com/sport/history/list?lang=en", "https://app.igpsport.com"},
		{"cn", "", "https://app.igpsport.cn/sport/history/list?lang=zh-Hans", "https://app.igpsport.cn"},
		{"cn", "http://127.0.0.1:9/", "http://127.0.0.1:9/sport/history/list?lang=zh-Hans", "http://127.0.0.1:9"},
	} {
		spec := d.Capture(source.Config{Region: c.region, BaseURL: c.base})
		ls := spec.LocalStorage
		if spec.StartURL != c.start || spec.Origin != c.origin || ls == nil || ls.Key != "persist:app-store" ||
			strings.Join(ls.JSONPath, ".") != "global.token" || ls.StripPrefix != "Bearer " || spec.Validate == nil {
			t.Fatalf("capture spec for %s: %+v", c.region, spec)
		}
	}
	if _, err := d.New(source.Config{Region: "eu"}); err == nil || !strings.Contains(err.Error(), "region") {
		t.Fatalf("unknown region: %v", err)
	}
}

func TestLogin(t *testing.T) {
	cases := []struct {
		name     string
		fake     igpsportfake.Options
		user     string
		password string
		wantErr  string
		signing  bool
	}{
		{name: "international", user: "rider@example.com", password: "correct horse"},
		{name: "china", fake: igpsportfake.Options{Region: "cn"}, user: "13800138000", password: "correct horse"},
		{name: "wrong password", user: "rider@example.com", password: "nope", wantErr: "账号或密码错误"},
		{name: "account of the other region", fake: igpsportfake.Options{Region: "cn"}, user: "rider@example.com", password: "correct horse", wantErr: "choose International"},
		{name: "china with signing", fake: igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true}, user: "13800138000", password: "correct horse", signing: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := igpsportfake.New(c.fake)
			u := f.Start()
			defer f.Close()
			cfg := source.Config{BaseURL: u, Region: c.fake.Region}
			d, _ := source.Lookup("igpsport")
			s, err := d.Login(context.Background(), cfg, c.user, c.password)
			tok := s.Token
			switch {
			case c.signing:
				if !errors.Is(err, igpsport.ErrChinaSigning) || !strings.Contains(err.Error(), "international accounts work") {
					t.Fatalf("want the China signing error, got %v", err)
				}
				return
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("want error with %q, got %v", c.wantErr, err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if strings.HasPrefix(tok, "Bearer") || strings.Count(tok, ".") != 2 {
				t.Fatalf("token is not a bare JWT: %d chars", len(tok))
			}
			cfg.Token = tok
			if err := d.Validate(context.Background(), cfg); err != nil {
				t.Fatalf("fresh token does not validate: %v", err)
			}
		})
	}
}

func TestListEveryRideOnce(t *testing.T) {
	cases := []struct {
		name string
		fake igpsportfake.Options
		// wantPages are the list calls made, as pageNo:status.
		wantPages int
	}{
		{name: "stops at totalPage", wantPages: 13},
		{name: "no totalPage: stops when the last page repeats", fake: igpsportfake.Options{OmitTotalPage: true}, wantPages: 14},
		{name: "no totalPage, no repeat: stops at the empty page", fake: igpsportfake.Options{OmitTotalPage: true, NoRepeatPastEnd: true}, wantPages: 14},
		{name: "china without signing", fake: igpsportfake.Options{Region: "cn"}, wantPages: 13},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, c.fake, 250, nil)
			acts, err := listAll(t, w.client, source.Query{})
			if err != nil {
				t.Fatal(err)
			}
			got, want := ids(acts), fakeIDs(w.fake.Rides())
			if strings.Join(got, ",") != strings.Join(want, ",") || len(got) != 250 {
				t.Fatalf("listed %d rides, want the fake's 250 exactly once", len(got))
			}
			if pages := listPages(w.fake); len(pages) != c.wantPages {
				t.Fatalf("list calls %v, want %d", pages, c.wantPages)
			}
			var zero *source.Activity
			for i, a := range acts {
				if a.RemoteID == "0" {
					zero = &acts[i]
				}
				if a.StartHint.IsZero() || a.Sport != "Ride" || !strings.HasPrefix(a.Device, "iGPSport ") {
					t.Fatalf("ride %s: hint %v sport %q device %q", a.RemoteID, a.StartHint, a.Sport, a.Device)
				}
			}
			if zero == nil {
				t.Fatal("ride 0 was not listed")
			}
			// The hint is the listed day, never taken for the start itself:
			// it must fall on the fake ride's day in the rider's zone.
			for _, r := range w.fake.Rides() {
				if r.RideID != 0 {
					continue
				}
				day := r.Start.In(time.FixedZone("", 8*3600)).Format(time.DateOnly)
				if zero.StartHint.In(time.FixedZone("", 8*3600)).Format(time.DateOnly) != day {
					t.Fatalf("ride 0 hint %v, ride day %s", zero.StartHint, day)
				}
			}
		})
	}
}

func TestListQueryWindow(t *testing.T) {
	w := newWorld(t, igpsportfake.Options{}, 250, nil)
	q := source.Query{Since: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), Until: time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)}
	acts, err := listAll(t, w.client, q)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, a := range acts {
		got[a.RemoteID] = true
	}
	inside := 0
	for _, r := range w.fake.Rides() {
		id := strconv.FormatInt(r.RideID, 10)
		switch {
		case q.Contains(r.Start):
			inside++
			if !got[id] {
				t.Errorf("ride %s at %v is in the window but was not listed", id, r.Start)
			}
		case got[id] && (r.Start.Before(q.Since.AddDate(0, 0, -3)) || r.Start.After(q.Until.AddDate(0, 0, 4))):
			t.Errorf("ride %s at %v is far outside the window", id, r.Start)
		}
	}
	if inside == 0 || len(acts) > inside+10 {
		t.Fatalf("listed %d rides for %d inside the window", len(acts), inside)
	}
	for _, r := range w.fake.Requests() {
		if strings.HasSuffix(r.Path, "/queryMyActivity") && (r.Query.Get("beginTime") != "2025-01-08" || r.Query.Get("endTime") != "2025-03-22") {
			t.Fatalf("date filter sent: %v", r.Query)
		}
	}
}

func TestDownloadPaths(t *testing.T) {
	w := newWorld(t, igpsportfake.Options{}, 40, nil)
	acts, err := listAll(t, w.client, source.Query{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]source.Activity{}
	for _, a := range acts {
		byID[a.RemoteID] = a
	}
	cases := []struct {
		via              igpsportfake.DownloadVia
		detail, download int // gateway calls expected
	}{
		{igpsportfake.ViaOSSPath, 0, 0},
		{igpsportfake.ViaDetail, 1, 0},
		{igpsportfake.ViaDownloadURL, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.via.String(), func(t *testing.T) {
			var ride *igpsportfake.Ride
			for _, r := range w.fake.Rides() {
				if r.Via == c.via {
					ride = &r
					break
				}
			}
			if ride == nil {
				t.Fatal("the fake has no such ride")
			}
			w.fake.ResetRequests()
			a := byID[strconv.FormatInt(ride.RideID, 10)]
			data, err := w.client.Download(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := w.fake.FIT(ride.RideID)
			if !bytes.Equal(data, want) {
				t.Fatalf("got %d bytes, want the fake's %d", len(data), len(want))
			}
			detail, download, storage := 0, 0, 0
			for _, r := range w.fake.Requests() {
				switch {
				case strings.Contains(r.Path, "/queryActivityDetail/"):
					detail++
				case strings.Contains(r.Path, "/getDownloadUrl/"):
					download++
				case strings.HasPrefix(r.Path, "/oss/"):
					storage++
					if r.Authorization {
						t.Fatal("an Authorization header reached object storage")
					}
				}
			}
			if detail != c.detail || download != c.download || storage != 1 {
				t.Fatalf("calls: detail %d getDownloadUrl %d storage %d", detail, download, storage)
			}
		})
	}
}

// A link that is not a web address, or that storage refuses (a private
// object's plain link), gives way to the next link in the reference order.
func TestDownloadFallsBackPastUnusableLinks(t *testing.T) {
	w := newWorld(t, igpsportfake.Options{}, 0, nil)
	start := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	w.fake.AddRide(igpsportfake.Ride{RideID: 11, Start: start, Duration: time.Hour, DistanceM: 30000, BareOSSPath: true}, nil)
	w.fake.AddRide(igpsportfake.Ride{RideID: 12, Start: start.Add(30 * time.Hour), Duration: time.Hour, DistanceM: 30000, Private: true}, nil)
	acts, err := listAll(t, w.client, source.Query{})
	if err != nil || len(acts) != 2 {
		t.Fatalf("listed %d: %v", len(acts), err)
	}
	cases := map[string]struct{ detail, download, storage int }{
		"11": {1, 0, 1}, // bare object name: the detail's fitUrl
		"12": {1, 1, 2}, // 403 on the plain link; fitUrl is the same link; getDownloadUrl's signed one works
	}
	for _, a := range acts {
		want := cases[a.RemoteID]
		w.fake.ResetRequests()
		data, err := w.client.Download(context.Background(), a)
		if err != nil {
			t.Fatalf("ride %s: %v", a.RemoteID, err)
		}
		id, _ := strconv.ParseInt(a.RemoteID, 10, 64)
		if fit, _ := w.fake.FIT(id); !bytes.Equal(data, fit) {
			t.Fatalf("ride %s: wrong bytes", a.RemoteID)
		}
		var got struct{ detail, download, storage int }
		for _, r := range w.fake.Requests() {
			switch {
			case strings.Contains(r.Path, "/queryActivityDetail/"):
				got.detail++
			case strings.Contains(r.Path, "/getDownloadUrl/"):
				got.download++
			case strings.HasPrefix(r.Path, "/oss/"):
				got.storage++
			}
		}
		if got != want {
			t.Fatalf("ride %s: calls %+v, want %+v", a.RemoteID, got, want)
		}
	}
	if strings.Contains(w.logs.String(), "Signature=") {
		t.Fatal("a signed storage link appeared in the log")
	}
}

func TestDownloadFailures(t *testing.T) {
	w := newWorld(t, igpsportfake.Options{}, 10, nil)
	acts, err := listAll(t, w.client, source.Query{})
	if err != nil {
		t.Fatal(err)
	}
	withPath := func() source.Activity {
		for _, a := range acts {
			if a.Extra["fitOssPath"] != "" {
				return a
			}
		}
		t.Fatal("no ride with fitOssPath")
		return source.Activity{}
	}
	cases := []struct {
		name      string
		setup     func() source.Activity
		wantText  string
		permanent *bool // nil: not a skip
	}{
		{
			name:     "business error message surfaced",
			setup:    func() source.Activity { return source.Activity{RemoteID: "999"} },
			wantText: "活动不存在",
		},
		{
			name: "object gone from storage",
			setup: func() source.Activity {
				a := withPath()
				id, _ := strconv.ParseInt(a.RemoteID, 10, 64)
				w.fake.RemoveObject(id)
				return a
			},
			wantText:  "no longer has",
			permanent: ptr(true),
		},
		{
			name: "empty body is not a FIT",
			setup: func() source.Activity {
				w.fake.EmptyAfter(1)
				a := acts[len(acts)-1]
				if _, err := w.client.Download(context.Background(), a); err != nil {
					t.Fatal(err)
				}
				return a
			},
			wantText: "empty file", // a failure to retry: a skip would never be tried again
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.client.Download(context.Background(), c.setup())
			if err == nil || !strings.Contains(err.Error(), c.wantText) {
				t.Fatalf("want an error with %q, got %v", c.wantText, err)
			}
			var skip *source.SkipError
			if isSkip := errors.As(err, &skip); isSkip != (c.permanent != nil) || (isSkip && skip.Permanent != *c.permanent) {
				t.Fatalf("skip error %+v, want permanent=%v", skip, c.permanent)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// Once storage sends empty files (the daily cap), downloads wait 4-6 s
// apart; after three in a row the run asks for no more.
func TestEmptyFilesSlowDownThenStop(t *testing.T) {
	var mu sync.Mutex
	var waits []time.Duration
	w := newWorld(t, igpsportfake.Options{}, 0, func(o *igpsport.Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			return ctx.Err()
		}
	})
	start := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	for i := range 8 {
		w.fake.AddRide(igpsportfake.Ride{RideID: int64(20 + i), Start: start.Add(time.Duration(i) * 30 * time.Hour), Duration: time.Hour, DistanceM: 30000}, nil)
	}
	acts, err := listAll(t, w.client, source.Query{})
	if err != nil || len(acts) != 8 {
		t.Fatalf("listed %d: %v", len(acts), err)
	}
	w.fake.EmptyAfter(2)
	var errs []error
	for _, a := range acts {
		_, err := w.client.Download(context.Background(), a)
		errs = append(errs, err)
	}
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("before the cap: %v", errs[:2])
	}
	for i, err := range errs[2:] {
		var skip *source.SkipError
		if err == nil || errors.As(err, &skip) {
			t.Fatalf("download %d after the cap: %v, want a failure to retry", i+3, err)
		}
		want := "empty file"
		if i >= 2 {
			want = "iGPSport stopped sending files (daily download limit?); try again tomorrow"
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("download %d: %v, want %q", i+3, err, want)
		}
	}
	storage := 0
	for _, r := range w.fake.Requests() {
		if strings.HasPrefix(r.Path, "/oss/") {
			storage++
		}
	}
	if storage != 5 {
		t.Fatalf("storage asked %d times, want 5 (2 files, 3 empty, then none)", storage)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 2 {
		t.Fatalf("waits %v, want one before each download after the first empty file", waits)
	}
	for _, d := range waits {
		if d < 4*time.Second || d > 6*time.Second {
			t.Fatalf("wait %v, want 4-6 s", d)
		}
	}
}

func TestNeedsSignIn(t *testing.T) {
	cases := []struct {
		name string
		fake igpsportfake.Options
	}{
		{"HTTP 401", igpsportfake.Options{}},
		{"200 with code 401", igpsportfake.Options{TokenErrorAs200: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, c.fake, 100, nil)
			// Expire mid-backfill, after the first page.
			n := 0
			err := w.client.List(context.Background(), source.Query{}, func(source.Activity) error {
				if n++; n == 20 {
					w.fake.ExpireTokens()
				}
				return nil
			})
			if !errors.Is(err, source.ErrNeedsSignIn) || n != 20 {
				t.Fatalf("after %d rides: %v", n, err)
			}
			if err := w.client.Validate(context.Background()); !errors.Is(err, source.ErrNeedsSignIn) {
				t.Fatalf("validate: %v", err)
			}
			_, err = w.client.Download(context.Background(), source.Activity{RemoteID: "0"})
			if !errors.Is(err, source.ErrNeedsSignIn) {
				t.Fatalf("download: %v", err)
			}
		})
	}
	t.Run("expired JWT, no call made", func(t *testing.T) {
		w := newWorld(t, igpsportfake.Options{}, 0, func(o *igpsport.Options) {
			o.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
		})
		if err := w.client.Validate(context.Background()); !errors.Is(err, source.ErrNeedsSignIn) {
			t.Fatalf("validate: %v", err)
		}
		if len(w.fake.Requests()) != 0 {
			t.Fatal("an expired token was sent")
		}
	})
}

func TestFaultsStillComplete(t *testing.T) {
	faults := fakes.NewFaults(11)
	faults.ServerErrorRate, faults.TooManyRate, faults.RetryAfter = 0.1, 0.1, 1
	var mu sync.Mutex
	var waits []time.Duration
	w := newWorld(t, igpsportfake.Options{Faults: faults}, 250, func(o *igpsport.Options) {
		o.MaxAttempts = 8
		// Record the waits instead of sleeping them.
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			return ctx.Err()
		}
	})
	acts, err := listAll(t, w.client, source.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 250 {
		t.Fatalf("listed %d", len(acts))
	}
	for _, a := range acts {
		data, err := w.client.Download(context.Background(), a)
		if err != nil {
			t.Fatalf("ride %s: %v", a.RemoteID, err)
		}
		id, _ := strconv.ParseInt(a.RemoteID, 10, 64)
		if want, _ := w.fake.FIT(id); !bytes.Equal(data, want) {
			t.Fatalf("ride %s: wrong bytes", a.RemoteID)
		}
	}
	if faults.Injected() < 30 {
		t.Fatalf("only %d faults injected", faults.Injected())
	}
	honoured := 0
	for _, d := range waits {
		if d >= time.Second {
			honoured++
		}
	}
	if len(waits) != int(faults.Injected()) || honoured == 0 {
		t.Fatalf("%d waits for %d faults, %d honouring Retry-After", len(waits), faults.Injected(), honoured)
	}
	for _, r := range w.fake.Requests() {
		if strings.HasPrefix(r.Path, "/oss/") && r.Authorization {
			t.Fatal("an Authorization header reached object storage")
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	faults := fakes.NewFaults(1)
	faults.ServerErrorRate = 1
	w := newWorld(t, igpsportfake.Options{Faults: faults}, 5, func(o *igpsport.Options) { o.MaxAttempts = 3 })
	_, err := listAll(t, w.client, source.Query{})
	var api *igpsport.APIError
	if !errors.As(err, &api) || api.Status != 500 || faults.Injected() != 3 {
		t.Fatalf("after %d tries: %v", faults.Injected(), err)
	}

	faults.Set(0, 1)
	faults.RetryAfter = 600
	_, err = listAll(t, w.client, source.Query{})
	if err == nil || !strings.Contains(err.Error(), "asked to wait 10m0s") {
		t.Fatalf("a Retry-After past the bound: %v", err)
	}
}

// flaky fails the first n round trips the way a dropped connection does.
type flaky struct {
	mu sync.Mutex
	n  int
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestNetworkErrorsRetried(t *testing.T) {
	for _, c := range []struct {
		fails  int
		wantOK bool
	}{{2, true}, {5, false}} {
		w := newWorld(t, igpsportfake.Options{}, 30, func(o *igpsport.Options) {
			o.HTTPClient = &http.Client{Transport: &flaky{n: c.fails}}
			o.MaxAttempts = 3
		})
		acts, err := listAll(t, w.client, source.Query{})
		if c.wantOK && (err != nil || len(acts) != 30) {
			t.Fatalf("%d drops: %d rides, %v", c.fails, len(acts), err)
		}
		if !c.wantOK && (err == nil || !strings.Contains(err.Error(), "could not be reached") || !strings.Contains(err.Error(), "gave up after 3 attempts")) {
			t.Fatalf("%d drops: %v", c.fails, err)
		}
	}
}
