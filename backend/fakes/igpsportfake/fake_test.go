package igpsportfake

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type answer struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func get(t *testing.T, url string, hdr map[string]string) (int, answer, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var a answer
	_ = json.Unmarshal(body, &a)
	return resp.StatusCode, a, body
}

func TestSeedQuirks(t *testing.T) {
	f := New(Options{})
	rides := f.Seed(250, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), rand.New(rand.NewSource(1)))
	via := map[DownloadVia]int{}
	ids := map[int64]bool{}
	dateTimes := 0
	for _, r := range rides {
		via[r.Via]++
		ids[r.RideID] = true
		if r.ListDateTime {
			dateTimes++
		}
	}
	if len(ids) != 250 || !ids[0] {
		t.Fatalf("want 250 distinct ids including 0, got %d (has 0: %v)", len(ids), ids[0])
	}
	if via[ViaOSSPath] < 150 || via[ViaDetail] < 20 || via[ViaDownloadURL] < 10 || dateTimes < 5 {
		t.Fatalf("quirk mix too thin: %v, %d date-times", via, dateTimes)
	}
	data, ok := f.FIT(0)
	if !ok || len(data) < 12 || string(data[8:12]) != ".FIT" {
		t.Fatalf("ride 0 has no FIT")
	}
}

func TestAPIStrictness(t *testing.T) {
	f := New(Options{StrictStorageAuth: true})
	f.Seed(45, time.Now().AddDate(-1, 0, 0), time.Now(), rand.New(rand.NewSource(2)))
	base := f.Start()
	defer f.Close()
	tok := f.Token()
	auth := map[string]string{"Authorization": "Bearer " + tok}
	list := base + "/service/web-gateway/web-analyze/activity/queryMyActivity?reqType=0&sort=1&pageSize=100&pageNo="

	type page struct {
		PageNo, PageSize, TotalPage, TotalRows int
		Rows                                   []struct {
			RideID    int64  `json:"rideId"`
			StartTime string `json:"startTime"`
		}
	}
	read := func(n int) page {
		status, a, _ := get(t, list+strconv.Itoa(n), auth)
		if status != 200 || a.Code != 0 {
			t.Fatalf("page %d: %d %+v", n, status, a)
		}
		var p page
		_ = json.Unmarshal(a.Data, &p)
		return p
	}
	p1, p3, p9 := read(1), read(3), read(9)
	if len(p1.Rows) != 20 || p1.PageSize != 20 || p1.TotalPage != 3 || p1.TotalRows != 45 {
		t.Fatalf("page 1 with pageSize=100: %d rows, %+v", len(p1.Rows), p1)
	}
	if len(p3.Rows) != 5 || len(p9.Rows) != 5 || p9.Rows[0].RideID != p3.Rows[0].RideID {
		t.Fatalf("past the end the last page must repeat: p3 %d rows, p9 %d rows", len(p3.Rows), len(p9.Rows))
	}
	if !strings.Contains(p1.Rows[0].StartTime, ".") && !strings.Contains(p1.Rows[0].StartTime, ":") {
		t.Fatalf("startTime %q", p1.Rows[0].StartTime)
	}

	cases := []struct {
		name       string
		url        string
		hdr        map[string]string
		wantStatus int
		wantCode   int
	}{
		{"no token", list + "1", nil, 401, 401},
		{"stale token", list + "1", map[string]string{"Authorization": "Bearer " + f.StaleToken()}, 401, 401},
		{"bad date filter", list + "1&beginTime=2025.01.01", auth, 200, codeBadParam},
		{"unknown ride detail", base + pathDetail + "999", auth, 200, codeNotFound},
		{"object with a bearer", base + pathOSS + f.Rides()[0].Object, auth, 400, 0},
		{"unknown object", base + pathOSS + "4242-nope", nil, 404, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, a, body := get(t, c.url, c.hdr)
			if status != c.wantStatus || a.Code != c.wantCode {
				t.Fatalf("got %d code %d (%s), want %d code %d", status, a.Code, body, c.wantStatus, c.wantCode)
			}
		})
	}

	f.ExpireTokens()
	if status, _, _ := get(t, list+"1", auth); status != 401 {
		t.Fatalf("expired token answered %d", status)
	}
	for _, r := range f.Requests() {
		if strings.HasPrefix(r.Path, pathOSS) && r.Authorization && r.Status == 200 {
			t.Fatalf("storage served a request with a bearer")
		}
	}
}

