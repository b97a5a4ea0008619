package igpsport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/source"
)

// fuzzToken is the bearer every fuzzed client holds.
const fuzzToken = "eyJhbGciOiJSUzI1NiJ9.eyJtZW1iZXJpZCI6NDJ9.ZnV6ei1zaWduYXR1cmU"

// fitHead is the start of a FIT file, enough for the storage check.
var fitHead = []byte{14, 0x10, 0x2b, 0x08, 0, 0, 0, 0, '.', 'F', 'I', 'T', 0, 0}

// inProcess answers a client's requests by calling the handler in the
// same goroutine. A loopback server would do too, but its goroutines make
// coverage vary between runs of one input, and the fuzzer then spends its
// time minimizing inputs that only seemed to reach new code.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// fuzzBase stands for every iGPSport host; inProcess answers it.
const fuzzBase = "http://127.0.0.1:4567"

// gatewayServer answers list, detail and link calls with the iteration's
// bodies and counts what it was asked.
type gatewayServer struct {
	h http.Handler

	mu                 sync.Mutex
	status             int
	list, detail, link []byte
	hits               int
}

func newGatewayServer() *gatewayServer {
	s := &gatewayServer{}
	s.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits++
		status, body := s.status, s.list
		switch {
		case strings.Contains(r.URL.Path, "/queryActivityDetail/"):
			body = s.detail
		case strings.Contains(r.URL.Path, "/getDownloadUrl/"):
			body = s.link
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
	return s
}

func (s *gatewayServer) answer(status int, list, detail, link []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.list, s.detail, s.link, s.hits = status, list, detail, link, 0
}

func (s *gatewayServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// storage plays object storage without touching the network, whatever
// host a link names, and remembers what it was sent.
type storage struct {
	mu     sync.Mutex
	status int
	body   []byte
	seen   []*http.Request
}

func (s *storage) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, r)
	return &http.Response{StatusCode: s.status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(s.body)), Request: r}, nil
}

// appBrowser hands List the web app's answer for every page.
type appBrowser struct{ body []byte }

func (b appBrowser) OpenList(context.Context, WebApp) (ListSession, error) { return appSession(b), nil }

type appSession struct{ body []byte }

func (s appSession) Page(_ context.Context, n int) (ListAnswer, error) {
	return ListAnswer{URL: "https://prod.zh.igpsport.com/service/web-gateway/web-analyze/activity/queryMyActivity?pageNo=" + strconv.Itoa(n), Status: 200, Body: s.body}, nil
}

func (appSession) Close() error { return nil }

