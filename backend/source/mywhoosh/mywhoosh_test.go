package mywhoosh

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fitbridge/backend/httpcall"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fitbridge/backend/capture"
	"fitbridge/backend/fakes"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/source"
)

// logBuf collects a test's log output so it can be searched for secrets.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// fastOpts keeps retries and pacing short for tests.
func fastOpts(logs *logBuf) Options {
	return Options{
		Logger:          slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		LoginRetryDelay: 5 * time.Millisecond,
		RetryBase:       2 * time.Millisecond,
		MaxRetries:      6,
		PerSecond:       2000,
		Burst:           100,
	}
}

func startFake(t *testing.T, o mywhooshfake.Options) (*mywhooshfake.Server, source.Config) {
	t.Helper()
	f := mywhooshfake.New(o)
	base := f.Start()
	t.Cleanup(f.Close)
	return f, source.Config{BaseURL: base, Token: f.IssueToken()}
}

func collect(t *testing.T, c *Client, q source.Query) []source.Activity {
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

func TestRegistered(t *testing.T) {
	d, ok := source.Lookup(Name)
	if !ok {
		t.Fatal("mywhoosh is not registered")
	}
	if d.DisplayName != "MyWhoosh" || d.Kind != source.KindCloud || d.EnvURL != EnvURL || d.Limits != Limits ||
		d.New == nil || d.Capture == nil || d.Login == nil || d.CleanToken == nil || d.Validate == nil {
		t.Fatalf("descriptor = %+v", d)
	}
	if got := d.ExternalIDFor("69622c3121123aaced178584"); got != "fitbridge-mywhoosh-69622c3121123aaced178584" {
		t.Errorf("external id %q", got)
	}
	if got := d.AlsoKnownAs("69622c3121123aaced178584"); len(got) != 1 || got[0] != "mywhoosh_69622c3121123aaced178584" {
		t.Errorf("also known as %q", got)
	}
	spec := d.Capture(source.Config{})
	if spec.StartURL != "https://event.mywhoosh.com/auth/login" || spec.LocalStorage.Key != "webToken" ||
		spec.RequestHeader.Host != "service14.mywhoosh.com" || spec.Validate == nil ||
		spec.Cookie == nil || spec.Cookie.Name != "whoosh_token" || spec.Cookie.Domain != "event.mywhoosh.com" {
		t.Errorf("capture spec = %+v", spec)
	}
}

func TestHostsFor(t *testing.T) {
	if h := HostsFor(""); h.Login != DefaultLoginHost || h.API != DefaultAPIHost || h.Event != DefaultEventHost {
		t.Errorf("default hosts %+v", h)
	}
	if h := HostsFor(" http://127.0.0.1:9/ "); h.Login != "http://127.0.0.1:9" || h.API != h.Login || h.Event != h.Login {
		t.Errorf("override %+v", h)
	}
}

func TestCleanToken(t *testing.T) {
	for in, want := range map[string]string{
		"eyJa.b.c":                         "eyJa.b.c",
		"  Bearer eyJa.b.c \n":             "eyJa.b.c",
		`"eyJa.b.c"`:                       "eyJa.b.c",
		"Authorization: Bearer eyJa.b.c":   "eyJa.b.c",
		"authorization: bearer 'eyJa.b.c'": "eyJa.b.c",
		"eyJa.\nb.c":                       "eyJa.b.c",
		"   ":                              "",
	} {
		if got := CleanToken(in); got != want {
			t.Errorf("CleanToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogin(t *testing.T) {
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{})
	s, err := Login(context.Background(), cfg, " "+mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword, fastOpts(&logs))
	if err != nil {
		t.Fatal(err)
	}
	if s.WhooshID != mywhooshfake.DefaultWhooshID || s.Expires.Before(time.Now()) || s.Token == "" {
		t.Fatalf("session = %+v", s)
	}
	cfg.Token = s.Token
	if err := Validate(context.Background(), cfg, fastOpts(&logs)); err != nil {
		t.Fatalf("the login's token does not validate: %v", err)
	}
	if f.Stats().Logins != 1 {
		t.Errorf("stats %+v", f.Stats())
	}
	out := logs.String()
	if strings.Contains(out, mywhooshfake.DefaultPassword) || strings.Contains(out, s.Token) {
		t.Fatalf("a secret reached the logs:\n%s", out)
	}
	if !strings.Contains(out, "jwt_claims=") || !strings.Contains(out, "token.len=") {
		t.Errorf("the token's shape is not logged:\n%s", out)
	}
}

// refusalStatuses: MyWhoosh answers a refusal with 200, but clients must read
// the body whatever the status.
var refusalStatuses = []int{http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized}

func TestLoginWrongPassword(t *testing.T) {
	for _, status := range refusalStatuses {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{RefusalStatus: status})
			_, err := Login(context.Background(), cfg, mywhooshfake.DefaultEmail, "hunter2", fastOpts(&logs))
			if !errors.Is(err, ErrLoginRefused) || err.Error() != ErrLoginRefused.Error()+": Email address or password is incorrect" {
				t.Fatalf("err = %v, want MyWhoosh's own message", err)
			}
			if got := f.Stats().LoginsRejected; got != 1+loginRetries {
				t.Errorf("tried %d times, want %d", got, 1+loginRetries)
			}
			if strings.Contains(logs.String(), "hunter2") || strings.Contains(err.Error(), "hunter2") {
				t.Error("the password leaked")
			}
		})
	}
}

