package example_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/source"
	"fitbridge/backend/source/example"
	"fitbridge/backend/source/sourcetest"
)

// fake is the made-up service, strict like the real fakes: a wrong bearer
// gets 401, an unknown ride 404, a bad query 400.
type fake struct {
	mu      sync.Mutex
	srv     *httptest.Server
	token   string
	rides   map[string]sourcetest.Ride
	nextID  int
	pageLen int
	twice   map[string]bool // rows listed twice
}

func newFake(t *testing.T) *fake {
	f := &fake{token: "example-session-4711", rides: map[string]sourcetest.Ride{}, pageLen: 5, twice: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/rides", f.list)
	mux.HandleFunc("GET /api/rides/{id}/file", f.file)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		ok := r.Header.Get("Authorization") == "Bearer "+f.token
		f.mu.Unlock()
		if !ok {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := strconv.Atoi(q.Get("page"))
	since, err1 := day(q.Get("since"), time.Time{})
	until, err2 := day(q.Get("until"), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || page < 1 || err1 != nil || err2 != nil {
		http.Error(w, "bad query", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	ids := make([]string, 0, len(f.rides))
	for id, rd := range f.rides {
		if !rd.Start.Before(since) && rd.Start.Before(until.AddDate(0, 0, 1)) {
			ids = append(ids, id)
		}
	}
	for id := range f.twice {
		if _, ok := f.rides[id]; ok {
			ids = append(ids, id)
		}
	}
	sort.SliceStable(ids, func(i, j int) bool { return f.rides[ids[i]].Start.After(f.rides[ids[j]].Start) })
	type row struct {
		ID      string    `json:"id"`
		Start   time.Time `json:"start"`
		HasFile bool      `json:"hasFile"`
	}
	ans := struct {
		Rides []row `json:"rides"`
		Next  int   `json:"next"`
	}{Rides: []row{}}
	for _, id := range ids[min(len(ids), (page-1)*f.pageLen):min(len(ids), page*f.pageLen)] {
		ans.Rides = append(ans.Rides, row{id, f.rides[id].Start, f.rides[id].File != nil})
	}
	if page*f.pageLen < len(ids) {
		ans.Next = page + 1
	}
	f.mu.Unlock()
	json.NewEncoder(w).Encode(ans)
}

func day(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	return time.Parse(time.DateOnly, s)
}

func (f *fake) file(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	rd, ok := f.rides[r.PathValue("id")]
	f.mu.Unlock()
	if !ok || rd.File == nil {
		http.NotFound(w, r)
		return
	}
	time.Sleep(20 * time.Millisecond) // long enough for downloads to overlap
	w.Write(rd.File)
}

func (f *fake) Config() source.Config {
	return source.Config{BaseURL: f.srv.URL, Token: "example-session-4711", Settings: map[string]string{source.SettingMinInterval: "0s"}}
}

func (f *fake) add(id string, r sourcetest.Ride) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rides[id] = r
	return id
}

func (f *fake) AddRide(r sourcetest.Ride) string {
	f.mu.Lock()
	f.nextID++
	id := "r" + strconv.Itoa(f.nextID)
	f.mu.Unlock()
	return f.add(id, r)
}

func (f *fake) AddRideZero(r sourcetest.Ride) string { return f.add("0", r) }

func (f *fake) DuplicateRow(id string) {
	f.mu.Lock()
	f.twice[id] = true
	f.mu.Unlock()
}

func (f *fake) ExpireSession() {
	f.mu.Lock()
	f.token = "another session"
	f.mu.Unlock()
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, sourcetest.Harness{
		Name:     example.Name,
		Start:    func(t *testing.T) sourcetest.Fake { return newFake(t) },
		Accepts:  []sourcetest.Kind{sourcetest.FIT, sourcetest.GzipFIT, sourcetest.TCX, sourcetest.GPX},
		PageSize: 5,
		IsFile:   func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/file") },
	})
}

// The limits check bites: measured against a slower declaration than the
// one that runs, the same calls fail it.
func TestMeasuredLimitsCatchAFasterPlatform(t *testing.T) {
	f := newFake(t)
	for i := range 4 {
		f.AddRide(sourcetest.Ride{Start: time.Now().AddDate(0, 0, -i), File: sourcetest.Sample(sourcetest.FIT, time.Now())})
	}
	meter := &sourcetest.Meter{IsFile: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/file") }}
	cfg := f.Config()
	cfg.Settings = nil // the declared 5 a second runs
	cfg.Transport = meter
	c, err := example.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var acts []source.Activity
	if err := c.List(t.Context(), source.Query{}, func(a source.Activity) error { acts = append(acts, a); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if _, err := c.Download(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := meter.Check(example.Limits); err != nil {
		t.Fatalf("the declared limits were broken: %v", err)
	}
	if err := meter.Check(source.Limits{PerSecond: 2, Burst: 1}); err == nil {
		t.Fatalf("%d calls at %.1f a second passed as 2 a second", meter.Calls(), meter.Rate())
	}
}
