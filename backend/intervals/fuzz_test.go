package intervals

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fitbridge/backend/fakes/intervalsfake"
)

// scriptedAnswer is one canned HTTP answer.
type scriptedAnswer struct {
	status     int
	retryAfter string
	body       []byte
}

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

// fuzzBase is where fuzzed clients send requests; inProcess answers them.
const fuzzBase = "http://127.0.0.1:4567"

// scriptedServer answers the n-th request with answers[n] (the last one
// repeating), so a fuzz iteration decides exactly what the client reads.
type scriptedServer struct {
	h http.Handler

	mu      sync.Mutex
	answers []scriptedAnswer
	hits    int
}

func newScriptedServer() *scriptedServer {
	s := &scriptedServer{}
	s.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		a := s.answers[min(s.hits, len(s.answers)-1)]
		s.hits++
		s.mu.Unlock()
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	})
	return s
}

func (s *scriptedServer) script(answers ...scriptedAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers, s.hits = answers, 0
}

func (s *scriptedServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// client never waits: no limiter, and sl records the waits asked for.
func (s *scriptedServer) client(attempts int, sl *sleeps) *Client {
	return New(fuzzBase, "", testKey,
		WithHTTPClient(&http.Client{Transport: inProcess{s.h}}), WithLimiter(nil), WithSleep(sl.sleep),
		WithRetry(RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Minute}))
}

// fakeBodies are real answers of the Intervals.icu fake: the athlete, a
// listing with a stub and full rows, one activity, uploads and errors.
func fakeBodies(f *testing.F) [][]byte {
	f.Helper()
	s := intervalsfake.New(intervalsfake.Options{APIKey: testKey, RatePerSec: -1, AthleteName: "Ada Rider", Timezone: "Europe/Berlin"})
	h := s.Handler()
	t0 := time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC)
	full := s.AddActivity(intervalsfake.Activity{Source: "OAUTH_CLIENT", OAuthClientName: "Intervals Companion", ExternalID: "mywhoosh_66a1",
		StartDate: t0, ElapsedTime: 3700, MovingTime: 3550, Distance: 30100.5, Type: "VirtualRide", Name: "Tempo", DeviceName: "MyWhoosh"})
	s.AddActivity(intervalsfake.Activity{Source: "STRAVA", StartDateLocal: t0.Add(3 * time.Hour)})
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("API_KEY:"+testKey))
	call := func(method, target, key string, body []byte, ctype string) []byte {
		req := httptest.NewRequest(method, target, bytes.NewReader(body))
		req.Header.Set("Authorization", key)
		req.Header.Set("User-Agent", "FitBridge/fuzz")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Body.Bytes()
	}
	listing := "/api/v1/athlete/0/activities?oldest=2025-05-01T00:00:00&newest=2025-05-05T00:00:00&limit=10&fields=" + ListFields
	ride := fitRide(time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), 30, 10, 9)
	form, ctype, err := multipartFile("ride.fit", ride)
	if err != nil {
		f.Fatal(err)
	}
	junk, junkType, _ := multipartFile("ride.fit", []byte("<html>not a ride</html>"))
	return [][]byte{
		call("GET", "/api/v1/athlete/0", auth, nil, ""),
		call("GET", listing, auth, nil, ""),
		call("GET", "/api/v1/athlete/0/activities?oldest=2025-05-01T00:00:00&newest=2025-05-05T00:00:00", auth, nil, ""),
		call("GET", "/api/v1/activity/"+full, auth, nil, ""),
		call("POST", "/api/v1/athlete/0/activities", auth, form, ctype), // 201
		call("POST", "/api/v1/athlete/0/activities", auth, form, ctype), // 200, the same file again
		call("POST", "/api/v1/athlete/0/activities", auth, junk, junkType),
		call("GET", "/api/v1/athlete/0", "Basic d3Jvbmc=", nil, ""),
		call("GET", "/api/v1/activity/i404", auth, nil, ""),
	}
}

