package trainingpeaksfake

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 10, 14, 13, 0, 0, 0, time.UTC)

func start(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	s := New(opts)
	u := s.Start()
	t.Cleanup(s.Close)
	return s, u
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, rawURL string, hdr map[string]string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

// bearer exchanges a fresh cookie.
func bearer(t *testing.T, s *Server, u string) string {
	t.Helper()
	r := get(t, u+"/users/v3/token", map[string]string{"Cookie": CookieName + "=" + s.IssueCookie()})
	var ans struct {
		Success bool
		Token   struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int    `json:"expires_in"`
			Expires     string `json:"expires"`
		}
	}
	if r.status != 200 || json.Unmarshal(r.body, &ans) != nil || !ans.Success || ans.Token.AccessToken == "" {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	return ans.Token.AccessToken
}

func TestTokenExchange(t *testing.T) {
	s, u := start(t, Options{BearerLifetime: 5 * time.Second})
	live := s.IssueCookie()
	revoked := s.IssueCookie()
	tests := []struct {
		name   string
		cookie string
		revoke bool
		want   int
	}{
		{"live cookie", live, false, 200},
		{"no cookie", "", false, 401},
		{"unknown cookie", "forged", false, 401},
		{"revoked cookie", revoked, true, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.revoke {
				s.RevokeCookie()
			}
			hdr := map[string]string{}
			if tt.cookie != "" {
				hdr["Cookie"] = CookieName + "=" + tt.cookie
			}
			r := get(t, u+"/users/v3/token", hdr)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if tt.want == 401 && !bytes.Contains(r.body, []byte(`"success":false`)) {
				t.Fatalf("refusal body %s", r.body)
			}
			if tt.want == 200 && !bytes.Contains(r.body, []byte(`"expires_in":5`)) {
				t.Fatalf("body %s lacks the configured lifetime", r.body)
			}
		})
	}
}

func TestAPIStrictness(t *testing.T) {
	clock := now
	s, u := start(t, Options{BearerLifetime: time.Minute, Now: func() time.Time { return clock }})
	rng := rand.New(rand.NewSource(1))
	w := s.Add(s.NewWorkout(rng, AthleteID, KindFIT, time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC)))
	gone := s.Add(s.NewWorkout(rng, AthleteID, KindFIT, time.Date(2026, 3, 11, 7, 0, 0, 0, time.UTC)))
	s.Delete(gone.ID)
	tok := bearer(t, s, u)
	auth := map[string]string{"Authorization": "Bearer " + tok}
	wid := strconv.FormatInt(w.ID, 10)
	gid := strconv.FormatInt(gone.ID, 10)
	fid := strconv.FormatInt(w.Files[0].ID, 10)
	base := u + "/fitness/v6/athletes/111/workouts/"

	tests := []struct {
		name string
		path string
		hdr  map[string]string
		want int
		body string
	}{
		{"list 90 days inclusive", "2026-01-01/2026-03-31", auth, 200, ""},
		{"list 91 days inclusive", "2026-01-01/2026-04-01", auth, 400, "at most 90 days"},
		{"list one day", "2026-03-10/2026-03-10", auth, 200, wid},
		{"list end before start", "2026-03-10/2026-03-09", auth, 400, ""},
		{"list bad date", "2026-3-1/2026-03-09", auth, 400, ""},
		{"list without bearer", "2026-03-01/2026-03-31", nil, 401, ""},
		{"list with a cookie only", "2026-03-01/2026-03-31", map[string]string{"Cookie": CookieName + "=" + s.IssueCookie()}, 401, ""},
		{"list with unknown bearer", "2026-03-01/2026-03-31", map[string]string{"Authorization": "Bearer nope"}, 401, ""},
		{"details", wid + "/details", auth, 200, fid},
		{"details of a deleted workout", gid + "/details", auth, 400, "Invalid workoutId (" + gid + ")"},
		{"single deleted workout", gid, auth, 400, "Invalid workoutId"},
		{"file", wid + "/rawfiledata/" + fid, auth, 200, ""},
		{"file of a deleted workout", gid + "/rawfiledata/" + fid, auth, 400, "Invalid workoutId"},
		{"unknown file", wid + "/rawfiledata/12345", auth, 404, ""},
		{"another workout's file", gid + "/rawfiledata/" + strconv.FormatInt(gone.Files[0].ID, 10), auth, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, base+tt.path, tt.hdr)
			if r.status != tt.want || !bytes.Contains(r.body, []byte(tt.body)) {
				t.Fatalf("%s: %d %.200s, want %d with %q", tt.path, r.status, r.body, tt.want, tt.body)
			}
		})
	}

	if r := get(t, u+"/fitness/v6/athletes/222/workouts/2026-03-01/2026-03-31", auth); r.status != 403 {
		t.Fatalf("another athlete's calendar: %d", r.status)
	}
	s.ExpireBearers()
	if r := get(t, base+"2026-03-01/2026-03-31", auth); r.status != 401 {
		t.Fatalf("expired bearer: %d", r.status)
	}
	tok = bearer(t, s, u)
	clock = clock.Add(61 * time.Second)
	if r := get(t, base+"2026-03-01/2026-03-31", map[string]string{"Authorization": "Bearer " + tok}); r.status != 401 {
		t.Fatalf("bearer past its lifetime: %d", r.status)
	}
	if r, _ := http.Post(base+"2026-03-01/2026-03-31", "application/json", nil); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST to the list: %d", r.StatusCode)
	}
	var days []int
	for _, w := range s.ListWindows() {
		days = append(days, w.Days())
	}
	if len(days) < 3 || days[0] != 90 || days[1] != 91 || days[2] != 1 {
		t.Fatalf("window days %v", days)
	}
}

