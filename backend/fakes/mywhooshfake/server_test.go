package mywhooshfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes"
)

type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path, bearer string, body any) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = c.base + path
	}
	req, _ := http.NewRequest(method, url, rd)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return m
}

func start(t *testing.T, opts Options) (*Server, client) {
	s := New(opts)
	base := s.Start()
	t.Cleanup(s.Close)
	return s, client{t, base}
}

func loginBody(user, pass string) map[string]any {
	return map[string]any{"Username": user, "Password": pass, "Platform": "Android", "Action": 1001,
		"CorrelationId": "c-1", "DeviceId": "d-1", "Authorization": ""}
}

func TestLoginAPI(t *testing.T) {
	s, c := start(t, Options{RejectFirstLogins: 1})
	st, _, b := c.do("POST", "/http-service/api/login", "", loginBody(DefaultEmail, "wrong"))
	if m := decode(t, b); st != 200 || m["Success"] != false || m["Message"] != "Email address or password is incorrect" {
		t.Fatalf("wrong password: %d %s", st, b)
	}
	bad := loginBody(DefaultEmail, DefaultPassword)
	delete(bad, "Action")
	if _, _, b := c.do("POST", "/http-service/api/login", "", bad); decode(t, b)["Success"] != false {
		t.Fatalf("missing Action accepted: %s", b)
	}
	_, _, b = c.do("POST", "/http-service/api/login", "", loginBody(DefaultEmail, DefaultPassword))
	if m := decode(t, b); m["Success"] != false {
		t.Fatalf("first correct login should be refused spuriously: %s", b)
	}
	_, _, b = c.do("POST", "/http-service/api/login", "", loginBody("Rider@Example.com", DefaultPassword))
	m := decode(t, b)
	if m["Success"] != true || m["WhooshId"] != DefaultWhooshID || m["CorrelationId"] != "c-1" || m["Action"] != "1001" {
		t.Fatalf("login: %s", b)
	}
	tok, _ := m["AccessToken"].(string)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("AccessToken is not JWT-shaped: %q", tok)
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", tok, map[string]any{"page": 1, "sortDate": "DESC"}); st != 200 {
		t.Fatalf("token from login refused: %d", st)
	}
	if got := s.Stats(); got.Logins != 1 || got.SpuriousRejections != 1 || got.LoginsRejected != 2 {
		t.Errorf("stats = %+v", got)
	}
}

func TestLoginRefusalStatus(t *testing.T) {
	for _, status := range []int{0, 400, 401} {
		_, c := start(t, Options{RefusalStatus: status, RejectFirstLogins: 1})
		want := status
		if want == 0 {
			want = 200
		}
		for _, pass := range []string{"wrong", DefaultPassword} {
			st, _, b := c.do("POST", "/http-service/api/login", "", loginBody(DefaultEmail, pass))
			if m := decode(t, b); st != want || m["Success"] != false || m["Message"] != "Email address or password is incorrect" {
				t.Errorf("status option %d, password %q: %d %s", status, pass, st, b)
			}
		}
		if st, _, b := c.do("POST", "/http-service/api/login", "", loginBody(DefaultEmail, DefaultPassword)); st != 200 || decode(t, b)["Success"] != true {
			t.Errorf("status option %d, good login: %d %s", status, st, b)
		}
	}
}

func TestVariantLoginBody(t *testing.T) {
	variant := func(pass, device string) map[string]any {
		return map[string]any{"UserName": DefaultEmail, "Password": pass, "Source": "connect", "DeviceId": device}
	}
	send := func(c client, body any, header bool) (int, map[string]any) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", c.base+"/http-service/api/login", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if header {
			req.Header.Set("Source", "connect")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}
	for _, tc := range []struct {
		name    string
		mode    LoginMode
		status  int // of the primary body
		success bool
	}{
		{"normal", LoginNormal, 200, true},
		{"invalid request", LoginInvalidRequest, 200, false},
		{"html", LoginHTML, 200, false},
		{"bad request", LoginBadRequest, 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := start(t, Options{PrimaryLogin: tc.mode})
			st, m := send(c, loginBody(DefaultEmail, DefaultPassword), false)
			if st != tc.status || (m["Success"] == true) != tc.success {
				t.Errorf("primary body: %d %v", st, m)
			}
			if tc.mode == LoginInvalidRequest && m["Message"] != "Invalid request" {
				t.Errorf("primary body: %v", m)
			}
			if _, m := send(c, variant(DefaultPassword, "d-1"), false); m["Success"] != false || m["Message"] != "Invalid request" {
				t.Errorf("variant without the Source header: %v", m)
			}
			if _, m := send(c, variant(DefaultPassword, ""), true); m["Success"] != false || m["Message"] != "Invalid request" {
				t.Errorf("variant without DeviceId: %v", m)
			}
			if _, m := send(c, variant("wrong", "d-1"), true); m["Success"] != false || m["Message"] != "Email address or password is incorrect" {
				t.Errorf("variant, wrong password: %v", m)
			}
			st, m = send(c, variant(DefaultPassword, "d-1"), true)
			tok, _ := m["AccessToken"].(string)
			if st != 200 || m["Success"] != true || m["DeviceId"] != "d-1" || m["WhooshId"] != DefaultWhooshID || strings.Count(tok, ".") != 2 {
				t.Fatalf("variant: %d %v", st, m)
			}
			if st, _, _ := c.do("POST", "/v2/rider/profile/activities", tok, map[string]any{"page": 1, "sortDate": "DESC"}); st != 200 {
				t.Errorf("the variant's token is refused: %d", st)
			}
			if got := s.Stats(); got.VariantTries != 4 || got.VariantLogins != 1 {
				t.Errorf("stats = %+v", got)
			}
		})
	}
}