// hostileBodies are shapes no service should send, each aimed at a parser.
// They stay small: every input that reaches new code is minimized before
// fuzzing goes on, and minimizing a large one can use up a short run.
var hostileBodies = []string{
	"", " ", "null", "[]", "{}", "[null]", "[{}]", "[[]]", `"text"`, "0", "-1", "true",
	`[{"id":1e400}]`, `[{"id":123456789012345678901234567890}]`, `[{"id":-0.5e-3}]`, `[{"id":true}]`, `[{"id":{}}]`,
	`[{"id":"i1"},{"id":"i1"},{"id":"i2","start_date":"2025-13-40T99:99:99Z"}]`,
	`[{"id":"i1","start_date":"0000-01-01T00:00:00+14:00","start_date_local":"9999-12-31T23:59:59.999999999-14:00"}]`,
	`[{"id":"i1","elapsed_time":"3600","distance":null,"moving_time":1e308}]`,
	`[{"ID":"upper","Id":"mixed","id":"lower"}]`,
	`{"id":"i1","activities":[{"id":null},{"id":""},{"id":7}]}`,
	`{"id":"i1","activities":{"id":"i2"}}`,
	`[{"id":"i4"},"x"]`,
	`{"status":429,"error":"Too Many Requests"}`,
	`{"timestamp":"2025-05-03T08:00:00.000+00:00","status":500,"error":"Internal Server Error","message":"java.lang.NullPointerException","path":"/api/v1/athlete/0/activities"}`,
	`{"error":"bad key ` + testKey + `","message":"` + base64.StdEncoding.EncodeToString([]byte("API_KEY:"+testKey)) + `"}`,
	"<html><body>502 Bad Gateway</body></html>",
	"\xff\xfe\xfd not utf-8 \xc3",
	strings.Repeat("[", 300) + strings.Repeat("]", 300),
	strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200),
	"[" + strings.Repeat(`{"id":"i1"},`, 60) + `{"id":"i2"}]`,
	strings.Repeat("é", 400),
}

// short keeps failure messages readable when the input is large.
func short(b []byte) string {
	if len(b) > 120 {
		return strconv.Quote(string(b[:120])) + "..."
	}
	return strconv.Quote(string(b))
}

// expectedID is what a row's or record's id should read as: the string, or
// the number's own digits, "" when absent or null.
func expectedID(t *testing.T, raw []byte) string {
	t.Helper()
	var w struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatalf("a row the client accepted does not decode: %v", err)
	}
	id := bytes.TrimSpace(w.ID)
	if len(id) == 0 || string(id) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(id, &s) == nil {
		return s
	}
	return string(id)
}

func checkActivityValues(t *testing.T, a Activity) {
	t.Helper()
	for _, v := range []float64{a.ElapsedS, a.MovingS, a.DistanceM} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite number in %+v", a)
		}
	}
	if !a.StartUTC.IsZero() && a.StartUTC.Location() != time.UTC {
		t.Fatalf("StartUTC %v is not in UTC", a.StartUTC)
	}
	if !a.StartLocal.IsZero() && a.StartLocal.Location() != time.UTC {
		t.Fatalf("StartLocal %v does not carry its wall clock as UTC fields", a.StartLocal)
	}
	if a.IsStub() != a.StartUTC.IsZero() {
		t.Fatalf("IsStub disagrees with StartUTC: %+v", a)
	}
}

func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, testKey) || strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte("API_KEY:"+testKey))) {
		t.Fatalf("error text holds the key: %q", msg)
	}
}

