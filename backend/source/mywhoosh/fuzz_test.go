package mywhoosh

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/source"
)

// fuzzToken is the session every fuzzed client holds; no error may show it.
const fuzzToken = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2VjcmV0LXNpZ25hdHVyZQ"

// fuzzPassword is the password fuzzed logins send; no error may show it.
const fuzzPassword = "hunter2-Secret-pw"

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

// fuzzBase stands for every MyWhoosh host; inProcess answers it.
const fuzzBase = "http://127.0.0.1:4567"

// answerServer answers every request with the iteration's status and body,
// so the client parses exactly what the fuzzer chose.
type answerServer struct {
	h http.Handler

	mu     sync.Mutex
	status int
	body   []byte
	hits   int
}

func newAnswerServer() *answerServer {
	s := &answerServer{}
	s.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		status, body := s.status, s.body
		s.hits++
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
	return s
}

func (s *answerServer) answer(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body, s.hits = status, body, 0
}

func (s *answerServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// fuzzOptions never waits and logs nothing.
func fuzzOptions() Options {
	return Options{
		Logger:     slog.New(slog.DiscardHandler),
		MaxRetries: 1,
		PerSecond:  1e9,
		Burst:      1000,
		sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}

// client holds fuzzToken and talks to the answer server only.
func (s *answerServer) client(t *testing.T) *Client {
	t.Helper()
	o := fuzzOptions()
	o.HTTPClient = &http.Client{Transport: inProcess{s.h}}
	c, err := New(source.Config{BaseURL: fuzzBase, Token: fuzzToken}, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fakeAnswers are real answers of the MyWhoosh fake: list pages (seconds
// and millisecond dates, rides without files), a signed link, logins and
// business errors.
func fakeAnswers(f *testing.F) (list, link, login [][]byte) {
	f.Helper()
	fk := mywhooshfake.New(mywhooshfake.Options{PageSize: 3})
	fk.Seed(5, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), rand.New(rand.NewSource(3)))
	fk.AddRide(mywhooshfake.Ride{Title: "Run Club", SportType: "Running", DateMillis: true, Start: time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC), Duration: time.Hour})
	fk.AddRide(mywhooshfake.Ride{Title: "No file", NoFile: true, Start: time.Date(2025, 6, 3, 6, 0, 0, 0, time.UTC), Duration: time.Hour})
	h := fk.Handler()
	post := func(path, bearer string, body any) []byte {
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.Bytes()
	}
	tok := fk.IssueToken()
	for page := 1; page <= 3; page++ {
		list = append(list, post("/v2/rider/profile/activities", tok, listRequest{Page: page, SortDate: "DESC", Limit: 50}))
	}
	list = append(list,
		post("/v2/rider/profile/activities", "", listRequest{Page: 1, SortDate: "DESC"}),
		post("/v2/rider/profile/activities", tok, map[string]any{"sortDate": "DESC"}),
	)
	for _, r := range fk.Rides() {
		if r.HasFile() {
			link = append(link, post("/v2/rider/profile/download-activity-file", tok, linkRequest{FileID: r.FileID}))
			break
		}
	}
	link = append(link, post("/v2/rider/profile/download-activity-file", tok, linkRequest{FileID: "nope"}))
	login = append(login,
		post("/http-service/api/login", "", loginRequest{Username: mywhooshfake.DefaultEmail, Password: mywhooshfake.DefaultPassword, Platform: "Android", Action: 1001}),
		post("/http-service/api/login", "", loginRequest{Username: mywhooshfake.DefaultEmail, Password: "wrong", Platform: "Android", Action: 1001}),
		post("/http-service/api/login", "", map[string]any{}),
	)
	return list, link, login
}

// hostile are answers no service should give, each aimed at a parser.
// They stay small: every input that reaches new code is minimized before
// fuzzing goes on, and minimizing a large one can use up a short run.
var hostile = []string{
	"", " ", "null", "{}", "[]", `"text"`, "0", "true", "<html>502 Bad Gateway</html>", "\xff\xfe\xc3 not utf-8",
	`{"error":false,"data":null}`, `{"error":false,"data":[]}`, `{"error":false,"data":{}}`, `{"error":false,"data":"x"}`,
	`{"error":false,"data":{"results":null,"totalPages":0}}`, `{"error":false,"data":{"totalPages":"3"}}`,
	`{"error":false,"data":{"results":[null,1,"x",[],{}],"totalPages":1}}`,
	`{"error":false,"data":{"results":[{"id":"a"},{"id":"a"},{"_id":7},{"activityFileId":"f9"}],"totalPages":1e300}}`,
	`{"error":false,"data":{"results":[{"id":"a","date":1e300},{"id":"b","date":-1},{"id":"c","date":"1.7e12"},{"id":"d","date":9.3e18}],"totalPages":-5}}`,
	`{"error":false,"data":{"results":[{"id":"a","startDatetime":"0000-01-01T00:00:00Z"},{"id":"b","startDatetime":"9999-12-31T23:59:59-23:59"}]}}`,
	`{"error":false,"data":{"results":[{"id":{"x":1},"_id":[1],"activityFileId":true,"sportType":5}]}}`,
	`{"error":false,"rides":[{"id":" spaced ","activityFileId":"  ","title":"  "}],"lastPage":"2"}`,
	`{"error":true,"message":"Unauthorized: token expired","code":401}`,
	`{"error":true,"message":"","code":{"x":1}}`,
	`{"error":"yes","message":5}`,
	`{"error":false,"data":"https://bucket.s3.eu-west-1.amazonaws.com/ride.fit?X-Amz-Expires=600"}`,
	`{"error":false,"data":{"url":"https://evil.example.com/x.fit"}}`,
	`{"error":false,"data":{"downloadUrl":"http://bucket.s3.amazonaws.com/x.fit"}}`,
	`{"error":false,"fileUrl":"https://x.amazonaws.com.evil.example/x"}`,
	`{"error":false,"url":"https://x.amazonaws.com:443@evil.example/x"}`,
	`{"error":false,"data":"//d1.cloudfront.net/x"}`,
	`{"Success":true,"AccessToken":"","WhooshId":1}`,
	`{"Success":true,"AccessToken":"a.b.c","WhooshId":12345678901234567890}`,
	`{"Success":true,"AccessToken":"x","WhooshId":{"a":1}}`,
	`{"Success":false,"Message":"Email address or password is incorrect"}`,
	`{"Success":false,"Message":"password hunter2-Secret-pw is wrong"}`,
	strings.Repeat("[", 300),
	strings.Repeat(`{"data":`, 200) + "1" + strings.Repeat("}", 200),
	`{"error":false,"data":{"results":[` + strings.Repeat(`{"id":"r","title":"`+strings.Repeat("長", 80)+`"},`, 2) + `{"id":"s"}]}}`,
}

// shortQ keeps failure messages readable when the input is large.
func shortQ(b []byte) string {
	if len(b) > 160 {
		return strconv.Quote(string(b[:160])) + "..."
	}
	return strconv.Quote(string(b))
}

// checkErrText: an error never shows a secret the answer did not hold
// itself, and reads as text when the answer did.
func checkErrText(t *testing.T, err error, body []byte) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, secret := range []string{fuzzToken, fuzzPassword} {
		if strings.Contains(msg, secret) && !bytes.Contains(body, []byte(secret)) {
			t.Fatalf("error shows a secret: %q", msg)
		}
	}
	if utf8.Valid(body) && !utf8.ValidString(msg) {
		t.Fatalf("error text is not UTF-8 although the answer was: %q", msg)
	}
}

// FuzzCleanToken: whatever is pasted, the token has no blanks and no
// surrounding quotes, cleaning it again changes nothing, and the usual
// wrappers around it come off again.
func FuzzCleanToken(f *testing.F) {
	for _, s := range []string{
		"eyJa.b.c", "  Bearer eyJa.b.c \n", `"eyJa.b.c"`, "Authorization: Bearer eyJa.b.c", "authorization: bearer 'eyJa.b.c'",
		"eyJa.\nb.c", "   ", "", "Bearer", "bearer ", "Bearer Bearer x", `"Bearer "x""`, "'`\"x\"`'", "authorization:authorization:x",
		"bearer authorization: x", `x "y`, `"a" "`, "\u00a0eyJ\u2028a.b\u3000.c\u0085", "Authorization:\tBearer\teyJ", fuzzToken,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pasted string) {
		tok := CleanToken(pasted)
		if strings.IndexFunc(tok, unicode.IsSpace) >= 0 {
			t.Fatalf("CleanToken(%q) = %q holds a blank", pasted, tok)
		}
		if tok != "" && (strings.ContainsAny(tok[:1], "\"'`") || strings.ContainsAny(tok[len(tok)-1:], "\"'`")) {
			t.Fatalf("CleanToken(%q) = %q keeps a quote", pasted, tok)
		}
		if again := CleanToken(tok); again != tok {
			t.Fatalf("CleanToken is not idempotent: %q -> %q -> %q", pasted, tok, again)
		}
		if tok == "" {
			return
		}
		for _, wrapped := range []string{"Bearer " + tok, `"` + tok + `"`, "Authorization: Bearer " + tok + "\r\n"} {
			if got := CleanToken(wrapped); got != tok {
				t.Fatalf("CleanToken(%q) = %q, want %q", wrapped, got, tok)
			}
		}
	})
}

// FuzzListAnswer feeds List whatever service14 might answer, on every page.
// Each ride comes once, with an id, a known sport and a sane start; a file
// id or a skip reason, never both; and an answer that is not JSON is an error.
func FuzzListAnswer(f *testing.F) {
	list, link, login := fakeAnswers(f)
	for _, b := range list {
		f.Add(b)
	}
	for _, b := range append(link, login...) {
		f.Add(b)
	}
	for _, s := range hostile {
		f.Add([]byte(s))
	}
	srv := newAnswerServer()
	q := source.Query{Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.answer(http.StatusOK, body)
		var got []source.Activity
		err := srv.client(t).List(context.Background(), q, func(a source.Activity) error {
			got = append(got, a)
			return nil
		})
		checkErrText(t, err, body)
		if n := srv.requests(); n > 4 {
			t.Fatalf("%d requests for one repeated page", n)
		}
		if err == nil && !json.Valid(body) {
			t.Fatalf("%s is not JSON but listed %d rides", shortQ(body), len(got))
		}
		seen := map[string]bool{}
		for _, a := range got {
			if a.RemoteID == "" || seen[a.RemoteID] {
				t.Fatalf("ride id %q empty or repeated in %s", a.RemoteID, shortQ(body))
			}
			seen[a.RemoteID] = true
			if a.Sport != "VirtualRide" && a.Sport != "VirtualRun" || a.Device != Device {
				t.Fatalf("sport %q device %q", a.Sport, a.Device)
			}
			fid := a.Extra["fileId"]
			if (fid == "") != (a.SkipReason == NoFileReason) || a.SkipReason != "" && a.SkipReason != NoFileReason {
				t.Fatalf("file id %q with skip reason %q", fid, a.SkipReason)
			}
			if fid != strings.TrimSpace(fid) || a.Name != strings.TrimSpace(a.Name) {
				t.Fatalf("untrimmed file id %q or name %q", fid, a.Name)
			}
			if !a.StartHint.IsZero() {
				if y := a.StartHint.Year(); y < 1 || y > 9999 || a.StartHint.Location() != time.UTC {
					t.Fatalf("start %v from %s", a.StartHint, shortQ(body))
				}
				if !q.Contains(a.StartHint) {
					t.Fatalf("ride of %v listed outside %v", a.StartHint, q)
				}
			}
		}
	})
}