// fuzzClient never waits and makes one attempt per call; gw answers the
// gateway, st the storage.
func fuzzClient(t *testing.T, gw *gatewayServer, region string, st *storage, b Browser) *Client {
	t.Helper()
	c, err := New(source.Config{BaseURL: fuzzBase, Region: region, Token: "Bearer " + fuzzToken}, Options{
		HTTPClient:    &http.Client{Transport: inProcess{gw.h}},
		StorageClient: &http.Client{Transport: st},
		Logger:        slog.New(slog.DiscardHandler),
		Pace:          -1,
		MaxAttempts:   1,
		Sleep:         func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Browser:       b,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fakeAnswers are real gateway answers of the iGPSport fake, both regions:
// list pages (dotted dates, date-times, each kind of file link), details,
// download links, a login and business errors.
func fakeAnswers(f *testing.F) (list, detail, link [][]byte) {
	f.Helper()
	for _, region := range []string{RegionIntl, RegionChina} {
		fk := igpsportfake.New(igpsportfake.Options{Region: region})
		rides := fk.Seed(25, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), rand.New(rand.NewSource(5)))
		h := fk.Handler()
		tok := fk.Token()
		get := func(target string, bearer string) []byte {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Body.Bytes()
		}
		for page := 1; page <= 2; page++ {
			list = append(list, get(pathList+"?pageNo="+strconv.Itoa(page)+"&pageSize=3&reqType=0&sort=1", tok))
		}
		list = append(list, get(pathList+"?pageNo=1", ""), get(pathList+"?pageNo=1&beginTime=bad", tok))
		for _, r := range rides[:4] {
			id := strconv.FormatInt(r.RideID, 10)
			detail = append(detail, get(pathDetail+id, tok))
			link = append(link, get(pathDownload+id, tok))
		}
		detail = append(detail, get(pathDetail+"999", tok))
		body, _ := json.Marshal(map[string]string{"appId": "igpsport-web", "username": fk.Options().Username, "password": fk.Options().Password})
		req := httptest.NewRequest(http.MethodPost, pathLogin, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		link = append(link, rec.Body.Bytes())
	}
	return list, detail, link
}

// hostile are answers no gateway should give, each aimed at a parser.
// They stay small: every input that reaches new code is minimized before
// fuzzing goes on, and minimizing a large one can use up a short run.
var hostile = []string{
	"", " ", "null", "{}", "[]", `"text"`, "0", "<html>502</html>", "\xff\xfe\xc3 not utf-8",
	`{"code":0}`, `{"code":0,"data":null}`, `{"code":0.0,"data":{}}`, `{"code":"0","data":{}}`, `{"code":null,"data":{}}`,
	`{"code":1e300}`, `{"code":-1,"message":"signature required"}`, `{"code":401,"message":"token expired"}`, `{"code":7,"message":"请重新登录"}`,
	`{"code":0,"data":{"rows":null,"totalPage":-1}}`, `{"code":0,"data":{"rows":[null,1,"x",[]],"totalPage":1}}`,
	`{"code":0,"data":{"rows":[{"rideId":"12"},{"rideId":12},{"rideId":"012"},{"rideId":-0},{"rideId":"+7"}],"totalPage":2147483648}}`,
	`{"code":0,"data":{"rows":[{"rideId":9223372036854775807},{"rideId":9223372036854775808},{"rideId":1.5},{"rideId":"\"3\""}]}}`,
	`{"code":0,"data":{"rows":[{"rideId":1,"startTime":"99999999999999999"},{"rideId":2,"startTime":"9999-12-31T23:59:59-23:00"},{"rideId":3,"startTime":"0000.01.01"}]}}`,
	`{"code":0,"data":{"rows":[{"rideId":1,"exerciseType":1e10,"productName":" iGPSPORT iGS630 ","fitOssPath":"  "}]}}`,
	`{"code":0,"data":{"rows":[{"rideId":1,"fitOssPath":{"x":1}},{"rideId":2,"title":5}]}}`,
	`{"code":0,"data":{"fitUrl":"  http://oss.example.com/a.fit  "}}`, `{"code":0,"data":{"fitUrl":"ftp://x/y"}}`,
	`{"code":0,"data":{"fitUrl":"http://[::1"}}`, `{"code":0,"data":"https://user:pw@oss.example.com/x"}`,
	`{"code":0,"data":{"url":"//oss.example.com/x"}}`, `{"code":0,"data":{"url":5}}`, `{"code":0,"data":[]}`,
	`{"code":0,"message":"` + strings.Repeat("签名错误，请稍后再试", 8) + `"}`,
	strings.Repeat("错", 100),
	strings.Repeat("[", 300),
	strings.Repeat(`{"data":`, 200) + "1" + strings.Repeat("}", 200),
}

// shortQ keeps failure messages readable when the input is large.
func shortQ(b []byte) string {
	if len(b) > 160 {
		return strconv.Quote(string(b[:160])) + "..."
	}
	return strconv.Quote(string(b))
}

// checkErrText: an error never shows the token, and reads as text when
// the answer did.
func checkErrText(t *testing.T, err error, bodies ...[]byte) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, fuzzToken) {
		t.Fatalf("error shows the token: %q", msg)
	}
	for _, b := range bodies {
		if !utf8.Valid(b) {
			return
		}
	}
	if !utf8.ValidString(msg) {
		t.Fatalf("error text is not UTF-8 although the answers were: %q", msg)
	}
}

// checkStart: a start is unknown or one the store can keep (years 0-9999).
func checkStart(t *testing.T, st time.Time, from string) {
	t.Helper()
	if y := st.UTC().Year(); !st.IsZero() && (y < 0 || y > 9999) {
		t.Fatalf("start %v from %q", st, from)
	}
}

// FuzzCleanToken: the token has no surrounding blanks or quotes, cleaning
// it again changes nothing, and it comes back out of every wrapper the
// rider might paste: Bearer, a header line, the web app's stored state.
func FuzzCleanToken(f *testing.F) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJtZW1iZXJpZCI6NDJ9.c2ln"
	state := stateOf("Bearer " + jwt)
	quoted, _ := json.Marshal(state)
	for _, s := range []string{
		jwt, "Bearer " + jwt, "  bearer   " + jwt + "\n", `"Bearer ` + jwt + `"`, "'" + jwt + "'", "authorization: Bearer " + jwt,
		state, string(quoted), `{"code":0,"message":"success","data":{"access_token":"` + jwt + `","token_type":"Bearer"}}`,
		`{"global":"{\"lang\":\"en\"}"}`, `""""`, `"\"\"\"x\"\"\""`, `"\"\\\"\\\\\\\"x\\\\\\\"\\\"\""`, "Bearer Bearer x",
		"authorization:authorization: x", `{"token":"{\"token\":\"x\"}"}`, `{"token":"Bearer 'x'"}`, `"'"`, "\t\"\u00a0x\u00a0\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pasted string) {
		tok := CleanToken(pasted)
		if tok != strings.TrimSpace(tok) || tok != strings.Trim(tok, `"'`) {
			t.Fatalf("CleanToken(%q) = %q keeps blanks or quotes around it", pasted, tok)
		}
		if again := CleanToken(tok); again != tok {
			t.Fatalf("CleanToken is not idempotent: %q -> %q -> %q", pasted, tok, again)
		}
		if tok == "" || !utf8.ValidString(tok) {
			return
		}
		st := stateOf("Bearer " + tok)
		q, _ := json.Marshal(st)
		for _, wrapped := range []string{"Bearer " + tok, "Authorization: Bearer " + tok, st, string(q)} {
			if got := CleanToken(wrapped); got != tok {
				t.Fatalf("CleanToken(%q) = %q, want %q", wrapped, got, tok)
			}
		}
	})
}