// FuzzActivitiesAnswer feeds the listing parser whatever the service might
// answer. A success must mirror the rows (ids as sent, each once, in order);
// anything that is not JSON must be an error.
func FuzzActivitiesAnswer(f *testing.F) {
	for _, b := range fakeBodies(f) {
		f.Add(b)
	}
	for _, b := range hostileBodies {
		f.Add([]byte(b))
	}
	srv := newScriptedServer()
	day := time.Date(2025, 5, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.script(scriptedAnswer{status: http.StatusOK, body: body})
		// A one-second window is never split, so one request per iteration.
		acts, err := srv.client(1, &sleeps{}).Activities(context.Background(), day, day)
		checkNoSecret(t, err)
		if !json.Valid(body) && err == nil {
			t.Fatalf("invalid JSON %s listed as %d activities", short(body), len(acts))
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "list Intervals.icu activities ") {
				t.Fatalf("error without its operation: %v", err)
			}
			return
		}
		if n := srv.requests(); n != 1 {
			t.Fatalf("%d requests for a one-second window", n)
		}
		var raws []json.RawMessage
		if err := json.Unmarshal(body, &raws); err != nil {
			t.Fatalf("accepted an answer that is not a list: %v", err)
		}
		var want []string
		seen := map[string]bool{}
		for _, raw := range raws {
			id := expectedID(t, raw)
			if id != "" && seen[id] {
				continue
			}
			seen[id] = true
			want = append(want, id)
		}
		if len(acts) != len(want) {
			t.Fatalf("%d activities from %d distinct rows", len(acts), len(want))
		}
		for i, a := range acts {
			if a.ID != want[i] {
				t.Fatalf("row %d: id %q, want %q", i, a.ID, want[i])
			}
			checkActivityValues(t, a)
		}
	})
}

// FuzzRecordAnswers feeds the athlete record and single-activity readers.
// A success must carry the id the answer holds; a record without one is
// an error, never an empty athlete or activity.
func FuzzRecordAnswers(f *testing.F) {
	for _, b := range fakeBodies(f) {
		f.Add(b)
	}
	for _, b := range hostileBodies {
		f.Add([]byte(b))
	}
	f.Add([]byte(`{"id":"i1","firstname":" Ada ","lastname":"","timezone":"Europe/Berlin","strava_authorized":true}`))
	f.Add([]byte(`{"id":42,"name":"x","strava_sync_activities":false,"strava_authorized":true,"zwift_user_id":{}}`))
	srv := newScriptedServer()
	f.Fuzz(func(t *testing.T, body []byte) {
		srv.script(scriptedAnswer{status: http.StatusOK, body: body})
		c := srv.client(1, &sleeps{})
		ath, err := c.Athlete(context.Background())
		checkNoSecret(t, err)
		if err == nil {
			if !json.Valid(body) {
				t.Fatalf("invalid JSON %s read as athlete %+v", short(body), ath)
			}
			if ath.ID == "" || ath.ID != expectedID(t, body) {
				t.Fatalf("athlete id %q from %s", ath.ID, short(body))
			}
		}

		a, err := c.GetActivity(context.Background(), "i1")
		checkNoSecret(t, err)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "read Intervals.icu activity i1") {
				t.Fatalf("error without its operation: %v", err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("invalid JSON %s read as activity %+v", short(body), a)
		}
		if a.ID == "" || a.ID != expectedID(t, body) {
			t.Fatalf("activity id %q from %s", a.ID, short(body))
		}
		checkActivityValues(t, a)
	})
}