func TestLoginSpuriousRejections(t *testing.T) {
	for _, status := range refusalStatuses {
		for _, tc := range []struct {
			reject int
			ok     bool
		}{{1, true}, {2, true}, {3, false}} {
			t.Run(fmt.Sprintf("%d/%d", status, tc.reject), func(t *testing.T) {
				var logs logBuf
				f, cfg := startFake(t, mywhooshfake.Options{RejectFirstLogins: tc.reject, RefusalStatus: status})
				s, err := Login(context.Background(), cfg, mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword, fastOpts(&logs))
				if tc.ok != (err == nil) {
					t.Fatalf("err = %v", err)
				}
				if !tc.ok && (!errors.Is(err, ErrLoginRefused) || !strings.Contains(err.Error(), "incorrect")) {
					t.Errorf("error %q lacks MyWhoosh's message", err)
				}
				if tc.ok && s.Token == "" {
					t.Error("no token")
				}
				if st := f.Stats(); st.SpuriousRejections != min(tc.reject, 1+loginRetries) {
					t.Errorf("stats %+v", st)
				}
			})
		}
	}
}

// The variant body is tried once, only when the usual one was refused for
// another reason than the password or got an answer that makes no sense.
func TestLoginVariantBody(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fake        mywhooshfake.Options
		password    string
		variant     bool   // the variant body is sent
		wantErr     string // empty: signed in
		primaryRuns int    // primary bodies refused
	}{
		{name: "primary works", variant: false},
		{name: "primary invalid request", fake: mywhooshfake.Options{PrimaryLogin: mywhooshfake.LoginInvalidRequest}, variant: true, primaryRuns: 1},
		{name: "primary invalid request with 400", fake: mywhooshfake.Options{PrimaryLogin: mywhooshfake.LoginInvalidRequest, RefusalStatus: 400}, variant: true, primaryRuns: 1},
		{name: "primary answers HTML", fake: mywhooshfake.Options{PrimaryLogin: mywhooshfake.LoginHTML}, variant: true},
		{name: "primary answers a bare 400", fake: mywhooshfake.Options{PrimaryLogin: mywhooshfake.LoginBadRequest}, variant: true},
		{name: "wrong password", password: "hunter2", wantErr: "Email address or password is incorrect", primaryRuns: 1 + loginRetries},
		{name: "wrong password with 401", fake: mywhooshfake.Options{RefusalStatus: 401}, password: "hunter2",
			wantErr: "Email address or password is incorrect", primaryRuns: 1 + loginRetries},
		{name: "spurious refusals only", fake: mywhooshfake.Options{RejectFirstLogins: 3},
			wantErr: "Email address or password is incorrect"},
		{name: "both refused", fake: mywhooshfake.Options{PrimaryLogin: mywhooshfake.LoginInvalidRequest}, password: "hunter2",
			variant: true, wantErr: "Email address or password is incorrect", primaryRuns: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, tc.fake)
			pass := tc.password
			if pass == "" {
				pass = mywhooshfake.DefaultPassword
			}
			s, err := Login(context.Background(), cfg, mywhooshfake.DefaultEmail, pass, fastOpts(&logs))
			st := f.Stats()
			if tc.wantErr == "" {
				if err != nil || s.Token == "" || s.WhooshID != mywhooshfake.DefaultWhooshID {
					t.Fatalf("session %+v, err %v", s.WhooshID, err)
				}
				cfg.Token = s.Token
				if err := Validate(context.Background(), cfg, fastOpts(&logs)); err != nil {
					t.Errorf("the token does not work: %v", err)
				}
			} else if !errors.Is(err, ErrLoginRefused) || !strings.HasSuffix(err.Error(), ": "+tc.wantErr) {
				t.Fatalf("err = %v, want MyWhoosh's %q", err, tc.wantErr)
			}
			wantTries := 0
			if tc.variant {
				wantTries = 1
			}
			if st.VariantTries != wantTries || (tc.variant && tc.wantErr == "" && st.VariantLogins != 1) {
				t.Errorf("stats %+v: variant tries %d, want %d", st, st.VariantTries, wantTries)
			}
			if st.LoginsRejected != tc.primaryRuns {
				t.Errorf("stats %+v: %d refusals, want %d", st, st.LoginsRejected, tc.primaryRuns)
			}
			if strings.Contains(logs.String(), pass) || (err != nil && strings.Contains(err.Error(), pass)) {
				t.Error("the password leaked")
			}
		})
	}
}

