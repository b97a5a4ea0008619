package igpsport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/capture"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
	"fitbridge/backend/source/igpsport"
)

// scriptedBrowser plays a web app whose list answers are given by the test.
type scriptedBrowser struct {
	openErr error
	pages   func(pageNo int) igpsport.ListAnswer
	opened  []igpsport.WebApp
}

func (b *scriptedBrowser) OpenList(_ context.Context, app igpsport.WebApp) (igpsport.ListSession, error) {
	b.opened = append(b.opened, app)
	if b.openErr != nil {
		return nil, b.openErr
	}
	return scriptedSession{b.pages}, nil
}

type scriptedSession struct {
	pages func(int) igpsport.ListAnswer
}

func (s scriptedSession) Page(_ context.Context, n int) (igpsport.ListAnswer, error) {
	a := s.pages(n)
	if a.Status == 0 {
		return a, errors.New("the app showed nothing")
	}
	return a, nil
}

func (scriptedSession) Close() error { return nil }

// appPages answers like the app's list calls: 20 rows a page over ids,
// the last page repeating past the end, ride 0 included.
func appPages(ids []int64) func(int) igpsport.ListAnswer {
	return func(n int) igpsport.ListAnswer {
		total := (len(ids) + 19) / 20
		p := min(n, total)
		var rows []map[string]any
		for _, id := range ids[(p-1)*20 : min(p*20, len(ids))] {
			rows = append(rows, map[string]any{"rideId": id, "exerciseType": 0, "title": "户外骑行", "startTime": "2025.06.02",
				"fitOssPath": fmt.Sprintf("http://127.0.0.1:9/oss/1-%d", id)})
		}
		body, _ := json.Marshal(map[string]any{"code": 0, "message": "success",
			"data": map[string]any{"pageNo": n, "pageSize": 20, "totalPage": total, "totalRows": len(ids), "rows": rows}})
		return igpsport.ListAnswer{URL: "https://prod.zh.igpsport.com/service/web-gateway/web-analyze/activity/queryMyActivity?pageNo=" + strconv.Itoa(n), Status: 200, Body: body}
	}
}