func TestFilesOnTheWire(t *testing.T) {
	s, u := start(t, Options{})
	rng := rand.New(rand.NewSource(2))
	tok := bearer(t, s, u)
	auth := map[string]string{"Authorization": "Bearer " + tok}
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		kind Kind
		gzip bool
		neg  bool
	}{
		{KindFIT, true, false},
		{KindFITRaw, false, false},
		{KindFITMisnamed, true, false},
		{KindNegativeID, true, true},
		{KindTCX, true, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			w := s.Add(s.NewWorkout(rng, AthleteID, tt.kind, at))
			f := w.Files[0]
			if (f.ID < 0) != tt.neg {
				t.Fatalf("file id %d", f.ID)
			}
			r := get(t, u+"/fitness/v6/athletes/111/workouts/"+strconv.FormatInt(w.ID, 10)+"/rawfiledata/"+strconv.FormatInt(f.ID, 10), auth)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			isGz := len(r.body) > 2 && r.body[0] == 0x1f && r.body[1] == 0x8b
			if isGz != tt.gzip || !strings.Contains(r.header.Get("Content-Disposition"), f.Name) {
				t.Fatalf("gzip %v (want %v), disposition %q", isGz, tt.gzip, r.header.Get("Content-Disposition"))
			}
			if !tt.gzip && !bytes.Equal(r.body, s.FileBytes(w.ID)) {
				t.Fatal("raw body differs from the file")
			}
		})
	}
	free, fu := start(t, Options{FreeAccount403: true})
	w := free.Add(free.NewWorkout(rng, AthleteID, KindFIT, at))
	r := get(t, fu+"/fitness/v6/athletes/111/workouts/"+strconv.FormatInt(w.ID, 10)+"/rawfiledata/"+strconv.FormatInt(w.Files[0].ID, 10),
		map[string]string{"Authorization": "Bearer " + bearer(t, free, fu)})
	if r.status != 403 || free.Downloads() != 0 {
		t.Fatalf("free account download: %d, %d counted", r.status, free.Downloads())
	}
}

func TestSeed(t *testing.T) {
	s, _ := start(t, Options{})
	from, to := time.Date(2023, 10, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 13, 0, 0, 0, 0, time.UTC)
	got := s.Seed(200, from, to, rand.New(rand.NewSource(42)))
	count := map[Kind]int{}
	completed, utcDayDiffers := 0, 0
	for _, w := range got {
		count[w.Kind]++
		if w.Kind.Completed() {
			completed++
			if d := w.Day(); d.Before(from) || d.After(to) {
				t.Fatalf("workout on %s outside the range", d)
			}
		}
		if w.UTCStart().Day() != w.Start.Day() {
			utcDayDiffers++
		}
	}
	if completed != 200 || count[KindPlanned] < 20 || count[KindDeletedRow] != 1 {
		t.Fatalf("completed %d, kinds %v", completed, count)
	}
	for _, k := range specialKinds {
		if count[k] == 0 {
			t.Fatalf("no %s workout seeded: %v", k, count)
		}
	}
	if utcDayDiffers == 0 {
		t.Fatal("no workout whose file's UTC date differs from its workoutDay")
	}
	if len(s.Workouts()) != len(got) {
		t.Fatalf("Workouts() = %d, Seed returned %d", len(s.Workouts()), len(got))
	}
	again := New(Options{Now: func() time.Time { return now }}).Seed(200, from, to, rand.New(rand.NewSource(42)))
	if len(again) != len(got) || !again[7].Start.Equal(got[7].Start) || again[7].Kind != got[7].Kind {
		t.Fatal("the same seed gave another history")
	}
}