// FuzzUploadAnswer feeds the upload path an answer of any status, with any
// Retry-After, then a clean 201 for a retry. It checks the result against
// the status, the waits against the policy and error texts for the key.
func FuzzUploadAnswer(f *testing.F) {
	bodies := fakeBodies(f)
	for i, b := range bodies {
		for _, st := range []int{200, 201, 409, 422, 429, 503} {
			ra := ""
			if st == 429 && i == 0 {
				ra = "2"
			}
			f.Add(st, ra, b)
		}
	}
	for _, b := range hostileBodies {
		f.Add(201, "", []byte(b))
		f.Add(429, "1e300", []byte(b))
	}
	for _, ra := range []string{"", "0", "1", "0.25", "-5", "59", "61", "NaN", "+Inf", "-Inf", "9223372037", "1e19",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "soon", "0x10"} {
		f.Add(429, ra, []byte(`{"status":429,"error":"Too Many Requests"}`))
		f.Add(500, ra, []byte(`boom`))
	}
	data := fitRide(time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), 5, 1, 1)
	srv := newScriptedServer()
	retried := scriptedAnswer{status: http.StatusCreated, body: []byte(`{"id":"i9","activities":[{"id":"i9"}]}`)}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		// Statuses a handler can send with a body: 200..599.
		if status < 200 || status > 599 {
			status = 200 + int(uint(status)%400)
		}
		// Header values travel as printable ASCII; parseRetryAfter has its own target.
		retryAfter = strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, retryAfter)
		srv.script(scriptedAnswer{status: status, retryAfter: retryAfter, body: body}, retried)
		sl := &sleeps{}
		c := srv.client(2, sl)
		res, err := c.Upload(context.Background(), Upload{Filename: "ride.fit", Data: data, ExternalID: "fuzz_1"})
		checkNoSecret(t, err)
		for _, d := range sl.all() {
			if d < 0 || d > c.retry.MaxRetryAfter {
				t.Fatalf("waited %v (Retry-After %q); the policy allows 0..%v", d, retryAfter, c.retry.MaxRetryAfter)
			}
		}
		retryable := status == http.StatusTooManyRequests || status >= 500
		if retryable {
			if err == nil && (res.ID != "i9" || !res.Created || res.Status != http.StatusCreated) {
				t.Fatalf("the retry's answer was not used: %+v", res)
			}
			if err != nil && !strings.Contains(err.Error(), "asked to wait") {
				t.Fatalf("a retryable %d failed without waiting it out: %v", status, err)
			}
			return
		}
		ok := status == http.StatusOK || status == http.StatusCreated || status == http.StatusConflict
		if !ok {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != status {
				t.Fatalf("status %d gave %v", status, err)
			}
			if !utf8.ValidString(ae.Message) || utf8.RuneCountInString(ae.Message) > 301 {
				t.Fatalf("message %q is not a short readable text", ae.Message)
			}
			if ae.Permanent() == (ae.Auth() || status == 429 || status >= 500) {
				t.Fatalf("status %d: permanent=%v auth=%v", status, ae.Permanent(), ae.Auth())
			}
			return
		}
		if srv.requests() != 1 {
			t.Fatalf("%d requests for a final answer", srv.requests())
		}
		if err != nil {
			if status == http.StatusConflict {
				t.Fatalf("409 is a duplicate, not an error: %v", err)
			}
			return
		}
		if res.Status != status || res.Created != (status == http.StatusCreated) {
			t.Fatalf("status %d read as %+v", status, res)
		}
		if status != http.StatusConflict && res.ID == "" {
			t.Fatalf("status %d accepted without an id: %+v", status, res)
		}
		if len(res.IDs) > 0 && res.ID != res.IDs[0] || len(res.IDs) == 0 && res.ID != "" {
			t.Fatalf("ID %q disagrees with IDs %q", res.ID, res.IDs)
		}
		for _, id := range res.IDs {
			if id == "" {
				t.Fatalf("empty id in %q", res.IDs)
			}
		}
	})
}

// FuzzAPIErrorMessage: whatever an error body holds, the message is short,
// readable, and never shows the key or its Basic form.
func FuzzAPIErrorMessage(f *testing.F) {
	for _, b := range fakeBodies(f) {
		f.Add(422, b, testKey)
	}
	for _, b := range hostileBodies {
		f.Add(500, []byte(b), testKey)
	}
	f.Add(401, []byte(`{"error":"key AbCdEf123456 is wrong"}`), "AbCdEf123456")
	f.Add(403, []byte(`{"message":"QVBJX0tFWTpBYkNkRWYxMjM0NTY="}`), "AbCdEf123456")
	f.Add(400, []byte(strings.Repeat("x", 295)+"AbCdEf123456"), "AbCdEf123456")
	f.Fuzz(func(t *testing.T, status int, body []byte, key string) {
		// Real keys are long alphanumerics; shorter ones could be part of "[redacted]".
		if len(key) < 8 || strings.Contains("[redacted]", key) || strings.IndexFunc(key, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		}) >= 0 {
			return
		}
		e := newAPIError("op", status, body, key)
		if e.Status != status || !utf8.ValidString(e.Message) || utf8.RuneCountInString(e.Message) > 301 {
			t.Fatalf("message %q for status %d", e.Message, status)
		}
		basic := base64.StdEncoding.EncodeToString([]byte("API_KEY:" + key))
		if strings.Contains(e.Error(), key) || strings.Contains(e.Error(), basic) {
			t.Fatalf("error text holds the key: %q", e.Error())
		}
	})
}