func TestLogin(t *testing.T) {
	f := New(Options{})
	base := f.Start()
	defer f.Close()
	cases := []struct {
		name, ctype, body string
		wantCode          int
	}{
		{"ok", "application/json", `{"appId":"igpsport-web","username":"rider@example.com","password":"correct horse"}`, 0},
		{"wrong password", "application/json", `{"appId":"igpsport-web","username":"rider@example.com","password":"x"}`, codeBadLogin},
		{"no appId", "application/json", `{"username":"rider@example.com","password":"correct horse"}`, codeBadParam},
		{"form body", "application/x-www-form-urlencoded", `username=rider@example.com&password=correct+horse`, codeBadParam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Post(base+pathLogin, c.ctype, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var a answer
			_ = json.NewDecoder(resp.Body).Decode(&a)
			if resp.StatusCode != 200 || a.Code != c.wantCode {
				t.Fatalf("got HTTP %d code %d %q", resp.StatusCode, a.Code, a.Message)
			}
		})
	}
}

func TestChinaSignature(t *testing.T) {
	for _, as200 := range []bool{false, true} {
		f := New(Options{Region: RegionChina, ChinaRequiresSignature: true, SignatureErrorAs200: as200})
		f.Seed(3, time.Now().AddDate(0, -1, 0), time.Now(), rand.New(rand.NewSource(3)))
		base := f.Start()
		tok := f.Token()
		path := pathList + "?pageNo=1&pageSize=20&reqType=0&sort=1&sortType=1"

		status, a, _ := get(t, base+path, map[string]string{"Authorization": "Bearer " + tok})
		wantStatus := 403
		if as200 {
			wantStatus = 200
		}
		if status != wantStatus || a.Code != codeSignature || !strings.Contains(a.Message, "signature") {
			t.Fatalf("unsigned (as200=%v): %d %+v", as200, status, a)
		}

		signed := func(nonce string) map[string]string {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			return map[string]string{
				"Authorization": "Bearer " + tok, "x-access-key": "AKIDWebClient", "x-platform": "web",
				"x-timestamp": ts, "x-nonce": nonce, "x-signature": sign(f.secret, "GET", path, ts, nonce, nil),
			}
		}
		if status, a, _ := get(t, base+path, signed("n-1")); status != 200 || a.Code != 0 {
			t.Fatalf("signed call refused: %d %+v", status, a)
		}
		if _, a, _ := get(t, base+path, signed("n-1")); a.Code != codeSignature {
			t.Fatalf("replayed nonce accepted: %+v", a)
		}
		bad := signed("n-2")
		bad["x-signature"] = strings.Repeat("A", 43) + "="
		if _, a, _ := get(t, base+path, bad); a.Code != codeSignature {
			t.Fatalf("wrong signature accepted: %+v", a)
		}
		// Storage needs no signature.
		if status, _, body := get(t, base+pathOSS+f.Rides()[0].Object, nil); status != 200 || !bytes.Equal(body[8:12], []byte(".FIT")) {
			t.Fatalf("storage in China mode: %d", status)
		}
		f.Close()
	}
}