func TestChinaFallback(t *testing.T) {
	ids := []int64{0}
	for i := int64(1); i < 45; i++ {
		ids = append(ids, 50_000_000+i)
	}
	cases := []struct {
		name      string
		fake      igpsportfake.Options
		browser   *scriptedBrowser
		wantRides int
		wantErr   error
		wantText  string
	}{
		{
			name:      "403: the web app lists every ride",
			fake:      igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true},
			browser:   &scriptedBrowser{pages: appPages(ids)},
			wantRides: 45,
		},
		{
			name:      "200 with a signature code: same",
			fake:      igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, SignatureErrorAs200: true},
			browser:   &scriptedBrowser{pages: appPages(ids)},
			wantRides: 45,
		},
		// Whatever wording or status refuses the unsigned call, the web app is next.
		{
			name:      "200 with another code and no word of signing",
			fake:      igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, Unsigned: igpsportfake.UnsignedOtherWords},
			browser:   &scriptedBrowser{pages: appPages(ids)},
			wantRides: 45,
		},
		{
			name:      "400 in plain text",
			fake:      igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, Unsigned: igpsportfake.UnsignedBadRequest},
			browser:   &scriptedBrowser{pages: appPages(ids)},
			wantRides: 45,
		},
		{
			name:      "200 with a web page",
			fake:      igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, Unsigned: igpsportfake.UnsignedHTML},
			browser:   &scriptedBrowser{pages: appPages(ids)},
			wantRides: 45,
		},
		{
			name:      "401 as for a dead token",
			fake:      igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, Unsigned: igpsportfake.UnsignedUnauthorized},
			browser:   &scriptedBrowser{pages: appPages(ids)},
			wantRides: 45,
		},
		{
			name: "the app repeats a page short of its last: a clear stop, not a partial list",
			fake: igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true},
			browser: &scriptedBrowser{pages: func(n int) igpsport.ListAnswer {
				return appPages(ids)(min(n, 2))
			}},
			wantRides: 40,
			wantText:  "iGPSport's list stopped at page 3 of 3 with 40 rides listed",
		},
		{
			name:     "no browser: the plain statement",
			fake:     igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true},
			browser:  &scriptedBrowser{openErr: capture.ErrNoBrowser},
			wantErr:  igpsport.ErrChinaSigning,
			wantText: "iGPSport China now requires signed requests that FitBridge cannot make yet; international accounts work",
		},
		{
			name:     "the app never answers",
			fake:     igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true},
			browser:  &scriptedBrowser{pages: func(int) igpsport.ListAnswer { return igpsport.ListAnswer{} }},
			wantErr:  igpsport.ErrChinaSigning,
			wantText: "international accounts work",
		},
		{
			name: "the app's own call is refused: sign in again",
			fake: igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true},
			browser: &scriptedBrowser{pages: func(int) igpsport.ListAnswer {
				return igpsport.ListAnswer{Status: 401, Body: []byte(`{"code":401,"message":"Unauthorized"}`)}
			}},
			wantErr: source.ErrNeedsSignIn,
		},
		{
			name: "the app's business error is shown as it is",
			fake: igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true},
			browser: &scriptedBrowser{pages: func(int) igpsport.ListAnswer {
				return igpsport.ListAnswer{Status: 200, Body: []byte(`{"code":50010,"message":"系统繁忙"}`)}
			}},
			wantText: "系统繁忙",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, c.fake, 3, func(o *igpsport.Options) { o.Browser = c.browser })
			acts, err := listAll(t, w.client, source.Query{})
			switch {
			case c.wantErr != nil && !errors.Is(err, c.wantErr):
				t.Fatalf("want %v, got %v", c.wantErr, err)
			case c.wantText != "" && (err == nil || !strings.Contains(err.Error(), c.wantText)):
				t.Fatalf("want an error with %q, got %v", c.wantText, err)
			case c.wantErr == nil && c.wantText == "" && err != nil:
				t.Fatal(err)
			}
			if len(acts) != c.wantRides {
				t.Fatalf("listed %d rides, want %d", len(acts), c.wantRides)
			}
			if len(c.browser.opened) != 1 || c.browser.opened[0].Token != w.token || c.browser.opened[0].Origin != w.url {
				t.Fatalf("web app opened %+v", c.browser.opened)
			}
			if pages := listPages(w.fake); len(pages) != 1 {
				t.Fatalf("unsigned list calls %v: the first refusal should end them", pages)
			}
		})
	}
}

func TestCallerStopIsKept(t *testing.T) {
	ids := []int64{0, 7, 9}
	errStop := errors.New("stop here")
	for _, region := range []string{"intl", "cn"} {
		w := newWorld(t, igpsportfake.Options{Region: region, ChinaRequiresSignature: true}, 3, func(o *igpsport.Options) {
			o.Browser = &scriptedBrowser{pages: appPages(ids)}
		})
		err := w.client.List(context.Background(), source.Query{}, func(source.Activity) error { return errStop })
		if err != errStop {
			t.Fatalf("%s: the caller's error came back as %v", region, err)
		}
	}
}

// browserPath finds Chromium for the tests that need a real one.
func browserPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a browser")
	}
	p, err := capture.FindBrowser()
	if err != nil {
		t.Skip(err)
	}
	return p
}

// Both ways the web app can be paged: by sending its own list call again
// with another pageNo, where the gateway allows it, else by its clicks.
func TestChinaWebAppInChromium(t *testing.T) {
	for _, replayable := range []bool{true, false} {
		t.Run(map[bool]string{true: "paged by the call's parameters", false: "paged by clicks"}[replayable], func(t *testing.T) {
			testChinaWebAppInChromium(t, replayable)
		})
	}
}