func TestLoginVariantNotAfterServerErrors(t *testing.T) {
	var logs logBuf
	faults := fakes.NewFaults(3)
	faults.ServerErrorRate = 1
	f, cfg := startFake(t, mywhooshfake.Options{Faults: faults})
	_, err := Login(context.Background(), cfg, mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword, fastOpts(&logs))
	var he *HTTPError
	if !errors.As(err, &he) || he.Status < 500 {
		t.Fatalf("err = %v", err)
	}
	if n := int(faults.Injected()); n != 1+fastOpts(&logs).MaxRetries {
		t.Errorf("%d calls, want only the primary body's %d", n, 1+fastOpts(&logs).MaxRetries)
	}
	if st := f.Stats(); st.VariantTries != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestLoginRetriesServerErrors(t *testing.T) {
	var logs logBuf
	faults := fakes.NewFaults(5)
	faults.ServerErrorRate = 0.5
	_, cfg := startFake(t, mywhooshfake.Options{Faults: faults})
	if _, err := Login(context.Background(), cfg, mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword, fastOpts(&logs)); err != nil {
		t.Fatal(err)
	}
}

func TestListAllPages(t *testing.T) {
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{PageSize: 20})
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rides := f.Seed(57, from, from.AddDate(1, 0, 0), rand.New(rand.NewSource(11)))
	c, err := New(cfg, fastOpts(&logs))
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, c, source.Query{})
	if len(got) != len(rides) {
		t.Fatalf("listed %d of %d rides", len(got), len(rides))
	}
	if calls := f.Stats().ListCalls; calls != 3 {
		t.Errorf("list calls = %d, want 3 (57 rows, 20 a page, whatever limit says)", calls)
	}
	byID := map[string]mywhooshfake.Ride{}
	for _, r := range rides {
		byID[r.ID] = r
	}
	skipped, millis := 0, 0
	for i, a := range got {
		r, ok := byID[a.RemoteID]
		if !ok {
			t.Fatalf("unknown id %q", a.RemoteID)
		}
		delete(byID, a.RemoteID)
		if i > 0 && a.StartHint.After(got[i-1].StartHint) {
			t.Errorf("not newest first at %d", i)
		}
		if !a.StartHint.Equal(r.Start) || a.Name != r.Title || a.Sport != "VirtualRide" || a.Device != "MyWhoosh" {
			t.Errorf("activity %+v for ride %+v", a, r)
		}
		if r.DateMillis {
			millis++
		}
		if r.HasFile() {
			if a.SkipReason != "" || a.Extra["fileId"] != r.FileID {
				t.Errorf("ride with file: %+v", a)
			}
		} else {
			skipped++
			if a.SkipReason != NoFileReason || a.Extra["fileId"] != "" {
				t.Errorf("ride without file: %+v", a)
			}
		}
	}
	if skipped == 0 || millis != 1 {
		t.Errorf("skipped %d, ms-dated %d: the seed should hold both", skipped, millis)
	}
}

func TestListStopsAtSince(t *testing.T) {
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{PageSize: 10})
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rides := f.Seed(60, from, from.AddDate(1, 0, 0), rand.New(rand.NewSource(2)))
	since := rides[45].Start // 15 rides from here on
	until := rides[55].Start
	c, _ := New(cfg, fastOpts(&logs))
	got := collect(t, c, source.Query{Since: since, Until: until})
	want := 0
	for _, r := range rides {
		if (source.Query{Since: since, Until: until}).Contains(r.Start) {
			want++
		}
	}
	if len(got) != want {
		t.Fatalf("listed %d, want %d", len(got), want)
	}
	if calls := f.Stats().ListCalls; calls != 2 {
		t.Errorf("list calls = %d, want 2: paging should stop at rows older than Since", calls)
	}
}

func TestListOlderShapes(t *testing.T) {
	rows := func(ids ...string) []map[string]any {
		var out []map[string]any
		for i, id := range ids {
			out = append(out, map[string]any{"id": id, "activityFileId": "f" + id, "name": "ride " + id,
				"date": fmt.Sprint(1736500000 - i*86400), "sportType": "Running"})
		}
		return out
	}
	for name, pages := range map[string][]any{
		"bare data list, then empty": {
			map[string]any{"error": false, "data": rows("a", "b")},
			map[string]any{"error": false, "data": rows("c")},
			map[string]any{"error": false, "data": []any{}},
		},
		"top-level rides, page ignored": {
			map[string]any{"rides": rows("a", "b", "c")},
			map[string]any{"rides": rows("a", "b", "c")},
		},
		"data.rideHistory with lastPage": {
			map[string]any{"data": map[string]any{"rideHistory": rows("a", "b"), "lastPage": 2}},
			map[string]any{"data": map[string]any{"rideHistory": rows("c"), "lastPage": 2}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var b listRequest
				json.NewDecoder(r.Body).Decode(&b)
				if b.Page < 1 || b.Page > len(pages) {
					t.Errorf("asked for page %d", b.Page)
					json.NewEncoder(w).Encode(map[string]any{"data": []any{}})
					return
				}
				calls++
				json.NewEncoder(w).Encode(pages[b.Page-1])
			}))
			defer srv.Close()
			var logs logBuf
			c, _ := New(source.Config{BaseURL: srv.URL, Token: "tok"}, fastOpts(&logs))
			got := collect(t, c, source.Query{})
			if len(got) != 3 || got[2].RemoteID != "c" || got[0].Sport != "VirtualRun" || got[0].Name != "ride a" ||
				!got[0].StartHint.Equal(time.Unix(1736500000, 0)) {
				t.Fatalf("got %+v", got)
			}
			if calls != len(pages) {
				t.Errorf("%d calls for %d pages", calls, len(pages))
			}
		})
	}
}