func TestUserIDClaim(t *testing.T) {
	for _, no := range []bool{false, true} {
		s := New(Options{NoUserIDInTokens: no})
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(s.IssueToken(), ".")[1])
		var claims map[string]any
		json.Unmarshal(raw, &claims)
		if id, ok := claims["userId"]; ok == no || (ok && id != DefaultWhooshID) {
			t.Errorf("NoUserIDInTokens %v: claims %v", no, claims)
		}
	}
}

func TestActivitiesPagingAndStrictness(t *testing.T) {
	s, c := start(t, Options{PageSize: 20})
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Seed(45, from, from.AddDate(1, 0, 0), rand.New(rand.NewSource(7)))
	tok := s.IssueToken()
	var last int64 = 1 << 62
	total := 0
	for page := 1; page <= 4; page++ {
		st, _, b := c.do("POST", "/v2/rider/profile/activities", tok, map[string]any{"page": page, "sortDate": "DESC", "type": "", "limit": 50})
		if st != 200 {
			t.Fatalf("page %d: %d %s", page, st, b)
		}
		var env struct {
			Error bool `json:"error"`
			Code  int  `json:"code"`
			Data  struct {
				Results []map[string]any `json:"results"`
				Total   int              `json:"totalPages"`
				Current int              `json:"currentPage"`
			} `json:"data"`
		}
		json.Unmarshal(b, &env)
		if env.Error || env.Code != 200 || env.Data.Total != 3 || env.Data.Current != page {
			t.Fatalf("page %d envelope: %s", page, b)
		}
		want := []int{20, 20, 5, 0}[page-1]
		if len(env.Data.Results) != want {
			t.Fatalf("page %d has %d rows, want %d (limit must be ignored)", page, len(env.Data.Results), want)
		}
		for _, r := range env.Data.Results {
			ts, _ := time.Parse("2006-01-02T15:04:05.000Z", r["startDatetime"].(string))
			if ts.Unix() > last {
				t.Fatalf("rows not newest first")
			}
			last = ts.Unix()
			if d := int64(r["date"].(float64)); d != ts.Unix() && d != ts.UnixMilli() {
				t.Errorf("date %d does not match startDatetime %v", d, ts)
			}
			if len(r["id"].(string)) != 24 {
				t.Errorf("id %v is not 24 hex", r["id"])
			}
			if !strings.Contains(r["rideDuration"].(string), ".") {
				t.Errorf("rideDuration %v", r["rideDuration"])
			}
		}
		total += len(env.Data.Results)
	}
	if total != 45 {
		t.Fatalf("listed %d rows", total)
	}

	for _, bad := range []any{
		`not json`,
		map[string]any{"sortDate": "DESC"},
		map[string]any{"page": 0, "sortDate": "DESC"},
		map[string]any{"page": "1", "sortDate": "DESC"},
		map[string]any{"page": 1, "sortDate": "desc"},
		map[string]any{"page": 1},
		`[1,2]`,
	} {
		if st, _, b := c.do("POST", "/v2/rider/profile/activities", tok, bad); st != 400 || decode(t, b)["error"] != true {
			t.Errorf("body %v: got %d %s, want 400", bad, st, b)
		}
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", "", map[string]any{"page": 1, "sortDate": "DESC"}); st != 401 {
		t.Errorf("no bearer: %d", st)
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", s.ExpiredToken(), map[string]any{"page": 1, "sortDate": "DESC"}); st != 401 {
		t.Errorf("expired bearer: %d", st)
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", tok[:len(tok)-3]+"abc", map[string]any{"page": 1, "sortDate": "DESC"}); st != 401 {
		t.Errorf("forged bearer: %d", st)
	}
	s.ExpireTokens()
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", tok, map[string]any{"page": 1, "sortDate": "DESC"}); st != 401 {
		t.Errorf("token after ExpireTokens: %d", st)
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", s.IssueToken(), map[string]any{"page": 1, "sortDate": "ASC"}); st != 200 {
		t.Errorf("a token issued after ExpireTokens: %d", st)
	}
}