var hiddenToken = regexp.MustCompile(`name="__RequestVerificationToken" value="([^"]+)"`)

// login drives the form the way a browser does, without following redirects.
func login(t *testing.T, u string, jar http.CookieJar, user, pass string, withToken bool) *http.Response {
	t.Helper()
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, f := range []string{`name="Username"`, `name="Password"`, `name="CaptchaHidden" value="false"`, `name="CaptchaToken"`, `name="Attempts"`, `name="SelectedMfaMethod"`} {
		if !bytes.Contains(page, []byte(f)) {
			t.Fatalf("login page lacks %s", f)
		}
	}
	m := hiddenToken.FindSubmatch(page)
	form := url.Values{"Username": {user}, "Password": {pass}, "CaptchaHidden": {"false"}, "CaptchaToken": {""}, "Attempts": {"0"}, "SelectedMfaMethod": {""}}
	if withToken && m != nil {
		form.Set("__RequestVerificationToken", string(m[1]))
	}
	resp, err = c.PostForm(u+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	return nil
}

func TestLoginForm(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		user, pass string
		token      bool
		want       int
		cookie     bool
		body       string
	}{
		{"good credentials", Options{}, DefaultUsername, DefaultPassword, true, 302, true, ""},
		{"wrong password", Options{}, DefaultUsername, "nope", true, 200, false, "validation-summary-errors"},
		{"missing anti-forgery token", Options{}, DefaultUsername, DefaultPassword, false, 400, false, "anti-forgery"},
		{"captcha required", Options{LoginMode: LoginCaptcha}, DefaultUsername, DefaultPassword, true, 200, false, `name="CaptchaHidden" value="true"`},
		{"mfa", Options{LoginMode: LoginMFA}, DefaultUsername, DefaultPassword, true, 302, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, u := start(t, tt.opts)
			jar, _ := cookiejar.New(nil)
			resp := login(t, u, jar, tt.user, tt.pass, tt.token)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			ck := sessionCookie(resp)
			if resp.StatusCode != tt.want || (ck != nil) != tt.cookie || !bytes.Contains(body, []byte(tt.body)) {
				t.Fatalf("status %d cookie %v body %.300s", resp.StatusCode, ck != nil, body)
			}
			if tt.cookie {
				if !ck.HttpOnly || ck.Secure || ck.Path != "/" || resp.Header.Get("Location") != "/" {
					t.Fatalf("cookie %+v, location %q", ck, resp.Header.Get("Location"))
				}
				if !s.CookieValid(ck.Value) {
					t.Fatal("the issued cookie is not accepted by the exchange")
				}
			}
			if tt.opts.LoginMode == LoginMFA {
				if loc := resp.Header.Get("Location"); loc != "/login/mfa" {
					t.Fatalf("mfa redirect to %q", loc)
				}
				c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				bad, _ := c.PostForm(u+"/login/mfa", url.Values{"Code": {"000000"}})
				if bad.StatusCode != 200 || sessionCookie(bad) != nil {
					t.Fatalf("wrong code: %d", bad.StatusCode)
				}
				good, _ := c.PostForm(u+"/login/mfa", url.Values{"Code": {DefaultMFACode}})
				if ck := sessionCookie(good); good.StatusCode != 302 || ck == nil || !ck.HttpOnly || !s.CookieValid(ck.Value) {
					t.Fatalf("right code: %d", good.StatusCode)
				}
			}
		})
	}
}

func TestAutoLoginPage(t *testing.T) {
	_, u := start(t, Options{AutoLogin: true})
	r := get(t, u+"/login", nil)
	if !bytes.Contains(r.body, []byte(`document.getElementById("login-form").submit()`)) ||
		!bytes.Contains(r.body, []byte(`"rider@example.com"`)) {
		t.Fatalf("auto-login page:\n%s", r.body)
	}
	_, plain := start(t, Options{})
	if r := get(t, plain+"/login", nil); bytes.Contains(r.body, []byte("submit()")) {
		t.Fatal("the login page submits itself without AutoLogin")
	}
}