func TestRowStart(t *testing.T) {
	for _, tc := range []struct {
		r    string
		want time.Time
	}{
		{`{"startDatetime":"2026-01-10T09:15:00.000Z","date":1}`, time.Date(2026, 1, 10, 9, 15, 0, 0, time.UTC)},
		{`{"date":1768036500}`, time.Unix(1768036500, 0)},
		{`{"date":1768036500000}`, time.Unix(1768036500, 0)},
		{`{"date":"1768036500"}`, time.Unix(1768036500, 0)},
		{`{}`, time.Time{}},
	} {
		var r row
		json.Unmarshal([]byte(tc.r), &r)
		if got := r.start(); !got.Equal(tc.want) {
			t.Errorf("%s: start %v, want %v", tc.r, got, tc.want)
		}
	}
}

func TestDownloadWithoutBearer(t *testing.T) {
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{})
	f.Seed(12, time.Now().AddDate(0, -2, 0), time.Now(), rand.New(rand.NewSource(4)))
	c, _ := New(cfg, fastOpts(&logs))
	n := 0
	for _, a := range collect(t, c, source.Query{}) {
		r, _ := f.Ride(a.RemoteID)
		data, err := c.Download(context.Background(), a)
		if !r.HasFile() {
			var skip *source.SkipError
			if !errors.As(err, &skip) || !skip.Permanent || skip.Reason != NoFileReason {
				t.Errorf("ride without file: %v", err)
			}
			continue
		}
		if err != nil || !bytes.Equal(data, r.FIT) {
			t.Fatalf("download %s: %v", a.RemoteID, err)
		}
		n++
	}
	st := f.Stats()
	if st.Downloads != n || st.S3WithAuth != 0 || st.S3WithCookie != 0 {
		t.Errorf("stats %+v after %d downloads: the bucket must see no Authorization and no cookie", st, n)
	}
	if strings.Contains(logs.String(), "X-Amz-Signature=") {
		t.Error("a signed URL's query reached the logs")
	}
}

// The download call sends the WhooshId as "key" when it is known: from the
// account's settings, else from the token's userId claim.
// The key goes only with a WhooshId a login gave (the stored setting);
// otherwise fileId goes alone, and again with the token's user id only when
// the service refuses that.
func TestDownloadSendsKeyWhenKnown(t *testing.T) {
	for _, tc := range []struct {
		name      string
		mode      mywhooshfake.KeyMode
		noClaim   bool   // the token has no userId
		setting   string // stored whoosh_id
		wantKey   string // the last key sent; empty: none
		wantKeys  int    // link calls that sent a key
		wantCalls int    // link calls in all
		wantErr   string
	}{
		{name: "no login, key optional", wantCalls: 1},
		{name: "no login, key required", mode: mywhooshfake.KeyRequired, wantKey: mywhooshfake.DefaultWhooshID, wantKeys: 1, wantCalls: 2},
		{name: "login's WhooshId", setting: mywhooshfake.DefaultWhooshID, wantKey: mywhooshfake.DefaultWhooshID, wantKeys: 1, wantCalls: 1},
		{name: "login's WhooshId, key required", mode: mywhooshfake.KeyRequired, setting: mywhooshfake.DefaultWhooshID, wantKey: mywhooshfake.DefaultWhooshID, wantKeys: 1, wantCalls: 1},
		{name: "login's WhooshId, no claim", noClaim: true, setting: "777", wantKey: "777", wantKeys: 1, wantCalls: 1},
		{name: "unknown id, key optional", noClaim: true, wantCalls: 1},
		{name: "unknown id, key required", mode: mywhooshfake.KeyRequired, noClaim: true, wantErr: "Invalid request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{NoUserIDInTokens: tc.noClaim, Key: tc.mode})
			r := f.AddRide(mywhooshfake.Ride{Title: "x", Start: time.Now().Add(-time.Hour)})
			r2 := f.AddRide(mywhooshfake.Ride{Title: "y", Start: time.Now().Add(-2 * time.Hour)})
			if tc.setting != "" {
				cfg.Settings = map[string]string{SettingWhooshID: tc.setting}
			}
			c, err := New(cfg, fastOpts(&logs))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(context.Background()); err != nil { // settles the body form
				t.Fatal(err)
			}
			data, err := c.Download(context.Background(), source.Activity{RemoteID: r.ID, Extra: map[string]string{"fileId": r.FileID}})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Download = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(data, r.FIT) {
				t.Fatal(err)
			}
			if st := f.Stats(); st.KeysSeen != tc.wantKeys || st.LastKey != tc.wantKey || st.LinkCalls != tc.wantCalls {
				t.Errorf("stats %+v, want %d link calls, %d with key %q", st, tc.wantCalls, tc.wantKeys, tc.wantKey)
			}
			// Once a key was needed, the next ride asks with it straight away.
			before := f.Stats()
			if _, err := c.Download(context.Background(), source.Activity{RemoteID: r2.ID, Extra: map[string]string{"fileId": r2.FileID}}); err != nil {
				t.Fatal(err)
			}
			if st := f.Stats(); st.KeyRefusals != before.KeyRefusals || st.KeysSeen-before.KeysSeen != min(tc.wantKeys, 1) {
				t.Errorf("second ride: stats %+v after %+v", st, before)
			}
		})
	}
}