func TestEmptyAccount(t *testing.T) {
	s, c := start(t, Options{})
	_, _, b := c.do("POST", "/v2/rider/profile/activities", s.IssueToken(), map[string]any{"page": 1, "sortDate": "DESC"})
	if !strings.Contains(string(b), `"results":[]`) || !strings.Contains(string(b), `"totalPages":0`) {
		t.Fatalf("empty account: %s", b)
	}
}

func TestSeedRides(t *testing.T) {
	s := New(Options{})
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	rides := s.Seed(40, from, from.AddDate(0, 3, 0), rand.New(rand.NewSource(3)))
	noFile, millis := 0, 0
	for i, r := range rides {
		if i > 0 && r.Start.Before(rides[i-1].Start) {
			t.Fatal("Seed result not oldest first")
		}
		if !r.HasFile() {
			noFile++
			continue
		}
		if r.DateMillis {
			millis++
		}
		f, err := fit.Decode(bytes.NewReader(r.FIT))
		if err != nil {
			t.Fatalf("ride %s: %v", r.ID, err)
		}
		a, _ := f.Activity()
		if f.FileId.Manufacturer != 331 || !a.Sessions[0].StartTime.Equal(r.Start) || a.Sessions[0].SubSport != fit.SubSportVirtualActivity {
			t.Fatalf("FIT of %s: manufacturer %v start %v sub %v", r.ID, f.FileId.Manufacturer, a.Sessions[0].StartTime, a.Sessions[0].SubSport)
		}
	}
	if noFile == 0 || millis != 1 {
		t.Errorf("rides without file = %d, with ms date = %d", noFile, millis)
	}
	r := rides[len(rides)-1]
	native := r.NativeCopy(7 * time.Second)
	if bytes.Equal(native, r.FIT) {
		t.Fatal("NativeCopy has the same bytes")
	}
	f, err := fit.Decode(bytes.NewReader(native))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Activity()
	if !a.Sessions[0].StartTime.Equal(r.Start.Add(7*time.Second)) || f.FileId.SerialNumber == 0 {
		t.Errorf("native copy start %v", a.Sessions[0].StartTime)
	}
	if got := len(s.Rides()); got != 40 {
		t.Errorf("Rides() = %d", got)
	}
}

func TestDownloadLinkAndBucket(t *testing.T) {
	s, c := start(t, Options{})
	r := s.AddRide(Ride{Title: "x", Start: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), Duration: 30 * time.Minute, DistanceKm: 15})
	tok := s.IssueToken()
	link := func(body any) map[string]any {
		st, _, b := c.do("POST", "/v2/rider/profile/download-activity-file", tok, body)
		if st != 200 {
			t.Fatalf("link: %d %s", st, b)
		}
		return decode(t, b)
	}
	m := link(map[string]any{"fileId": r.FileID})
	u, _ := m["data"].(string)
	if !strings.HasPrefix(u, c.base+"/s3/ride/") || !strings.Contains(u, "X-Amz-Expires=600") || !strings.Contains(u, "X-Amz-Signature=") {
		t.Fatalf("signed URL %q", u)
	}
	if st, _, b := c.do("GET", u, tok, nil); st != 400 || !strings.Contains(string(b), "Only one auth mechanism allowed") {
		t.Fatalf("bucket with bearer: %d %s", st, b)
	}
	st, h, b := c.do("GET", u, "", nil)
	if st != 200 || !bytes.Equal(b, r.FIT) || h.Get("Content-Type") != "binary/octet-stream" {
		t.Fatalf("bucket: %d %s", st, h.Get("Content-Type"))
	}
	if st, _, b := c.do("GET", strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=0", 1), "", nil); st != 403 || !strings.Contains(string(b), "SignatureDoesNotMatch") {
		t.Errorf("bad signature: %d %s", st, b)
	}
	s.ExpireSignedURLs()
	if st, _, b := c.do("GET", u, "", nil); st != 403 || !strings.Contains(string(b), "Request has expired") {
		t.Errorf("expired: %d %s", st, b)
	}
	if m := link(map[string]any{"fileId": "nope"}); m["error"] != true || m["message"] != "File not found" {
		t.Errorf("unknown file: %v", m)
	}
	for _, key := range []string{DefaultWhooshID, "999"} {
		if m := link(map[string]any{"fileId": r.FileID, "key": key}); m["error"] != false || s.Stats().LastKey != key {
			t.Errorf("key %q: %v, last key %q", key, m, s.Stats().LastKey)
		}
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/download-activity-file", tok, map[string]any{}); st != 400 {
		t.Errorf("no fileId: %d", st)
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/download-activity-file", "", map[string]any{"fileId": r.FileID}); st != 401 {
		t.Errorf("no bearer: %d", st)
	}
	got := s.Stats()
	if got.Downloads != 1 || got.S3WithAuth != 1 || got.S3Expired != 1 || got.S3BadSignature != 1 || s.DownloadsOf(r.FileID) != 1 {
		t.Errorf("stats = %+v", got)
	}
}