// FuzzSignedURLAnswer feeds the download-link call. A link is only ever
// accepted on S3, CloudFront, MyWhoosh or the configured base host, so a
// bad answer cannot send the app anywhere else.
func FuzzSignedURLAnswer(f *testing.F) {
	list, link, _ := fakeAnswers(f)
	for _, b := range append(link, list[0]) {
		f.Add(b)
	}
	for _, s := range hostile {
		f.Add([]byte(s))
	}
	srv := newAnswerServer()
	base, _ := url.Parse(fuzzBase)
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.answer(http.StatusOK, body)
		u, err := srv.client(t).signedURL(context.Background(), "file-1")
		checkErrText(t, err, body)
		if err != nil {
			return
		}
		// The fetch parses the link's text again: judge what it will dial.
		again, err := url.Parse(u.String())
		if err != nil || again.Host != u.Host || again.Scheme != u.Scheme {
			t.Fatalf("link %q reads back as %v (%v)", u, again, err)
		}
		host := strings.ToLower(again.Hostname())
		trusted := host == "mywhoosh.com"
		for _, suffix := range []string{".amazonaws.com", ".cloudfront.net", ".mywhoosh.com"} {
			trusted = trusted || strings.HasSuffix(host, suffix)
		}
		switch {
		case again.Host == base.Host && (again.Scheme == "http" || again.Scheme == "https"):
		case again.Scheme == "https" && trusted:
		default:
			t.Fatalf("link %q accepted from %s", u, shortQ(body))
		}
	})
}