// A password sign-in hands the WhooshId back as an account setting, so it
// is kept and later sent as the download key.
func TestDescriptorLoginReturnsWhooshID(t *testing.T) {
	f, cfg := startFake(t, mywhooshfake.Options{NoUserIDInTokens: true})
	cfg.Token = ""
	d, _ := source.Lookup(Name)
	s, err := d.Login(context.Background(), cfg, mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword)
	if err != nil {
		t.Fatal(err)
	}
	if s.Token == "" || len(s.Settings) != 3 || s.Settings[SettingWhooshID] != mywhooshfake.DefaultWhooshID || s.Settings[SettingLoginSource] != "" || s.Settings[SettingLoginSourceExp] != "" {
		t.Fatalf("settings %v", s.Settings)
	}
	if _, err := d.Login(context.Background(), cfg, mywhooshfake.DefaultEmail, "hunter2"); !errors.Is(err, ErrLoginRefused) {
		t.Errorf("wrong password: %v", err)
	}
	if f.Stats().Logins != 1 {
		t.Errorf("stats %+v", f.Stats())
	}
}

func TestDownloadRefreshesExpiredLink(t *testing.T) {
	for _, tc := range []struct {
		expire int
		ok     bool
	}{{1, true}, {2, false}} {
		t.Run(fmt.Sprint(tc.expire), func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{ExpireFirstURLs: tc.expire})
			r := f.AddRide(mywhooshfake.Ride{Start: time.Now().Add(-time.Hour)})
			c, _ := New(cfg, fastOpts(&logs))
			data, err := c.Download(context.Background(), source.Activity{RemoteID: r.ID, Extra: map[string]string{"fileId": r.FileID}})
			if tc.ok && (err != nil || !bytes.Equal(data, r.FIT)) {
				t.Fatalf("err = %v", err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "expired")) {
				t.Fatalf("err = %v, want an expired link", err)
			}
			if st := f.Stats(); st.LinkCalls != 2 || st.S3Expired != tc.expire {
				t.Errorf("stats %+v: one fresh link per expired one, at most once", st)
			}
		})
	}
}

func TestDownloadErrors(t *testing.T) {
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{S3ServesHTML: true})
	r := f.AddRide(mywhooshfake.Ride{Start: time.Now().Add(-time.Hour)})
	c, _ := New(cfg, fastOpts(&logs))
	_, err := c.Download(context.Background(), source.Activity{RemoteID: r.ID, Extra: map[string]string{"fileId": r.FileID}})
	if err == nil || !strings.Contains(err.Error(), "not a FIT file") || !strings.Contains(err.Error(), "text/html") {
		t.Errorf("HTML page: %v", err)
	}
	_, err = c.Download(context.Background(), source.Activity{RemoteID: "x", Extra: map[string]string{"fileId": "000000000000000000000000"}})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "File not found" {
		t.Errorf("unknown file: %v", err)
	}
}

func TestDownloadRefusesForeignHosts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"error": false, "data": map[string]any{"url": "https://evil.example.com/ride?X-Amz-Signature=1"}})
	}))
	defer srv.Close()
	var logs logBuf
	c, _ := New(source.Config{BaseURL: srv.URL, Token: "tok"}, fastOpts(&logs))
	_, err := c.Download(context.Background(), source.Activity{RemoteID: "x", Extra: map[string]string{"fileId": "f"}})
	if err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("err = %v", err)
	}

	c.baseHost = ""
	for raw, want := range map[string]bool{
		"https://mywhooshprod.s3.eu-west-1.amazonaws.com/ride/x": true,
		"https://d1234.cloudfront.net/ride/x":                    true,
		"https://files.mywhoosh.com/x":                           true,
		"http://mywhooshprod.s3.amazonaws.com/x":                 false,
		"https://mywhoosh.com.evil.example/x":                    false,
		"https://amazonaws.com.evil.example/x":                   false,
		srv.URL + "/s3/x":                                        false,
	} {
		u, _ := url.Parse(raw)
		if got := c.allowedDownload(u); got != want {
			t.Errorf("allowedDownload(%s) = %v", raw, got)
		}
	}
}

func TestCheckFIT(t *testing.T) {
	r := mywhooshfake.New(mywhooshfake.Options{}).AddRide(mywhooshfake.Ride{Start: time.Now()})
	if err := checkFIT(r.FIT, ""); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(r.FIT)
	zw.Close()
	if err := checkFIT(gz.Bytes(), "application/gzip"); err != nil {
		t.Errorf("gzipped FIT: %v", err)
	}
	if err := checkFIT([]byte("<?xml version=\"1.0\"?><Error>"), "application/xml"); err == nil || !strings.Contains(err.Error(), "<?xml") {
		t.Errorf("XML accepted: %v", err)
	}
}

