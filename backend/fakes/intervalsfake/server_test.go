package intervalsfake

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"

	"github.com/tormoder/fit"
)

const key = "k3y-for-tests"

func start(t *testing.T, o Options) (*Server, string) {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey = key
	}
	if o.RatePerSec == 0 {
		o.RatePerSec = -1 // most tests are not about the limit
	}
	s := New(o)
	u := s.Start()
	t.Cleanup(s.Close)
	return s, u
}

func basic(k string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("API_KEY:"+k))
}

type req struct {
	method, path, query string
	body                []byte
	ctype               string
	auth                string // default: the right Basic header
	ua                  string
}

func do(t *testing.T, base string, r req) (int, http.Header, []byte) {
	t.Helper()
	u := base + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	hr, err := http.NewRequest(r.method, u, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	if r.auth == "" {
		r.auth = basic(key)
	}
	if r.auth != "-" {
		hr.Header.Set("Authorization", r.auth)
	}
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	if r.ua != "" {
		hr.Header.Set("User-Agent", r.ua)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func form(t *testing.T, field, filename string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if field != "" {
		w, err := mw.CreateFormFile(field, filename)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.WriteField("comment", "x")
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func upload(t *testing.T, base, filename string, data []byte, query string) (int, map[string]any) {
	t.Helper()
	body, ct := form(t, "file", filename, data)
	st, _, b := do(t, base, req{method: "POST", path: "/api/v1/athlete/0/activities", query: query, body: body, ctype: ct})
	var m map[string]any
	json.Unmarshal(b, &m)
	return st, m
}

func ride(start time.Time, minutes int, km float64, serial uint32) []byte {
	return fitgen.Activity(fitgen.Ride{Start: start, Duration: time.Duration(minutes) * time.Minute, DistanceM: km * 1000, Serial: serial, Every: time.Minute})
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestAuth(t *testing.T) {
	_, base := start(t, Options{OAuthToken: "oauth-tok"})
	for _, tc := range []struct {
		name, auth, ua string
		want           int
		body           string
	}{
		{"basic with the key", basic(key), "", 200, `"id":"i12345"`},
		{"no header", "-", "", 401, `"error":"Unauthorized"`},
		{"wrong key", basic("nope"), "", 401, `"status":401`},
		{"wrong user name", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+key)), "", 401, ""},
		{"key as bearer", "Bearer " + key, "", 403, `{"error":"Access denied","status":403}`},
		{"oauth bearer", "Bearer oauth-tok", "", 200, `"timezone":"Europe/Berlin"`},
		{"unknown bearer", "Bearer other", "", 401, ""},
		{"python urllib", basic(key), "Python-urllib/3.12", 403, `"Access denied"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, b := do(t, base, req{method: "GET", path: "/api/v1/athlete/0", auth: tc.auth, ua: tc.ua})
			if st != tc.want || !strings.Contains(string(b), tc.body) {
				t.Fatalf("got %d %s, want %d containing %s", st, b, tc.want, tc.body)
			}
		})
	}
}

func TestAthleteAndRoutes(t *testing.T) {
	s, base := start(t, Options{AthleteFields: map[string]any{"zwift_sync_activities": true, "strava_authorized": nil}})
	stub := s.AddActivity(Activity{Source: "STRAVA", StartDateLocal: time.Date(2025, 5, 3, 8, 12, 44, 0, time.UTC)})
	full := s.AddActivity(Activity{Source: "GARMIN_CONNECT", StartDate: time.Date(2025, 5, 3, 6, 0, 0, 0, time.UTC), Type: "Ride", ElapsedTime: 3600})
	for _, tc := range []struct {
		name, method, path string
		body               string
		want               int
		has, hasNot        string
	}{
		{"athlete by 0", "GET", "/api/v1/athlete/0", "", 200, `"zwift_sync_activities":true`, "strava_authorized"},
		{"athlete by own id", "GET", "/api/v1/athlete/i12345", "", 200, `"icu_garmin_sync_activities":true`, ""},
		{"other athlete", "GET", "/api/v1/athlete/i999", "", 403, "Access denied", ""},
		{"other athlete's list", "GET", "/api/v1/athlete/2049151/activities?oldest=2025-01-01", "", 403, "", ""},
		{"unknown route", "GET", "/api/v1/nothing/here", "", 404, `"path":"/api/v1/nothing/here"`, ""},
		{"athlete-scoped delete", "DELETE", "/api/v1/athlete/0/activities", "", 405, "Method Not Allowed", ""},
		{"get stub", "GET", "/api/v1/activity/" + stub, "", 200, `"_note"`, "start_date\""},
		{"get full", "GET", "/api/v1/activity/" + full, "", 200, `"external_id":null`, "_note"},
		{"get unknown", "GET", "/api/v1/activity/i1", "", 404, "", ""},
		{"by ids skips missing", "GET", "/api/v1/athlete/0/activities/" + full + ",i1," + stub, "", 200, stub, ""},
		{"put type", "PUT", "/api/v1/activity/" + full, `{"type":"GravelRide","icu_rpe":6}`, 200, `"type":"GravelRide"`, ""},
		{"put keeps other fields", "PUT", "/api/v1/activity/" + full, `{"name":"Gravel loop"}`, 200, `"icu_rpe":6`, ""},
		{"put bad type", "PUT", "/api/v1/activity/" + full, `{"type":"Bike"}`, 422, "Invalid activity type", ""},
		{"put stub", "PUT", "/api/v1/activity/" + stub, `{"type":"Ride"}`, 422, "STRAVA", ""},
		{"put unknown", "PUT", "/api/v1/activity/i1", `{"type":"Ride"}`, 404, "", ""},
		{"delete", "DELETE", "/api/v1/activity/" + full, "", 200, `"id":"` + full + `"`, ""},
		{"delete again", "DELETE", "/api/v1/activity/" + full, "", 404, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, query, _ := strings.Cut(tc.path, "?")
			st, _, b := do(t, base, req{method: tc.method, path: path, query: query, body: []byte(tc.body), ctype: "application/json"})
			if st != tc.want || !strings.Contains(string(b), tc.has) || (tc.hasNot != "" && strings.Contains(string(b), tc.hasNot)) {
				t.Fatalf("got %d %s; want %d with %q without %q", st, b, tc.want, tc.has, tc.hasNot)
			}
		})
	}
}

func TestUpload(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC)
	fitA := ride(t0, 60, 30, 1)
	truncated := fitA[:len(fitA)/2]
	noFile, noFileCT := form(t, "", "", nil)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("ride.fit")
	w.Write(ride(t0.Add(48*time.Hour), 30, 10, 3))
	zw.Close()
	tcx := []byte(`<?xml version="1.0"?><TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>2025-06-05T06:00:00Z</Id>
		<Lap><Track><Trackpoint><Time>2025-06-05T06:00:00Z</Time></Trackpoint><Trackpoint><Time>2025-06-05T06:40:00Z</Time></Trackpoint></Track></Lap></Activity></Activities></TrainingCenterDatabase>`)

	for _, hashGunzip := range []bool{false, true} {
		s, base := start(t, Options{HashGunzip: hashGunzip})
		steps := []struct {
			name     string
			file     []byte
			filename string
			raw      []byte // a whole body instead of a form
			ctype    string
			want     int
			msg      string
			sameAs   int // step whose id must come back
		}{
			{name: "not multipart", raw: []byte("x"), ctype: "text/plain", want: 422, msg: "multipart"},
			{name: "no file part", raw: noFile, ctype: noFileCT, want: 422, msg: "'file'"},
			{name: "junk", file: []byte("hello, not a ride"), filename: "x.fit", want: 422, msg: "Unsupported"},
			{name: "empty", file: []byte{}, filename: "x.fit", want: 422, msg: "empty"},
			{name: "truncated FIT", file: truncated, filename: "cut.fit", want: 422, msg: "ends before the length its header declares"},
			{name: "FIT without its CRC", file: fitA[:len(fitA)-2], filename: "nocrc.fit", want: 422, msg: "ends before"},
			{name: "corrupt FIT body", file: corruptFIT(fitA), filename: "bad.fit", want: 422, msg: "Error reading FIT file bad.fit"},
			{name: "new FIT", file: fitA, filename: "a.fit", want: 201},
			{name: "same bytes", file: fitA, filename: "again.fit", want: 200, sameAs: 7},
			{name: "gzipped same FIT", file: gz(fitA), filename: "a.fit.gz", want: map[bool]int{false: 201, true: 200}[hashGunzip], sameAs: map[bool]int{false: 0, true: 7}[hashGunzip]},
			{name: "zip", file: zbuf.Bytes(), filename: "r.zip", want: 201},
			{name: "tcx", file: tcx, filename: "run.tcx", want: 201},
		}
		ids := map[int]string{}
		for i, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				var code int
				var m map[string]any
				if st.raw != nil {
					var b []byte
					code, _, b = do(t, base, req{method: "POST", path: "/api/v1/athlete/0/activities", body: st.raw, ctype: st.ctype})
					json.Unmarshal(b, &m)
				} else {
					code, m = upload(t, base, st.filename, st.file, "external_id="+url.QueryEscape("ext_"+st.name))
				}
				if code != st.want {
					t.Fatalf("hashGunzip=%v: got %d %v, want %d", hashGunzip, code, m, st.want)
				}
				if code >= 400 {
					if msg, _ := m["error"].(string); !strings.Contains(msg, st.msg) || m["status"] != float64(code) {
						t.Fatalf("error body %v, want message with %q", m, st.msg)
					}
					return
				}
				id, _ := m["id"].(string)
				acts, _ := m["activities"].([]any)
				if len(acts) != 1 || acts[0].(map[string]any)["id"] != id || m["icu_athlete_id"] != "i12345" {
					t.Fatalf("upload response %v", m)
				}
				ids[i] = id
				if st.sameAs != 0 && id != ids[st.sameAs] {
					t.Fatalf("got id %s, want the existing %s", id, ids[st.sameAs])
				}
			})
		}
		// Nothing about the first activity changed on the 200s.
		a, _ := s.Activity(ids[7])
		if a.ExternalID != "ext_new FIT" || !a.StartDate.Equal(t0) || a.ElapsedTime != 3600 || a.Distance != 30000 || a.Type != "Ride" || a.Source != "OAUTH_CLIENT" {
			t.Fatalf("stored %+v", a)
		}
		if a.StartDateLocal != time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) {
			t.Fatalf("local start %v, want Berlin wall clock 09:00", a.StartDateLocal)
		}
		want := map[bool]int{false: 4, true: 3}[hashGunzip]
		if s.UploadCount() != want || len(s.Activities()) != want {
			t.Fatalf("hashGunzip=%v: %d creations, %d activities; want %d", hashGunzip, s.UploadCount(), len(s.Activities()), want)
		}
	}
}

// corruptFIT keeps a sound header but scrambles the records, so only a decoder notices.
func corruptFIT(good []byte) []byte {
	b := append([]byte(nil), good...)
	for i := 20; i < len(b)-2; i += 3 {
		b[i] ^= 0x5a
	}
	return b
}

func TestMultisportUploadMakesOneActivityPerSession(t *testing.T) {
	t0 := time.Date(2025, 7, 6, 6, 0, 0, 0, time.UTC)
	f, err := fit.Decode(bytes.NewReader(ride(t0, 40, 20, 9)))
	if err != nil {
		t.Fatal(err)
	}
	act, _ := f.Activity()
	run := fit.NewSessionMsg()
	run.StartTime, run.Timestamp = t0.Add(41*time.Minute), t0.Add(71*time.Minute)
	run.Sport, run.TotalElapsedTime, run.TotalTimerTime, run.TotalDistance = fit.SportRunning, 1800000, 1800000, 600000
	act.Sessions = append(act.Sessions, run)
	var buf bytes.Buffer
	if err := fit.Encode(&buf, f, binary.LittleEndian); err != nil {
		t.Fatal(err)
	}
	s, base := start(t, Options{})
	for _, want := range []int{201, 200} {
		code, m := upload(t, base, "brick.fit", buf.Bytes(), "")
		acts, _ := m["activities"].([]any)
		if code != want || len(acts) != 2 {
			t.Fatalf("got %d %v, want %d with two activities", code, m, want)
		}
	}
	got := s.Activities()
	if len(got) != 2 || got[0].Type != "Run" || got[1].Type != "Ride" || got[0].FileSportIndex != 1 {
		t.Fatalf("activities %+v", got)
	}
}

func TestList(t *testing.T) {
	s, base := start(t, Options{RequireNewest: false})
	day := func(d, h, m int) time.Time { return time.Date(2025, 5, d, h, m, 0, 0, s.Location()) }
	s.AddActivity(Activity{Source: "STRAVA", StartDateLocal: wall(day(3, 8, 12))})
	s.AddActivity(Activity{Source: "GARMIN_CONNECT", StartDate: day(3, 17, 0), Type: "Ride", ElapsedTime: 3600, Distance: 30000, ExternalID: "123"})
	s.AddActivity(Activity{Source: "UPLOAD", StartDate: day(4, 23, 59), Type: "Run", ElapsedTime: 1800})
	s.AddActivity(Activity{Source: "UPLOAD", StartDate: day(5, 0, 0), Type: "Run", ElapsedTime: 1800})

	type row = map[string]any
	for _, tc := range []struct {
		name, query string
		want        int
		n           int
		check       func([]row) string
	}{
		{name: "no oldest", query: "newest=2025-05-31", want: 422},
		{name: "bad date", query: "oldest=May", want: 422},
		{name: "date-only newest is the whole day", query: "oldest=2025-05-03&newest=2025-05-04", want: 200, n: 3},
		{name: "date-time bounds are inclusive", query: "oldest=2025-05-03T17:00:00&newest=2025-05-05T00:00:00", want: 200, n: 3},
		{name: "missing newest means now", query: "oldest=2025-01-01", want: 200, n: 4},
		{name: "newest first and limit", query: "oldest=2025-05-01&newest=2025-05-31&limit=2", want: 200, n: 2, check: func(r []row) string {
			if r[0]["start_date_local"] != "2025-05-05T00:00:00" || r[1]["start_date_local"] != "2025-05-04T23:59:00" {
				return "order"
			}
			return ""
		}},
		{name: "fields projection drops nulls", query: "oldest=2025-05-03&newest=2025-05-03&fields=id,external_id,distance,start_date", want: 200, n: 2, check: func(r []row) string {
			full, stub := r[0], r[1]
			if len(full) != 4 || full["external_id"] != "123" || full["distance"] != 30000.0 {
				return "full row"
			}
			// A stub shows only Hidden fields: distance and start_date cannot be added.
			if len(stub) != 2 || stub["_note"] == nil || stub["id"] == nil {
				return "stub row"
			}
			return ""
		}},
		{name: "no fields: nulls kept", query: "oldest=2025-05-04&newest=2025-05-04", want: 200, n: 1, check: func(r []row) string {
			if v, ok := r[0]["external_id"]; !ok || v != nil {
				return "external_id should be null"
			}
			return ""
		}},
		{name: "unknown params ignored", query: "oldest=2025-05-03&newest=2025-05-03&page=2&offset=1", want: 200, n: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, b := do(t, base, req{method: "GET", path: "/api/v1/athlete/0/activities", query: tc.query})
			if st != tc.want {
				t.Fatalf("got %d %s, want %d", st, b, tc.want)
			}
			if st != 200 {
				return
			}
			var rows []row
			if err := json.Unmarshal(b, &rows); err != nil || len(rows) != tc.n {
				t.Fatalf("rows %s, want %d", b, tc.n)
			}
			if tc.check != nil {
				if bad := tc.check(rows); bad != "" {
					t.Fatalf("%s: %s", bad, b)
				}
			}
		})
	}

	strict, sbase := start(t, Options{RequireNewest: true})
	_ = strict
	if st, _, _ := do(t, sbase, req{method: "GET", path: "/api/v1/athlete/0/activities", query: "oldest=2025-01-01"}); st != 422 {
		t.Fatalf("RequireNewest: got %d", st)
	}
}

func TestRateLimit(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		_, base := start(t, Options{RatePerSec: 0.5, Burst: 3, RetryAfter: retryAfter})
		var codes []int
		var hdr http.Header
		for range 4 {
			st, h, _ := do(t, base, req{method: "GET", path: "/api/v1/athlete/0"})
			codes = append(codes, st)
			hdr = h
		}
		if codes[2] != 200 || codes[3] != 429 {
			t.Fatalf("codes %v", codes)
		}
		if got := hdr.Get("Retry-After") != ""; got != retryAfter {
			t.Fatalf("Retry-After present %v, want %v", got, retryAfter)
		}
	}
}

func TestFaultSwitches(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC)
	s, base := start(t, Options{})

	s.FailNthUpload(2, 500)
	if code, _ := upload(t, base, "a.fit", ride(t0, 30, 10, 1), ""); code != 201 {
		t.Fatalf("first upload %d", code)
	}
	body, ct := form(t, "file", "b.fit", ride(t0.Add(time.Hour), 30, 10, 2))
	code, hdr, b := do(t, base, req{method: "POST", path: "/api/v1/athlete/0/activities", body: body, ctype: ct})
	if code != 500 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") || !strings.Contains(string(b), "Exception") {
		t.Fatalf("second upload %d %q", code, b)
	}

	s.DropConnectionAfterStore(1)
	body, ct = form(t, "file", "c.fit", ride(t0.Add(2*time.Hour), 30, 10, 3))
	hr, _ := http.NewRequest("POST", base+"/api/v1/athlete/0/activities", bytes.NewReader(body))
	hr.Header.Set("Content-Type", ct)
	hr.Header.Set("Authorization", basic(key))
	if resp, err := http.DefaultClient.Do(hr); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped upload answered %d", resp.StatusCode)
	}
	if s.UploadCount() != 2 {
		t.Fatalf("the dropped upload was not stored: %d creations", s.UploadCount())
	}

	s.Burst429(2)
	var codes []int
	for range 3 {
		st, _, _ := do(t, base, req{method: "GET", path: "/api/v1/athlete/0"})
		codes = append(codes, st)
	}
	if codes[0] != 429 || codes[1] != 429 || codes[2] != 200 {
		t.Fatalf("burst codes %v", codes)
	}

	s.SlowNext(1, 300*time.Millisecond)
	began := time.Now()
	do(t, base, req{method: "GET", path: "/api/v1/athlete/0"})
	if time.Since(began) < 300*time.Millisecond {
		t.Fatal("slow switch had no effect")
	}

	// mark-done is recorded (and makes the extra MANUAL activity the real one makes).
	do(t, base, req{method: "POST", path: "/api/v1/athlete/0/events/77/mark-done"})
	if s.MarkDoneCount() != 1 {
		t.Fatalf("mark-done count %d", s.MarkDoneCount())
	}

	reqs := s.Requests()
	var up []Request
	for _, r := range reqs {
		if r.Method == "POST" && r.Path == "/api/v1/athlete/0/activities" {
			up = append(up, r)
		}
	}
	if len(up) != 3 || up[0].Filename != "a.fit" || up[1].Status != 500 || up[2].Status != 0 || up[2].Filename != "c.fit" {
		t.Fatalf("recorded uploads %+v", up)
	}
	if got := strings.Join(up[0].FormParts, ","); got != "file,comment" {
		t.Fatalf("form parts %q", got)
	}
}

func TestSeedReproducesForeignUpload(t *testing.T) {
	companion := ride(time.Date(2025, 5, 3, 6, 12, 44, 0, time.UTC), 62, 28.4, 42)
	s, base := start(t, Options{})
	ids := s.Seed(companion)
	foreign := ids[len(ids)-1]
	code, m := upload(t, base, "igpsport.fit", companion, url.Values{"external_id": {"igpsport_77"}}.Encode())
	if code != 200 || m["id"] != foreign {
		t.Fatalf("got %d %v, want 200 with %s", code, m, foreign)
	}
	a, _ := s.Activity(foreign)
	if a.ExternalID != CompanionExternalID || a.OAuthClientName != "Intervals Companion" || a.ElapsedTime != 62*60 {
		t.Fatalf("foreign activity %+v", a)
	}
	if s.UploadCount() != 0 {
		t.Fatalf("creations %d", s.UploadCount())
	}
	var stubs int
	for _, a := range s.Activities() {
		if a.IsStub() {
			stubs++
		}
	}
	if stubs != 2 {
		t.Fatalf("stubs %d", stubs)
	}
}

func TestConcurrentUploadsOfTheSameBytesCreateOnce(t *testing.T) {
	s, base := start(t, Options{})
	data := ride(time.Date(2025, 6, 3, 7, 0, 0, 0, time.UTC), 45, 20, 11)
	body, ct := form(t, "file", "same.fit", data)
	codes := make(chan int, 8)
	ids := make(chan any, 8)
	for range 8 {
		go func() {
			var m map[string]any
			hr, _ := http.NewRequest("POST", base+"/api/v1/athlete/0/activities", bytes.NewReader(body))
			hr.Header.Set("Content-Type", ct)
			hr.Header.Set("Authorization", basic(key))
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Error(err)
				codes <- 0
				ids <- nil
				return
			}
			json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			codes <- resp.StatusCode
			ids <- m["id"]
		}()
	}
	created, first := 0, <-ids
	for range 8 {
		if <-codes == 201 {
			created++
		}
	}
	for range 7 {
		if id := <-ids; id != first {
			t.Fatalf("ids differ: %v %v", id, first)
		}
	}
	if created != 1 || s.UploadCount() != 1 || len(s.Activities()) != 1 {
		t.Fatalf("%d answers 201, %d creations, %d activities", created, s.UploadCount(), len(s.Activities()))
	}
}

// A known hash answers 200 even when the fake could not decode the file:
// the seeded foreign upload may be a file the decoder rejects.
func TestKnownHashAnswersBeforeDecoding(t *testing.T) {
	s, base := start(t, Options{})
	undecodable := corruptFIT(ride(time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), 30, 10, 5))
	id := s.AddActivity(Activity{Source: "OAUTH_CLIENT", StartDate: time.Date(2025, 6, 1, 7, 0, 0, 0, time.UTC), FileHash: s.FileHash(undecodable)})
	if code, m := upload(t, base, "x.fit", undecodable, ""); code != 200 || m["id"] != id {
		t.Fatalf("got %d %v", code, m)
	}
}

// NoContentDedup: the same bytes twice are two activities, as a service
// that does not recognise a repeat would make them.
func TestNoContentDedupCreatesEveryTime(t *testing.T) {
	s, base := start(t, Options{NoContentDedup: true})
	data := ride(time.Date(2025, 6, 3, 7, 0, 0, 0, time.UTC), 45, 20, 11)
	var ids []any
	for range 2 {
		code, m := upload(t, base, "same.fit", data, "")
		if code != http.StatusCreated {
			t.Fatalf("upload answered %d %v", code, m)
		}
		ids = append(ids, m["id"])
	}
	if ids[0] == ids[1] || s.UploadCount() != 2 || len(s.Activities()) != 2 {
		t.Fatalf("ids %v, %d uploads, %d activities", ids, s.UploadCount(), len(s.Activities()))
	}
}
