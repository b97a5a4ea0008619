package trainingpeaks

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

// fuzzCookie is the session every fuzzed client holds.
const fuzzCookie = "FuzzCookie0123456789abcdef"

// goodToken and goodUser are the answers a target does not fuzz.
var (
	goodToken = []byte(`{"success":true,"token":{"access_token":"tpb.fuzz-bearer","token_type":"bearer","expires_in":3600}}`)
	goodUser  = []byte(`{"user":{"userId":111,"fullName":"Riley Rider","timeZone":"Europe/Berlin","athletes":[]},"accountStatus":{"isAthlete":true}}`)
)

// tpAnswers is what the API answers in one iteration, per endpoint.
type tpAnswers struct {
	tokenStatus int
	tokenHeader http.Header
	token       []byte
	user        []byte
	list        []byte
	details     []byte
	fileStatus  int
	file        []byte
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

// fuzzBase stands for both TrainingPeaks hosts; inProcess answers it.
const fuzzBase = "http://127.0.0.1:4567"

// tpServer plays tpapi with the iteration's answers and records what it
// was asked.
type tpServer struct {
	h http.Handler

	mu   sync.Mutex
	a    tpAnswers
	uris []string
}

func newTPServer() *tpServer {
	s := &tpServer{}
	s.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		a := s.a
		s.uris = append(s.uris, r.URL.RequestURI())
		s.mu.Unlock()
		status, body := http.StatusOK, a.list
		switch p := r.URL.Path; {
		case p == "/users/v3/token":
			status, body = a.tokenStatus, a.token
			for k, vs := range a.tokenHeader {
				w.Header()[k] = vs
			}
		case p == "/users/v3/user":
			body = a.user
		case strings.HasSuffix(p, "/details"):
			body = a.details
		case strings.Contains(p, "/rawfiledata/") || strings.Contains(p, "/attachments/"):
			status, body = a.fileStatus, a.file
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
	return s
}

func (s *tpServer) answer(a tpAnswers) {
	if a.tokenStatus == 0 {
		a.tokenStatus = http.StatusOK
	}
	if a.token == nil {
		a.token = goodToken
	}
	if a.user == nil {
		a.user = goodUser
	}
	if a.fileStatus == 0 {
		a.fileStatus = http.StatusOK
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.a, s.uris = a, nil
}

func (s *tpServer) requested() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.uris...)
}

// client makes one attempt per call, never waits and logs nothing.
func (s *tpServer) client(t *testing.T, onToken func(string)) *Client {
	t.Helper()
	c, err := newClient(source.Config{BaseURL: fuzzBase, Token: fuzzCookie, OnToken: onToken, Settings: map[string]string{SettingMinInterval: "0s"}},
		options{sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, now: func() time.Time { return testNow }, attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.log = slog.New(slog.DiscardHandler)
	// Same redirect rules, no sockets and no timers.
	c.hc.Transport, c.hc.Timeout = inProcess{s.h}, 0
	c.hcExchange.Transport, c.hcExchange.Timeout = inProcess{s.h}, 0
	return c
}

// fakeAnswers are real answers of the TrainingPeaks fake: the exchange,
// athlete and coach accounts, list windows and every kind of details.
func fakeAnswers(f *testing.F) (token, user, list, details [][]byte) {
	f.Helper()
	for _, coach := range []bool{false, true} {
		fk := trainingpeaksfake.New(trainingpeaksfake.Options{CoachAccount: coach, Now: func() time.Time { return testNow }})
		ws := fk.Seed(30, day("2026-07-01"), day("2026-10-10"), rand.New(rand.NewSource(4)))
		h := fk.Handler()
		call := func(path, cookie, bearer string) []byte {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if cookie != "" {
				req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
			}
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Body.Bytes()
		}
		tok := call("/users/v3/token", fk.IssueCookie(), "")
		var ans tokenAnswer
		if err := json.Unmarshal(tok, &ans); err != nil || ans.Token == nil {
			f.Fatalf("fake exchange: %s", tok)
		}
		bearer := ans.Token.AccessToken
		token = append(token, bytes.ReplaceAll(tok, []byte(bearer), []byte("tpb.fuzz-bearer")), call("/users/v3/token", "revoked", ""))
		user = append(user, call("/users/v3/user", "", bearer))
		aid := strconv.FormatInt(fk.PrimaryAthlete(), 10)
		// Single days keep the seeds small: a list row is about 2 KB.
		for _, w := range ws[:3] {
			d := w.Day().Format(time.DateOnly)
			list = append(list, call("/fitness/v6/athletes/"+aid+"/workouts/"+d+"/"+d, "", bearer))
		}
		list = append(list, call("/fitness/v6/athletes/"+aid+"/workouts/2026-06-01/2026-12-31", "", bearer))
		if coach {
			continue
		}
		for _, w := range ws {
			details = append(details, call("/fitness/v6/athletes/"+aid+"/workouts/"+strconv.FormatInt(w.ID, 10)+"/details", "", bearer))
		}
	}
	return token, user, list, details
}

// hostile are answers no API should give, each aimed at a parser.
// They stay small: every input that reaches new code is minimized before
// fuzzing goes on, and minimizing a large one can use up a short run.
var hostile = []string{
	"", " ", "null", "{}", "[]", `"text"`, "0", "<html>502</html>", "\xff\xfe\xc3 not utf-8",
	`{"success":true,"token":{"access_token":"tpb.x","expires_in":1e300}}`,
	`{"success":true,"token":{"access_token":"tpb.x","expires_in":"9223372037"}}`,
	`{"success":true,"token":{"access_token":"tpb.x","expires_in":18446744074}}`,
	`{"success":true,"token":{"access_token":"tpb.x","expires_in":-5,"expires":"9999-12-31T23:59:59Z"}}`,
	`{"success":false,"token":{"access_token":"tpb.x"}}`, `{"token":{"access_token":""}}`, `{"token":null}`,
	`{"user":{"userId":"  ","athletes":null}}`, `{"user":{"userId":1e400}}`, `{"user":{"userId":{}}}`,
	`{"user":{"userId":-42,"timeZone":"Mars/Olympus","athletes":[{"athleteId":-42},{"athleteId":7},{"athleteId":7},{"athleteId":null}]},"accountStatus":{"isAthlete":false}}`,
	`[null,1,"x",[],{}]`, `[{"workoutId":null}]`,
	`[{"workoutId":5,"workoutDay":"2026-10-14T00:00:00","totalTime":"1.5"},{"workoutId":5,"workoutDay":"2026-10-14","distance":3}]`,
	`[{"workoutId":"9223372036854775808","workoutDay":"2026-10-13","startTime":"9999-12-31T23:59:59","tssActual":1,"workoutTypeValueId":1e300}]`,
	`[{"workoutId":1,"workoutDay":"0000-01-01","calories":1},{"workoutId":2,"workoutDay":"2026-13-45","calories":1},{"workoutId":3,"workoutDay":"2026-10-14","startTime":"2026-10-14T25:00:00","energy":1}]`,
	`[{"workoutId":4,"workoutDay":"2026-10-14","isDeleted":true,"calories":1},{"workoutId":6,"workoutDay":"2026-10-14","workoutTypeValueId":7,"calories":1}]`,
	`{"workoutDeviceFileInfos":[{"fileId":"../../../../users/v3/user","fileName":"a.fit"}]}`,
	`{"workoutDeviceFileInfos":[{"fileId":"1?x=y#z","fileName":"a.fit"}]}`,
	`{"workoutDeviceFileInfos":[{"fileId":"..","fileName":"a.fit"}]}`,
	`{"workoutDeviceFileInfos":[{"fileId":"","fileName":"a.fit"},{"fileId":3,"fileName":"auto_merged.fit"},{"fileId":4,"fileName":"A.PWX"}]}`,
	`{"attachmentFileInfos":[{"attachmentId":null,"fileId":"9","fileName":" R.FIT.GZ "}],"workoutDeviceFileInfos":[{"fileId":2,"fileName":"x.gpx"}]}`,
	`{"workoutDeviceFileInfos":{"fileId":1}}`,
	strings.Repeat("[", 300),
	strings.Repeat(`{"user":`, 200) + "1" + strings.Repeat("}", 200),
}

// shortQ keeps failure messages readable when the input is large.
func shortQ(b []byte) string {
	if len(b) > 160 {
		return strconv.Quote(string(b[:160])) + "..."
	}
	return strconv.Quote(string(b))
}

// checkErrText: an error never shows the cookie, nor a bearer the answers
// did not hold themselves, and reads as text when the answers did.
func checkErrText(t *testing.T, err error, bodies ...[]byte) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	echoed := false
	for _, b := range bodies {
		echoed = echoed || bytes.Contains(b, []byte("tpb."))
	}
	if strings.Contains(msg, fuzzCookie) || strings.Contains(msg, "tpb.") && !echoed {
		t.Fatalf("error shows a secret: %q", msg)
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

// FuzzCleanToken: the cookie value has no blanks or separators and no
// surrounding quotes, cleaning it again changes nothing (the stored value
// is cleaned again by New), and it comes back out of a cookie line.
func FuzzCleanToken(f *testing.F) {
	const v = "AbC-123_xyz"
	for _, s := range []string{
		v, "  " + v + " \r\n", `"` + v + `"`, "Production_tpAuth=" + v, "Cookie: ajs=%22abc%22; Production_tpAuth=" + v + "; _ga=GA1.2.3.4",
		"Production_tpAuth\t" + v + "\t.trainingpeaks.com\t/", "Set-Cookie: Production_tpAuth=" + v + "; Domain=.trainingpeaks.com; HttpOnly",
		`curl 'https://tpapi.trainingpeaks.com/users/v3/token' -H 'cookie: a=b; Production_tpAuth=` + v + `'`, `"Production_tpAuth": "` + v + `"`,
		"Production_tpAuth_Old=zzz; Production_tpAuth=" + v, "\ufeff" + v, "QUJDRA==", "_ga=GA1.2.3; ajs=1", "Production_tpAuth=", "hello world", "",
		"Production_tpAuth=a=b", "Production_tpAuth=production_tpauth", "Production_tpAuth=x:Production_tpAuth", "Production_tpAuth='\"x\"'", "a\u00a0b",
	} {
		f.Add(s)
	}
	cookieChars := regexp.MustCompile(`^[A-Za-z0-9._~+/=-]+$`)
	f.Fuzz(func(t *testing.T, pasted string) {
		tok := CleanToken(pasted)
		if strings.ContainsAny(tok, " \t\r\n;,") || tok != strings.Trim(tok, "\"'`") {
			t.Fatalf("CleanToken(%q) = %q keeps a blank, a separator or quotes", pasted, tok)
		}
		if again := CleanToken(tok); again != tok {
			t.Fatalf("CleanToken is not idempotent: %q -> %q -> %q", pasted, tok, again)
		}
		if !cookieChars.MatchString(tok) {
			return
		}
		for _, wrapped := range []string{CookieName + "=" + tok, "Cookie: _ga=1; " + CookieName + "=" + tok + "; x=1", `"` + tok + `"`} {
			if got := CleanToken(wrapped); got != tok {
				t.Fatalf("CleanToken(%q) = %q, want %q", wrapped, got, tok)
			}
		}
	})
}

// FuzzTokenAnswer feeds the cookie exchange any status, Location,
// Set-Cookie and body. A bearer is only taken from a 200 that holds one and
// kept as long as the answer says; a refusal asks to sign in again; no
// error quotes the cookie or a bearer; a renewed cookie survives cleaning.
func FuzzTokenAnswer(f *testing.F) {
	token, _, _, _ := fakeAnswers(f)
	for _, b := range token {
		f.Add(200, "", "", b)
		f.Add(401, "", "", b)
	}
	for _, s := range hostile {
		f.Add(200, "", "", []byte(s))
	}
	f.Add(302, "https://home.trainingpeaks.com/login?ReturnUrl=%2Fusers%2Fv3%2Ftoken#x", "", goodToken)
	f.Add(200, "", "Production_tpAuth=NewCookie123; Path=/; Max-Age=3600", goodToken)
	f.Add(200, "", "Production_tpAuth=a=b; Path=/", goodToken)
	f.Add(200, "", "Production_tpAuth=a,b", goodToken)
	f.Add(200, "", "Production_tpAuth=; Max-Age=0", goodToken)
	f.Add(503, "", "", goodToken)
	srv := newTPServer()
	printable := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r > 0x7e {
				return -1
			}
			return r
		}, s)
	}
	f.Fuzz(func(t *testing.T, status int, location, setCookie string, body []byte) {
		if status < 200 || status > 599 {
			status = 200 + int(uint(status)%400)
		}
		hdr := http.Header{}
		if location = printable(location); location != "" {
			hdr.Set("Location", location)
		}
		if setCookie = printable(setCookie); setCookie != "" {
			hdr.Set("Set-Cookie", setCookie)
		}
		srv.answer(tpAnswers{tokenStatus: status, tokenHeader: hdr, token: body})
		var renewed []string
		c := srv.client(t, func(v string) { renewed = append(renewed, v) })
		bearer, err := c.bearer(context.Background())
		checkErrText(t, err, body)
		var sent tokenAnswer
		if err != nil && !httpcall.Retryable(status) && json.Unmarshal(body, &sent) == nil && sent.Token != nil &&
			len(sent.Token.AccessToken) >= 8 && strings.Contains(err.Error(), sent.Token.AccessToken) {
			t.Fatalf("status %d: the error quotes the bearer: %v", status, err)
		}
		for _, v := range renewed {
			if v == "" || CleanToken(v) != v || c.cookie != v {
				t.Fatalf("renewed cookie %q (kept %q) does not survive cleaning as %q", v, c.cookie, CleanToken(v))
			}
		}
		if err != nil {
			if (status == 401 || status == 403 || status >= 300 && status < 400 && status != 304) && !errors.Is(err, source.ErrNeedsSignIn) {
				t.Fatalf("status %d does not ask to sign in again: %v", status, err)
			}
			return
		}
		var want struct {
			Token *struct {
				AccessToken string  `json:"access_token"`
				ExpiresIn   float64 `json:"expires_in"`
			} `json:"token"`
		}
		_ = json.Unmarshal(body, &want)
		if status != http.StatusOK || want.Token == nil || bearer == "" || bearer != want.Token.AccessToken {
			t.Fatalf("status %d %s gave bearer %q", status, shortQ(body), bearer)
		}
		if !c.refreshAt.After(testNow) {
			t.Fatalf("bearer from %s is stale at once (refresh at %v)", shortQ(body), c.refreshAt)
		}
		// A stated lifetime is honoured, minus at most a minute or a fifth.
		if secs := want.Token.ExpiresIn; secs >= 1 && secs < 1e9 {
			life := c.refreshAt.Sub(testNow)
			stated := time.Duration(secs) * time.Second
			if life > stated || life < stated*4/5 && life < stated-time.Minute {
				t.Fatalf("expires_in %v kept for %v", secs, life)
			}
		}
	})
}

// FuzzUserAnswer feeds the account read. An account always has its own id
// as sent and at least one athlete to read; an athlete setting the account
// cannot read is refused.
func FuzzUserAnswer(f *testing.F) {
	_, user, _, _ := fakeAnswers(f)
	for _, b := range user {
		f.Add(b, "")
		f.Add(b, "222")
	}
	for _, s := range hostile {
		f.Add([]byte(s), "")
	}
	srv := newTPServer()
	f.Fuzz(func(t *testing.T, body []byte, want string) {
		srv.answer(tpAnswers{user: body})
		c := srv.client(t, nil)
		c.athleteWant = strings.TrimSpace(want)
		athletes, err := c.Athletes(context.Background())
		checkErrText(t, err, body)
		if err != nil {
			return
		}
		var u struct {
			User struct {
				UserID json.RawMessage `json:"userId"`
			} `json:"user"`
		}
		if json.Unmarshal(body, &u) != nil {
			t.Fatalf("%s read as an account", shortQ(body))
		}
		self := string(bytes.TrimSpace(u.User.UserID))
		var str string
		if json.Unmarshal(u.User.UserID, &str) == nil {
			self = strings.TrimSpace(str)
		}
		if c.acct.self.ID == "" || c.acct.self.ID != self || len(athletes) == 0 {
			t.Fatalf("account %+v from %s", c.acct, shortQ(body))
		}
		for _, a := range athletes {
			if a.ID == "" || strings.TrimSpace(a.Name) == "" {
				t.Fatalf("athlete %+v", a)
			}
		}
		r, err := c.resolveAthlete(context.Background())
		var choose *ChooseAthleteError
		switch {
		case err == nil:
			found := false
			for _, a := range athletes {
				found = found || a.ID == r.id
			}
			if !found || c.athleteWant != "" && r.id != c.athleteWant {
				t.Fatalf("resolved %q, wanted %q among %+v", r.id, c.athleteWant, athletes)
			}
		case !errors.As(err, &choose) || len(choose.Athletes) == 0:
			t.Fatalf("resolve: %v", err)
		}
	})
}

// FuzzListAnswer feeds one list window. Workouts come once each with an
// id, a name, the athlete, a start the store can keep inside the query,
// and never a deleted or day-off row; an answer that is not JSON is an error.
func FuzzListAnswer(f *testing.F) {
	_, _, list, _ := fakeAnswers(f)
	for _, b := range list {
		f.Add(b, false)
	}
	for _, s := range hostile {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	srv := newTPServer()
	sports := map[string]bool{}
	for _, w := range workoutTypes {
		sports[w.sport] = true
	}
	// East of UTC a year-0 date leaves year 0 in UTC, west of it 9999 passes 10000.
	users := map[bool][]byte{
		false: bytes.Replace(goodUser, []byte("Europe/Berlin"), []byte("Pacific/Kiritimati"), 1),
		true:  bytes.Replace(goodUser, []byte("Europe/Berlin"), []byte("Pacific/Pago_Pago"), 1),
	}
	f.Fuzz(func(t *testing.T, body []byte, west bool) {
		srv.answer(tpAnswers{list: body, user: users[west]})
		var got []source.Activity
		c := srv.client(t, nil)
		// The whole history, made one window long so one request reads it.
		c.floor = day("2026-10-12")
		q := source.Query{}
		err := c.List(context.Background(), q, func(a source.Activity) error {
			got = append(got, a)
			return nil
		})
		checkErrText(t, err, body)
		if n := len(srv.requested()); n != 3 {
			t.Fatalf("%d requests for one window: %q", n, srv.requested())
		}
		if err == nil && !json.Valid(body) {
			t.Fatalf("%s is not JSON but listed %d workouts", shortQ(body), len(got))
		}
		seen := map[string]bool{}
		for _, a := range got {
			if a.RemoteID == "" || seen[a.RemoteID] || a.Name == "" || a.Extra["athlete"] != "111" || !sports[a.Sport] {
				t.Fatalf("workout %+v from %s", a, shortQ(body))
			}
			seen[a.RemoteID] = true
			if y := a.StartHint.UTC().Year(); y < 0 || y > 9999 || !q.Contains(a.StartHint) {
				t.Fatalf("start %v listed from %s", a.StartHint, shortQ(body))
			}
			if typ, _ := strconv.ParseInt(a.Extra["type"], 10, 64); typ == typeDayOff {
				t.Fatalf("a day off was listed: %+v", a)
			}
		}
	})
}

// filePath is every API path a download may ask for: the details, then one
// device file or attachment, each id a single path segment.
var filePath = regexp.MustCompile(`^/fitness/v6/athletes/111/workouts/42/(details|rawfiledata/[^/?#]+|attachments/[^/?#]+/raw)$`)

// FuzzDetailsAnswer feeds the details (file lists) and the file answer of a
// download. Requests stay on the workout's own paths; a file comes back
// as sent, unpacked when gzipped, and only when it is FIT, TCX or GPX; a
// workout without a usable file is a skip with a reason.
func FuzzDetailsAnswer(f *testing.F) {
	_, _, _, details := fakeAnswers(f)
	fitHead := []byte{14, 0x10, 0x2b, 0x08, 0, 0, 0, 0, '.', 'F', 'I', 'T', 0, 0}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(fitHead)
	_ = zw.Close()
	files := [][]byte{fitHead, gz.Bytes(), []byte("\xef\xbb\xbf <?xml version=\"1.0\"?><TrainingCenterDatabase/>"), []byte("Invalid workoutId (42)"), gz.Bytes()[:10]}
	for i, d := range details {
		f.Add(d, 200, files[i%len(files)])
	}
	for _, s := range hostile {
		f.Add([]byte(s), 200, fitHead)
	}
	f.Add(details[0], 403, []byte(`{"message":"Access denied"}`))
	f.Add(details[0], 404, []byte(""))
	f.Add(details[0], 400, []byte(`"Invalid workoutId (42)"`))
	f.Add(details[0], 502, []byte(strings.Repeat("网关错误", 20)))
	srv := newTPServer()
	f.Fuzz(func(t *testing.T, detailsBody []byte, fileStatus int, file []byte) {
		if fileStatus < 200 || fileStatus > 599 {
			fileStatus = 200 + int(uint(fileStatus)%400)
		}
		srv.answer(tpAnswers{details: detailsBody, fileStatus: fileStatus, file: file})
		c := srv.client(t, nil)
		data, err := c.Download(context.Background(), source.Activity{RemoteID: "42", Extra: map[string]string{"athlete": "111"}})
		checkErrText(t, err, detailsBody, file)
		for _, u := range srv.requested() {
			if u == "/users/v3/token" {
				continue
			}
			if !filePath.MatchString(u) || strings.Contains(u, "/./") || strings.Contains(u, "/../") || strings.HasSuffix(u, "/..") {
				t.Fatalf("download asked for %q (details %s)", u, shortQ(detailsBody))
			}
		}
		var skip *source.SkipError
		if errors.As(err, &skip) && strings.TrimSpace(skip.Reason) == "" {
			t.Fatalf("skip without a reason: %v", err)
		}
		if err != nil {
			return
		}
		want := file
		if unpacked, gzErr := gunzipIfNeeded(file); gzErr == nil {
			want = unpacked
		}
		if fileStatus != http.StatusOK || !bytes.Equal(data, want) || sniff(data) == "" {
			t.Fatalf("status %d: got %q from %q", fileStatus, data, file)
		}
	})
}