func TestNeedsSignInAfterExpiry(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{AuthStatus: status})
			r := f.AddRide(mywhooshfake.Ride{Start: time.Now().Add(-time.Hour)})
			c, _ := New(cfg, fastOpts(&logs))
			if err := c.Validate(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.ExpireTokens()
			err := c.List(context.Background(), source.Query{}, func(source.Activity) error { return nil })
			if !errors.Is(err, source.ErrNeedsSignIn) {
				t.Errorf("List: %v", err)
			}
			_, err = c.Download(context.Background(), source.Activity{RemoteID: r.ID, Extra: map[string]string{"fileId": r.FileID}})
			if !errors.Is(err, source.ErrNeedsSignIn) {
				t.Errorf("Download: %v", err)
			}
			if err := Validate(context.Background(), cfg, fastOpts(&logs)); !errors.Is(err, source.ErrNeedsSignIn) {
				t.Errorf("Validate: %v", err)
			}
			// List and Download, once the form is settled, ask once; the
			// fresh Validate tries the other body form before it counts.
			if f.Stats().Unauthorized != 4 {
				t.Errorf("a refused session must be asked at most once per form: %+v", f.Stats())
			}
		})
	}
	if _, err := New(source.Config{Token: "  "}, Options{}); !errors.Is(err, source.ErrNeedsSignIn) {
		t.Errorf("empty token: %v", err)
	}
}

// A token within five minutes of its exp counts as expired: no call is made
// with it, and the rider is asked to sign in again.
func TestExpiryMargin(t *testing.T) {
	for _, tc := range []struct {
		ttl time.Duration
		ok  bool
	}{
		{time.Minute, false},
		{4*time.Minute + 50*time.Second, false},
		{6 * time.Minute, true},
		{time.Hour, true},
	} {
		t.Run(tc.ttl.String(), func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{TokenTTL: tc.ttl})
			err := Validate(context.Background(), cfg, fastOpts(&logs))
			if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, source.ErrNeedsSignIn)) {
				t.Fatalf("err = %v", err)
			}
			if st := f.Stats(); !tc.ok && (st.ListCalls != 0 || st.Unauthorized != 0) {
				t.Errorf("a token about to expire was sent: %+v", st)
			}
		})
	}
}

func TestFaultsStillListAndDownloadEverything(t *testing.T) {
	var logs logBuf
	faults := fakes.NewFaults(42)
	faults.Set(0.10, 0.10)
	f, cfg := startFake(t, mywhooshfake.Options{Faults: faults, PageSize: 15})
	f.Seed(50, time.Now().AddDate(-1, 0, 0), time.Now(), rand.New(rand.NewSource(9)))
	c, _ := New(cfg, fastOpts(&logs))
	list := collect(t, c, source.Query{})
	if len(list) != 50 {
		t.Fatalf("listed %d of 50", len(list))
	}
	files := 0
	for _, a := range list {
		if a.SkipReason != "" {
			continue
		}
		r, _ := f.Ride(a.RemoteID)
		data, err := c.Download(context.Background(), a)
		if err != nil || !bytes.Equal(data, r.FIT) {
			t.Fatalf("download %s: %v", a.RemoteID, err)
		}
		files++
	}
	if faults.Injected() < 10 {
		t.Errorf("only %d faults were injected", faults.Injected())
	}
	t.Logf("%d files, %d faults injected", files, faults.Injected())
}

// A Retry-After within the cap is waited out; a longer one ends the call.
func TestRetryAfterHonoured(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if calls == 2 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"error": false, "data": map[string]any{"results": []any{}, "totalPages": 0}})
	}))
	defer srv.Close()
	var logs logBuf
	opts := fastOpts(&logs)
	opts.MaxRetryAfter = 20 * time.Second
	var waits []time.Duration
	opts.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	c, _ := New(source.Config{BaseURL: srv.URL, Token: "tok"}, opts)
	err := c.Validate(context.Background())
	// A wait longer than the cap ends the call, saying when to come back.
	var ra *httpcall.RetryAfterError
	if !errors.As(err, &ra) || ra.After != time.Hour {
		t.Fatalf("err = %v, want the 1 h Retry-After handed back", err)
	}
	if len(waits) != 1 || waits[0] != 7*time.Second || calls != 2 {
		t.Errorf("waits = %v after %d calls, want [7s] (the Retry-After) and no third call", waits, calls)
	}
}