// FuzzLoginAnswer feeds the API login. A session always has its token; a
// refusal is ErrLoginRefused; the password never shows in an error.
func FuzzLoginAnswer(f *testing.F) {
	_, _, login := fakeAnswers(f)
	for _, b := range login {
		f.Add(200, b)
	}
	for _, s := range hostile {
		f.Add(200, []byte(s))
	}
	f.Add(500, []byte(`{"Success":false,"Message":"hunter2-Secret-pw"}`))
	f.Add(403, []byte(fuzzPassword))
	srv := newAnswerServer()
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200 + int(uint(status)%400)
		}
		srv.answer(status, body)
		o := fuzzOptions()
		o.HTTPClient = &http.Client{Transport: inProcess{srv.h}}
		s, err := Login(context.Background(), source.Config{BaseURL: fuzzBase}, "rider@example.com", fuzzPassword, o)
		checkErrText(t, err, body)
		if err != nil {
			if s != (Session{}) {
				t.Fatalf("a failed login returned %+v", s)
			}
			return
		}
		var want loginResponse
		if status/100 != 2 || json.Unmarshal(body, &want) != nil || !want.ok() {
			t.Fatalf("status %d %s accepted as a login", status, shortQ(body))
		}
		if s.Token == "" || s.Token != want.AccessToken || s.WhooshID != strings.TrimSpace(s.WhooshID) {
			t.Fatalf("session %+v from %s", s, shortQ(body))
		}
	})
}