// stateOf is the persist:app-store value the web app keeps for a bearer.
func stateOf(bearer string) string {
	global, _ := json.Marshal(map[string]any{"token": bearer, "lang": "en"})
	b, _ := json.Marshal(map[string]string{"global": string(global), "_persist": `{"version":-1,"rehydrated":true}`})
	return string(b)
}

// FuzzDecode feeds the envelope reader that serves the gateway and the web
// app alike. Data only comes out of a 200 with code 0; every other answer
// is an *APIError carrying the status, 401 meaning "sign in again".
func FuzzDecode(f *testing.F) {
	list, detail, link := fakeAnswers(f)
	for _, set := range [][][]byte{list, detail, link} {
		for _, b := range set {
			f.Add(200, b)
		}
	}
	for _, s := range hostile {
		f.Add(200, []byte(s))
		f.Add(401, []byte(s))
	}
	f.Add(403, []byte(`{"code":40300,"message":"signature required: missing x-access-key"}`))
	f.Add(502, []byte("<html>bad gateway</html>"))
	cl, err := New(source.Config{BaseURL: "http://127.0.0.1:9", Region: RegionChina, Token: fuzzToken}, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var p listPage
		err := cl.decode("list", status, body, &p)
		checkErrText(t, err, body)
		if err == nil {
			var env struct {
				Code *int `json:"code"`
			}
			if status != http.StatusOK || json.Unmarshal(body, &env) != nil || env.Code == nil || *env.Code != 0 {
				t.Fatalf("status %d %s read as data", status, shortQ(body))
			}
			return
		}
		var api *APIError
		if errors.As(err, &api) {
			if api.Status != status {
				t.Fatalf("status %d reported as %d", status, api.Status)
			}
			if status == http.StatusUnauthorized && !errors.Is(err, source.ErrNeedsSignIn) {
				t.Fatalf("401 does not ask to sign in again: %v", err)
			}
			return
		}
		if status != http.StatusOK || !strings.HasPrefix(err.Error(), "list: ") {
			t.Fatalf("status %d: %v", status, err)
		}
	})
}

// FuzzListAnswer feeds List the gateway's (or, for China, the web app's)
// answer on every page. Rides come once each, with a whole-number id, the
// device named as iGPSport, a start the store can keep, inside the query.
func FuzzListAnswer(f *testing.F) {
	list, detail, _ := fakeAnswers(f)
	for _, b := range list {
		f.Add(false, b)
		f.Add(true, b)
	}
	f.Add(false, detail[0])
	for _, s := range hostile {
		f.Add(false, []byte(s))
	}
	srv := newGatewayServer()
	q := source.Query{Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, viaApp bool, body []byte) {
		region, browser := RegionIntl, Browser(appBrowser{})
		if viaApp {
			// The China gateway refuses unsigned calls; the web app answers.
			region, browser = RegionChina, appBrowser{body: body}
			srv.answer(http.StatusForbidden, []byte(`{"code":40300,"message":"signature required"}`), nil, nil)
		} else {
			srv.answer(http.StatusOK, body, nil, nil)
		}
		var got []source.Activity
		err := fuzzClient(t, srv, region, &storage{}, browser).List(context.Background(), q, func(a source.Activity) error {
			got = append(got, a)
			return nil
		})
		checkErrText(t, err, body)
		if n := srv.requests(); !viaApp && n > 2 || viaApp && n != 1 {
			t.Fatalf("%d gateway requests", n)
		}
		if err == nil && !json.Valid(body) {
			t.Fatalf("%s is not JSON but listed %d rides", shortQ(body), len(got))
		}
		seen := map[string]bool{}
		for _, a := range got {
			n, perr := strconv.ParseInt(a.RemoteID, 10, 64)
			if perr != nil || strconv.FormatInt(n, 10) != a.RemoteID || seen[a.RemoteID] {
				t.Fatalf("ride id %q not a canonical whole number, or repeated", a.RemoteID)
			}
			seen[a.RemoteID] = true
			if !strings.HasPrefix(strings.ToLower(a.Device), "igpsport") || a.Sport != "" && a.Sport != "Ride" {
				t.Fatalf("device %q sport %q", a.Device, a.Sport)
			}
			if p, ok := a.Extra[extraFitOssPath]; ok && (p == "" || p != strings.TrimSpace(p)) {
				t.Fatalf("fitOssPath %q", p)
			}
			checkStart(t, a.StartHint, string(body))
			if !widen(q).Contains(a.StartHint) {
				t.Fatalf("ride of %v listed outside %v", a.StartHint, q)
			}
		}
	})
}