// Whatever form the service takes and however it refuses the other (a 400,
// a 403, a 200 with error:true), a good session is never called refused:
// the other form is tried first, the one that worked is kept for the
// session and told to the account, and a stored form goes first next time.
func TestBodyFormsBothWays(t *testing.T) {
	modes := []struct {
		name string
		mode mywhooshfake.BodyMode
		want string // the form that works; "" when both do
	}{
		{"plain only", mywhooshfake.BodiesPlain, FormPlain},
		{"encrypted only", mywhooshfake.BodiesEncrypted, FormEncrypted},
		{"either", mywhooshfake.BodiesAny, ""},
	}
	for _, m := range modes {
		for _, wrong := range []int{400, 403, 200} {
			for _, stored := range []string{"", FormPlain, FormEncrypted} {
				t.Run(fmt.Sprintf("%s/wrong form answered %d/stored %q", m.name, wrong, stored), func(t *testing.T) {
					var logs logBuf
					f, cfg := startFake(t, mywhooshfake.Options{Bodies: m.mode, WrongForm: wrong, PageSize: 5})
					f.Seed(12, time.Now().AddDate(0, -1, 0), time.Now(), rand.New(rand.NewSource(1)))
					learnt := map[string]string{}
					cfg.Settings = map[string]string{}
					if stored != "" {
						cfg.Settings[SettingBodyForm] = stored
					}
					cfg.OnSetting = func(k, v string) { learnt[k] = v }
					if err := Validate(context.Background(), cfg, fastOpts(&logs)); err != nil {
						t.Fatalf("a good session looked refused: %v", err)
					}
					first := stored
					if first == "" {
						first = FormPlain
					}
					works := m.want
					if works == "" {
						works = first
					}
					wantWrong := 0
					if works != first {
						wantWrong = 1
					}
					if st := f.Stats(); st.WrongForms != wantWrong {
						t.Errorf("stats %+v: %d refusals of the form, want %d", st, st.WrongForms, wantWrong)
					}
					if works != stored {
						if learnt[SettingBodyForm] != works {
							t.Errorf("the account was told %v, want %s", learnt, works)
						}
					} else if len(learnt) != 0 {
						t.Errorf("the account was told %v though the stored form worked", learnt)
					}

					// A run with what the account now holds: no form refused at all.
					cfg.Settings[SettingBodyForm] = works
					before := f.Stats().WrongForms
					c, _ := New(cfg, fastOpts(&logs))
					list := collect(t, c, source.Query{})
					if len(list) != 12 {
						t.Fatalf("listed %d", len(list))
					}
					for _, a := range list {
						if a.SkipReason == "" {
							if _, err := c.Download(context.Background(), a); err != nil {
								t.Fatal(err)
							}
							break
						}
					}
					if st := f.Stats(); st.WrongForms != before {
						t.Errorf("stats %+v: the stored form was not used", st)
					}
				})
			}
		}
	}
}

// A session that is really refused is refused in both forms, and reported
// as needing a sign-in.
func TestBodyFormsRefusedSession(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{AuthStatus: status, Bodies: mywhooshfake.BodiesEncrypted, WrongForm: 400})
			f.ExpireTokens() // revoked on the service's side, exp still ahead
			err := Validate(context.Background(), cfg, fastOpts(&logs))
			if !errors.Is(err, source.ErrNeedsSignIn) {
				t.Fatalf("Validate = %v, want needs sign-in", err)
			}
			if st := f.Stats(); st.Unauthorized != 2 {
				t.Errorf("stats %+v: want one refusal per form", st)
			}
		})
	}
}

// Rows named the way other public clients read them list and download alike.
func TestRowFieldNamesBothWays(t *testing.T) {
	for _, alt := range []bool{false, true} {
		t.Run(fmt.Sprintf("alternative names %v", alt), func(t *testing.T) {
			var logs logBuf
			f, cfg := startFake(t, mywhooshfake.Options{AltRowFields: alt, PageSize: 7})
			rides := f.Seed(20, time.Now().AddDate(0, -2, 0), time.Now(), rand.New(rand.NewSource(2)))
			c, _ := New(cfg, fastOpts(&logs))
			list := collect(t, c, source.Query{})
			if len(list) != len(rides) {
				t.Fatalf("listed %d of %d", len(list), len(rides))
			}
			byID := map[string]mywhooshfake.Ride{}
			for _, r := range rides {
				byID[r.ID] = r
			}
			downloaded := 0
			for _, a := range list {
				r, ok := byID[a.RemoteID]
				if !ok {
					t.Fatalf("listed id %q is not a ride's", a.RemoteID)
				}
				if !a.StartHint.Equal(r.Start.Truncate(time.Millisecond).UTC()) && !a.StartHint.Equal(r.Start.Truncate(time.Second).UTC()) {
					t.Fatalf("ride %s start %v, want %v", r.ID, a.StartHint, r.Start)
				}
				if (a.SkipReason == "") != r.HasFile() || a.Extra["fileId"] != r.FileID {
					t.Fatalf("ride %s: file %q skip %q, want file %q", r.ID, a.Extra["fileId"], a.SkipReason, r.FileID)
				}
				if a.SkipReason == "" && downloaded < 3 {
					data, err := c.Download(context.Background(), a)
					if err != nil || !bytes.Equal(data, r.FIT) {
						t.Fatalf("download %s: %v", r.ID, err)
					}
					downloaded++
				}
			}
		})
	}
}