func TestExpiredAndHTMLBucketOptions(t *testing.T) {
	s, c := start(t, Options{ExpireFirstURLs: 1, S3ServesHTML: true})
	r := s.AddRide(Ride{Start: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)})
	tok := s.IssueToken()
	for i, want := range []int{403, 200} {
		_, _, b := c.do("POST", "/v2/rider/profile/download-activity-file", tok, map[string]any{"fileId": r.FileID})
		st, h, body := c.do("GET", decode(t, b)["data"].(string), "", nil)
		if st != want {
			t.Fatalf("URL %d: status %d", i, st)
		}
		if st == 200 && (!strings.HasPrefix(h.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<html>"))) {
			t.Errorf("want an HTML page, got %s", h.Get("Content-Type"))
		}
	}
}

func TestEncryptedBodies(t *testing.T) {
	s, c := start(t, Options{Bodies: BodiesEncrypted})
	s.Seed(3, time.Now().AddDate(0, -1, 0), time.Now(), nil)
	tok := s.IssueToken()
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", tok, map[string]any{"page": 1, "sortDate": "DESC"}); st != 400 {
		t.Fatalf("plain body in encrypted mode: %d", st)
	}
	enc, _ := json.Marshal(EncryptBody([]byte(`{"page":1,"sortDate":"DESC","type":"","limit":50}`)))
	st, _, b := c.do("POST", "/v2/rider/profile/activities", tok, string(enc))
	if st != 200 || !strings.Contains(string(b), `"totalPages":1`) {
		t.Fatalf("encrypted body: %d %s", st, b)
	}
	if s.Stats().EncryptedBodies != 1 {
		t.Errorf("stats = %+v", s.Stats())
	}
}

func TestFaultsSpareThePages(t *testing.T) {
	f := fakes.NewFaults(1)
	f.ServerErrorRate = 1
	s, c := start(t, Options{Faults: f, AutoLogin: true})
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", s.IssueToken(), map[string]any{"page": 1, "sortDate": "DESC"}); st != 500 {
		t.Errorf("API under faults: %d", st)
	}
	st, _, b := c.do("GET", "/auth/login", "", nil)
	if st != 200 || !bytes.Contains(b, []byte(`data-testid="uc-accept-all-button"`)) || !bytes.Contains(b, []byte(`class="btn-universal"`)) ||
		!bytes.Contains(b, []byte(DefaultPassword)) {
		t.Errorf("login page: %d", st)
	}
}

func TestWebLoginSetsCookies(t *testing.T) {
	s, c := start(t, Options{})
	st, h, b := c.do("POST", "/api/web/login", "", map[string]any{"email": DefaultEmail, "password": DefaultPassword, "remember": true})
	m := decode(t, b)
	data, _ := m["data"].(map[string]any)
	if st != 200 || m["error"] != false || data == nil {
		t.Fatalf("web login: %d %s", st, b)
	}
	cookies := map[string]*http.Cookie{}
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		cookies[ck.Name] = ck
	}
	tok, uuid := cookies["whoosh_token"], cookies["whoosh_uuid"]
	if tok == nil || tok.Value != data["token"] || !tok.HttpOnly || uuid == nil || uuid.Value != DefaultWhooshID {
		t.Fatalf("cookies %v", h.Values("Set-Cookie"))
	}
	if st, _, _ := c.do("POST", "/v2/rider/profile/activities", tok.Value, map[string]any{"page": 1, "sortDate": "DESC"}); st != 200 {
		t.Errorf("the cookie's token is refused: %d", st)
	}
	if s.Stats().WebLogins != 1 {
		t.Errorf("stats %+v", s.Stats())
	}
}