func testChinaWebAppInChromium(t *testing.T, replayable bool) {
	path := browserPath(t)
	w := newWorld(t, igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, ReplayableSignatures: replayable}, 250, func(o *igpsport.Options) {
		o.Browser = &igpsport.ChromeBrowser{ExecPath: path, Wait: 20 * time.Second, Logger: o.Logger}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var acts []source.Activity
	err := w.client.List(ctx, source.Query{}, func(a source.Activity) error {
		acts = append(acts, a)
		return nil
	})
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, w.logs.String())
	}
	if got, want := strings.Join(ids(acts), ","), strings.Join(fakeIDs(w.fake.Rides()), ","); got != want {
		t.Fatalf("listed %d rides through the web app, want the fake's 250", len(acts))
	}
	var unsigned, signed, refusedReplays int
	for _, r := range w.fake.Requests() {
		if !strings.HasSuffix(r.Path, "/queryMyActivity") {
			continue
		}
		switch {
		case r.Signed:
			signed++
		case r.Status == 403 && len(r.SigningHeaders) > 0:
			refusedReplays++
		case r.Status == 403:
			unsigned++
		}
	}
	wantRefused := map[bool]int{true: 0, false: 1}[replayable]
	if unsigned != 1 || signed != 13 || refusedReplays != wantRefused {
		t.Fatalf("list calls: %d refused unsigned, %d signed, %d replays refused (want 1, 13 and %d)", unsigned, signed, refusedReplays, wantRefused)
	}
	logs := w.logs.String()
	if !strings.Contains(logs, "x-signature") {
		t.Fatal("the log does not say which headers the app's calls carry")
	}
	if paged := strings.Contains(logs, "paged by its own list call's parameters"); paged != replayable || strings.Contains(logs, "page turned") == replayable {
		t.Fatalf("paged by parameters %v, want %v:\n%s", paged, replayable, logs)
	}
	if strings.Contains(logs, w.token) {
		t.Fatal("the token reached the log")
	}

	// Files with a storage link come straight from storage; the others need
	// a signed detail call, which FitBridge cannot make.
	for _, r := range w.fake.Rides() {
		var a source.Activity
		for _, x := range acts {
			if x.RemoteID == strconv.FormatInt(r.RideID, 10) {
				a = x
			}
		}
		data, err := w.client.Download(ctx, a)
		switch r.Via {
		case igpsportfake.ViaOSSPath:
			want, _ := w.fake.FIT(r.RideID)
			if err != nil || !bytes.Equal(data, want) {
				t.Fatalf("ride %d from storage: %v", r.RideID, err)
			}
		default:
			if !errors.Is(err, igpsport.ErrChinaSigning) {
				t.Fatalf("ride %d without a storage link: %v", r.RideID, err)
			}
		}
	}

	// Validation goes through the web app too (TestCaptureInChromium
	// validates a good token that way): a stale token is refused.
	cl, err := igpsport.New(source.Config{BaseURL: w.url, Region: "cn", Token: w.fake.StaleToken()}, igpsport.Options{
		Logger: fastOptions(w.logs).Logger, Pace: -1, Browser: &igpsport.ChromeBrowser{ExecPath: path, Wait: 20 * time.Second, Logger: fastOptions(w.logs).Logger},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Validate(ctx); !errors.Is(err, source.ErrNeedsSignIn) {
		t.Fatalf("stale token: %v", err)
	}
}

func TestCaptureInChromium(t *testing.T) {
	path := browserPath(t)
	for _, region := range []string{"intl", "cn"} {
		t.Run(region, func(t *testing.T) {
			f := igpsportfake.New(igpsportfake.Options{Region: region, AutoLogin: true, AutoLoginDelay: 2 * time.Second, ChinaRequiresSignature: region == "cn"})
			u := f.Start()
			defer f.Close()
			d, _ := source.Lookup("igpsport")
			spec := d.Capture(source.Config{BaseURL: u, Region: region})
			spec.Timeout = 90 * time.Second
			opts := capture.Options{BrowserPath: path, Headless: true}
			logs := &syncBuffer{}
			opts.Logger = fastOptions(logs).Logger
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			tok, err := capture.Capture(ctx, spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			if tok == f.StaleToken() || strings.HasPrefix(tok, "Bearer") {
				t.Fatal("captured the stale or an unstripped token")
			}
			if region == "intl" { // a China token was just validated through the web app
				if err := d.Validate(ctx, source.Config{BaseURL: u, Region: region, Token: tok}); err != nil {
					t.Fatalf("captured token: %v", err)
				}
			}
			stale := 0
			for _, r := range f.Requests() {
				if r.Token == "stale" {
					stale++
				}
			}
			// The page left a stale token before the rider signed in; it was
			// tried and refused first.
			if stale == 0 || !strings.Contains(logs.String(), "session value refused") {
				t.Fatalf("the stale token was never tried (%d calls)", stale)
			}
			if strings.Contains(logs.String(), tok) {
				t.Fatal("the token appeared in the log")
			}
		})
	}
}

// Sign-in capture only forgets a token iGPSport refused. A China gateway
// that wants signing (and no browser to list through), or a check that ran
// out of time, says nothing about the token: capture must try it again.
func TestCaptureValidateRefusesOnlyOnRefusal(t *testing.T) {
	t.Setenv(capture.EnvBrowser, "/nonexistent/fitbridge-no-browser") // the web app fallback cannot run
	d, _ := source.Lookup("igpsport")
	for _, c := range []struct {
		name      string
		fake      igpsportfake.Options
		stale     bool
		expired   bool
		refused   bool
		wantCause error
	}{
		{name: "China signing, no browser", fake: igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true}, wantCause: igpsport.ErrChinaSigning},
		{name: "China signing as code 200, no browser", fake: igpsportfake.Options{Region: "cn", ChinaRequiresSignature: true, SignatureErrorAs200: true}, wantCause: igpsport.ErrChinaSigning},
		{name: "check timed out", fake: igpsportfake.Options{Region: "cn"}, expired: true, wantCause: context.DeadlineExceeded},
		// Any refusal of an unsigned China call is the web app's to judge, a
		// 401 too: without a browser there is no verdict.
		{name: "China stale token: 401, no browser", fake: igpsportfake.Options{Region: "cn"}, stale: true, wantCause: igpsport.ErrChinaSigning},
		{name: "China stale token: code 401, no browser", fake: igpsportfake.Options{Region: "cn", TokenErrorAs200: true}, stale: true, wantCause: igpsport.ErrChinaSigning},
		{name: "international stale token", stale: true, refused: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := igpsportfake.New(c.fake)
			u := f.Start()
			defer f.Close()
			spec := d.Capture(source.Config{BaseURL: u, Region: c.fake.Region})
			tok := f.Token()
			if c.stale {
				tok = f.StaleToken()
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if c.expired {
				cancel()
				ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			}
			defer cancel()
			err := spec.Validate(ctx, tok)
			switch {
			case c.refused && (!errors.Is(err, source.ErrNeedsSignIn) || errors.Is(err, source.ErrUnchecked)):
				t.Fatalf("a refused token: %v, want a refusal", err)
			case !c.refused && (!errors.Is(err, source.ErrUnchecked) || !errors.Is(err, c.wantCause) || errors.Is(err, source.ErrNeedsSignIn)):
				t.Fatalf("a token that could not be checked: %v, want no verdict (%v)", err, c.wantCause)
			}
		})
	}
}

// Unsigned China calls carry none of the signing headers: half of them
// (x-platform without x-access-key or a signature) is something no working
// client sends.
func TestUnsignedChinaCallsSendNoSigningHeaders(t *testing.T) {
	w := newWorld(t, igpsportfake.Options{Region: "cn"}, 25, nil)
	acts, err := listAll(t, w.client, source.Query{})
	if err != nil || len(acts) != 25 {
		t.Fatalf("listed %d: %v", len(acts), err)
	}
	if err := w.client.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if _, err := w.client.Download(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, r := range w.fake.Requests() {
		if strings.HasPrefix(r.Path, "/service/") {
			n++
		}
		if len(r.SigningHeaders) > 0 {
			t.Fatalf("%s %s carried %v", r.Method, r.Path, r.SigningHeaders)
		}
	}
	if n < 3 {
		t.Fatalf("only %d gateway calls checked", n)
	}
}