func TestStorageFaults(t *testing.T) {
	f := New(Options{})
	f.Seed(3, time.Now().AddDate(0, -1, 0), time.Now(), rand.New(rand.NewSource(4)))
	base := f.Start()
	defer f.Close()
	rides := f.Rides()
	f.EmptyAfter(1)
	if _, _, body := get(t, base+pathOSS+rides[0].Object, nil); len(body) == 0 {
		t.Fatal("first download empty")
	}
	if status, _, body := get(t, base+pathOSS+rides[1].Object, nil); status != 200 || len(body) != 0 {
		t.Fatalf("second download after EmptyAfter(1): %d, %d bytes", status, len(body))
	}
	f.EmptyAfter(0)
	f.RemoveObject(rides[2].RideID)
	if status, _, body := get(t, base+pathOSS+rides[2].Object, nil); status != 404 || !bytes.Contains(body, []byte("NoSuchKey")) {
		t.Fatalf("removed object: %d %s", status, body)
	}
	if f.Downloads() != 1 {
		t.Fatalf("downloads = %d", f.Downloads())
	}
}

func TestPrivateObjectAndBarePath(t *testing.T) {
	f := New(Options{})
	start := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	f.AddRide(Ride{RideID: 1, Start: start, Duration: time.Hour, DistanceM: 20000, BareOSSPath: true}, nil)
	f.AddRide(Ride{RideID: 2, Start: start.Add(time.Hour * 30), Duration: time.Hour, DistanceM: 20000, Private: true}, nil)
	base := f.Start()
	defer f.Close()
	auth := map[string]string{"Authorization": "Bearer " + f.Token()}
	_, a, _ := get(t, base+pathList+"?pageNo=1", auth)
	var p struct {
		Rows []struct {
			RideID     int64  `json:"rideId"`
			FitOssPath string `json:"fitOssPath"`
		}
	}
	_ = json.Unmarshal(a.Data, &p)
	if len(p.Rows) != 2 || p.Rows[1].RideID != 1 || strings.Contains(p.Rows[1].FitOssPath, "/") {
		t.Fatalf("rows %+v: ride 1 should list a bare object name", p.Rows)
	}
	private := f.Rides()[0]
	if status, _, body := get(t, base+pathOSS+private.Object, nil); status != 403 || !bytes.Contains(body, []byte("AccessDenied")) {
		t.Fatalf("plain link to a private object: %d %s", status, body)
	}
	_, a, _ = get(t, base+pathDownload+"2", auth)
	var link string
	_ = json.Unmarshal(a.Data, &link)
	if status, _, body := get(t, link, nil); status != 200 || !bytes.Equal(body[8:12], []byte(".FIT")) {
		t.Fatalf("signed link: %d", status)
	}
	if status, _, _ := get(t, strings.Replace(link, "Signature=", "Signature=x", 1), nil); status != 403 {
		t.Fatalf("tampered signature: %d", status)
	}
}

// By default storage serves a request that carries a bearer, as some clients
// see the real one do, and records that it came.
func TestStorageAcceptsAndRecordsABearer(t *testing.T) {
	f := New(Options{})
	f.Seed(2, time.Now().AddDate(0, -1, 0), time.Now(), rand.New(rand.NewSource(5)))
	base := f.Start()
	defer f.Close()
	obj := f.Rides()[0].Object
	status, _, body := get(t, base+pathOSS+obj, map[string]string{"Authorization": "Bearer " + f.Token()})
	if status != 200 || len(body) < 12 || string(body[8:12]) != ".FIT" {
		t.Fatalf("object with a bearer: %d, %d bytes", status, len(body))
	}
	if status, _, _ := get(t, base+pathOSS+obj, nil); status != 200 {
		t.Fatalf("object without a bearer: %d", status)
	}
	var with []bool
	for _, r := range f.Requests() {
		if strings.HasPrefix(r.Path, pathOSS) {
			with = append(with, r.Authorization)
		}
	}
	if len(with) != 2 || !with[0] || with[1] {
		t.Fatalf("recorded Authorization %v, want [true false]", with)
	}
}