// FuzzDownloadAnswers feeds the ride detail and download-link answers and
// what storage sends. Storage never sees the bearer and is only asked for
// web addresses; a file only comes back as storage sent it.
func FuzzDownloadAnswers(f *testing.F) {
	_, detail, link := fakeAnswers(f)
	for i := range detail {
		f.Add(detail[i], link[min(i, len(link)-1)], uint8(0))
	}
	for _, s := range hostile {
		f.Add([]byte(s), []byte(`{"code":0,"data":"http://oss.example.com/o"}`), uint8(0))
		f.Add([]byte(`{"code":0,"data":{"fitUrl":null}}`), []byte(s), uint8(1))
	}
	for st := range uint8(5) {
		f.Add([]byte(`{"code":0,"data":{"fitUrl":"http://oss.example.com/a"}}`), []byte(`{"code":0,"data":"http://oss.example.com/b"}`), st)
	}
	srv := newGatewayServer()
	f.Fuzz(func(t *testing.T, detailBody, linkBody []byte, storageCase uint8) {
		srv.answer(http.StatusOK, nil, detailBody, linkBody)
		st := &storage{status: http.StatusOK, body: fitHead}
		switch storageCase % 5 {
		case 1:
			st.status = http.StatusNotFound
		case 2:
			st.body = nil
		case 3:
			st.body = []byte("<Error><Code>AccessDenied</Code></Error>")
		case 4:
			st.status = http.StatusServiceUnavailable
		}
		data, err := fuzzClient(t, srv, RegionIntl, st, appBrowser{}).Download(context.Background(), source.Activity{RemoteID: "31234567", Extra: map[string]string{}})
		checkErrText(t, err, detailBody, linkBody)
		if n := srv.requests(); n > 2 {
			t.Fatalf("%d gateway requests for one ride", n)
		}
		for _, r := range st.seen {
			// A link may carry its own user:password; the bearer must stay home.
			if auth := r.Header.Get("Authorization"); strings.Contains(auth, fuzzToken) || strings.HasPrefix(strings.ToLower(auth), "bearer") ||
				r.URL.Scheme != "http" && r.URL.Scheme != "https" || r.URL.Host == "" {
				t.Fatalf("storage asked for %s with Authorization %q", r.URL, auth)
			}
		}
		if err == nil && !bytes.Equal(data, st.body) {
			t.Fatalf("downloaded %q, storage sent %q", data, st.body)
		}
		if err == nil && (storageCase%5 != 0 || len(st.seen) == 0) {
			t.Fatalf("storage case %d gave a file", storageCase%5)
		}
	})
}

// FuzzParseListTime: a list or detail time is unknown or one the store can
// keep, and a plain date is midnight in the zone asked for.
func FuzzParseListTime(f *testing.F) {
	for _, s := range []string{"2025.06.02", "2025-06-02 07:15:09", "2025.06.02 07:15:09", "2025-06-02", "2025/06/02 07:15:09",
		"2025-06-01T23:15:09Z", "2025-06-01T23:15:09", "1748819709", "1748819709000", "99999999999999999", "9223372036854775807",
		"9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59", "9999.12.31 23:59:59", "0000.01.01", "yesterday", ""} {
		f.Add(s)
	}
	zone := time.FixedZone("UTC+8", 8*3600)
	f.Fuzz(func(t *testing.T, s string) {
		got, dateOnly := parseListTime(s, zone)
		checkStart(t, got, s)
		if dateOnly && (got.IsZero() || !got.Equal(time.Date(got.In(zone).Year(), got.In(zone).Month(), got.In(zone).Day(), 0, 0, 0, 0, zone))) {
			t.Fatalf("%q read as the day %v, which is not a midnight", s, got)
		}
		d, err := time.ParseInLocation("2006.01.02", strings.TrimSpace(s), zone)
		if y := d.UTC().Year(); err == nil && y >= 0 && y <= 9999 && (!got.Equal(d) || !dateOnly) {
			t.Fatalf("%q read as %v (date only %v), want the day %v", s, got, dateOnly, d)
		}
	})
}