// After the alternative login made the session, its Source header goes on
// every later call; after the usual login it goes on none.
func TestSourceHeaderAfterAlternativeLogin(t *testing.T) {
	for _, tc := range []struct {
		name    string
		primary mywhooshfake.LoginMode
		want    string
	}{
		{"usual login", mywhooshfake.LoginNormal, ""},
		{"alternative login", mywhooshfake.LoginInvalidRequest, "connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuf
			var shift atomic.Int64 // the fake's clock runs ahead by this much
			f, cfg := startFake(t, mywhooshfake.Options{PrimaryLogin: tc.primary, VariantNeedsSource: true, PageSize: 4,
				Now: func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }})
			f.Seed(9, time.Now().AddDate(0, -1, 0), time.Now(), rand.New(rand.NewSource(3)))
			d, _ := source.Lookup(Name)
			cfg.Token = ""
			sess, err := d.Login(context.Background(), cfg, mywhooshfake.DefaultEmail, mywhooshfake.DefaultPassword)
			if err != nil {
				t.Fatal(err)
			}
			if sess.Settings[SettingLoginSource] != tc.want {
				t.Fatalf("settings %v, want login source %q", sess.Settings, tc.want)
			}
			cfg.Token, cfg.Settings = sess.Token, sess.Settings
			c, err := New(cfg, fastOpts(&logs))
			if err != nil {
				t.Fatal(err)
			}
			list := collect(t, c, source.Query{})
			for _, a := range list {
				if a.SkipReason == "" {
					if _, err := c.Download(context.Background(), a); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			st := f.Stats()
			calls := st.ListCalls + st.LinkCalls
			if len(list) != 9 || st.SourceMissing != 0 {
				t.Fatalf("listed %d, stats %+v", len(list), st)
			}
			if want := map[bool]int{false: 0, true: calls}[tc.want != ""]; st.SourceHeaders != want {
				t.Errorf("stats %+v: Source header on %d calls, want %d", st, st.SourceHeaders, want)
			}
			// Without the stored setting the alternative login's session is refused.
			if tc.want != "" {
				stored := cfg.Settings
				cfg.Settings = nil
				if err := Validate(context.Background(), cfg, fastOpts(&logs)); !errors.Is(err, source.ErrNeedsSignIn) {
					t.Errorf("without the header: %v", err)
				}
				// A session pasted later is another session: no header goes with it.
				shift.Store(int64(2 * time.Minute))
				cfg.Token, cfg.Settings = f.IssueToken(), stored
				before := f.Stats().SourceHeaders
				if err := Validate(context.Background(), cfg, fastOpts(&logs)); err != nil {
					t.Fatal(err)
				}
				if st := f.Stats(); st.SourceHeaders != before {
					t.Errorf("the alternative login's header went with a later session: %+v", st)
				}
			}
		})
	}
}

func TestCaptureAgainstFakeLoginPage(t *testing.T) {
	browser, err := capture.FindBrowser()
	if err != nil {
		t.Skipf("no Chrome-family browser for the capture test: %v", err)
	}
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{AutoLogin: true, StaleWebToken: true, AutoLoginDelay: 400 * time.Millisecond})
	cfg.Token = ""
	spec := CaptureSpec(cfg, fastOpts(&logs))
	spec.Timeout = 45 * time.Second
	tok, err := capture.Capture(context.Background(), spec, capture.Options{
		BrowserPath: browser, Headless: true, PollEvery: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("capture: %v\n%s", err, logs.String())
	}
	cfg.Token = tok
	if err := Validate(context.Background(), cfg, fastOpts(&logs)); err != nil {
		t.Fatalf("captured token does not validate: %v", err)
	}
	if st := f.Stats(); st.WebLogins != 1 {
		t.Errorf("stats %+v", st)
	}
	// The stale token's exp has passed, so it is refused without a call.
	if !strings.Contains(logs.String(), "session value refused") || !strings.Contains(logs.String(), "expired") {
		t.Errorf("the stale token was not seen and refused first:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), tok) {
		t.Error("the captured token reached the logs")
	}
}

// When the portal leaves its session only in the whoosh_token cookie, the
// cookie is taken.
func TestCaptureFromCookie(t *testing.T) {
	browser, err := capture.FindBrowser()
	if err != nil {
		t.Skipf("no Chrome-family browser for the capture test: %v", err)
	}
	var logs logBuf
	f, cfg := startFake(t, mywhooshfake.Options{AutoLogin: true, WebTokenOnlyInCookie: true})
	cfg.Token = ""
	spec := CaptureSpec(cfg, fastOpts(&logs))
	spec.Timeout = 45 * time.Second
	tok, err := capture.Capture(context.Background(), spec, capture.Options{
		BrowserPath: browser, Headless: true, PollEvery: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("capture: %v\n%s", err, logs.String())
	}
	cfg.Token = tok
	if err := Validate(context.Background(), cfg, fastOpts(&logs)); err != nil {
		t.Fatalf("captured token does not validate: %v", err)
	}
	if !regexp.MustCompile(`msg="signed in" .*where="cookie whoosh_token"`).MatchString(logs.String()) {
		t.Errorf("the session was not taken from the cookie:\n%s", logs.String())
	}
	if st := f.Stats(); st.WebLogins != 1 {
		t.Errorf("stats %+v", st)
	}
	if strings.Contains(logs.String(), tok) {
		t.Error("the captured token reached the logs")
	}
}

func TestCaptureAgainstPageThatNeverLogsIn(t *testing.T) {
	browser, err := capture.FindBrowser()
	if err != nil {
		t.Skipf("no Chrome-family browser for the capture test: %v", err)
	}
	var logs logBuf
	_, cfg := startFake(t, mywhooshfake.Options{AutoLogin: true, NeverLogIn: true})
	spec := CaptureSpec(cfg, fastOpts(&logs))
	spec.Timeout = 2 * time.Second
	_, err = capture.Capture(context.Background(), spec, capture.Options{BrowserPath: browser, Headless: true, PollEvery: 100 * time.Millisecond})
	if !errors.Is(err, capture.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}
