package bench

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/backfill"
	"fitbridge/backend/fakes/igpsportfake"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/fakes/mywhooshfake"
	"fitbridge/backend/fakes/trainingpeaksfake"
	"fitbridge/backend/fitfile"
	"fitbridge/backend/intervals"
	"fitbridge/backend/source"
	_ "fitbridge/backend/source/all"
	"fitbridge/backend/store"
)

// Realistic answer times of each kind of call.
const (
	latList     = 150 * time.Millisecond // a page of the platform's activity list
	latFileURL  = 80 * time.Millisecond  // asking for a file's (signed) address
	latObject   = 60 * time.Millisecond  // fetching the file from object storage
	latUpload   = 250 * time.Millisecond // Intervals.icu storing and parsing a FIT
	latIvlList  = 120 * time.Millisecond // Intervals.icu listing a window
	ivlPerSec   = float64(intervals.DefaultRate)
	uploadWorkr = 3
)

// delayed answers each request after the latency its kind of call has.
func delayed(h http.Handler, pick func(r *http.Request) time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := pick(r); d > 0 {
			time.Sleep(d)
		}
		h.ServeHTTP(w, r)
	})
}

func summarize(data []byte) (time.Time, float64, float64, string, error) {
	s, err := fitfile.Summarize(data)
	if err != nil {
		return time.Time{}, 0, 0, "", err
	}
	return s.Start, s.ElapsedS, s.DistanceM, s.IntervalsType(), nil
}

func intervalsFake() (*intervalsfake.Server, *httptest.Server) {
	f := intervalsfake.New(intervalsfake.Options{Summarize: summarize})
	srv := httptest.NewServer(delayed(f.Handler(), func(r *http.Request) time.Duration {
		switch {
		case r.Method == http.MethodPost:
			return latUpload
		case strings.HasSuffix(r.URL.Path, "/activities"):
			return latIvlList
		}
		return 0
	}))
	return f, srv
}

// platformCase is one platform set up for a timed backfill.
type platformCase struct {
	name string
	// start serves n activities with latency and returns the source config
	// and what the bound needs to know.
	start func(n int) (cfg source.Config, calls callCount, stop func())
}

// callCount is what one backfill must do on the platform.
type callCount struct {
	listPages  int // sequential list calls
	perItemAPI int // API calls per activity (file address, detail...)
	perItemLat time.Duration
	items      int // activities with a file
	// ivlCalls is every call the run made to Intervals.icu (uploads, the
	// listing, sport corrections), all under its 10/s limit; 0 means one
	// upload per activity and one listing.
	ivlCalls int
}

func mywhooshCase() platformCase {
	return platformCase{name: "mywhoosh", start: func(n int) (source.Config, callCount, func()) {
		f := mywhooshfake.New(mywhooshfake.Options{})
		f.Seed(n, time.Now().AddDate(-2, 0, 0), time.Now(), rand.New(rand.NewSource(1)))
		srv := httptest.NewServer(delayed(f.Handler(), func(r *http.Request) time.Duration {
			switch {
			case strings.HasSuffix(r.URL.Path, "/profile/activities"):
				return latList
			case strings.HasSuffix(r.URL.Path, "/download-activity-file"):
				return latFileURL
			case strings.HasPrefix(r.URL.Path, "/s3/"):
				return latObject
			}
			return 0
		}))
		items := 0
		for _, r := range f.Rides() {
			if r.HasFile() {
				items++
			}
		}
		cfg := source.Config{BaseURL: srv.URL, Token: f.IssueToken(), Settings: map[string]string{source.SettingMinInterval: "0s"}}
		return cfg, callCount{listPages: (n + 19) / 20, perItemAPI: 1, perItemLat: latFileURL + latObject, items: items}, srv.Close
	}}
}

func igpsportCase() platformCase {
	return platformCase{name: "igpsport", start: func(n int) (source.Config, callCount, func()) {
		f := igpsportfake.New(igpsportfake.Options{Region: "intl"})
		f.Seed(n, time.Now().AddDate(-2, 0, 0), time.Now(), rand.New(rand.NewSource(1)))
		srv := httptest.NewServer(delayed(f.Handler(), func(r *http.Request) time.Duration {
			p := r.URL.Path
			switch {
			case strings.Contains(p, "queryMyActivity"):
				return latList
			case strings.Contains(p, "queryActivityDetail") || strings.Contains(p, "getDownloadUrl"):
				return latFileURL
			case r.Method == http.MethodGet && !strings.Contains(p, "/service/"):
				return latObject
			}
			return 0
		}))
		cfg := source.Config{BaseURL: srv.URL, Region: "intl", Token: f.Token(), Settings: map[string]string{source.SettingMinInterval: "0s"}}
		return cfg, callCount{listPages: (n+19)/20 + 1, perItemAPI: 0, perItemLat: latObject, items: n}, srv.Close
	}}
}

func trainingpeaksCase() platformCase {
	return platformCase{name: "trainingpeaks", start: func(n int) (source.Config, callCount, func()) {
		f := trainingpeaksfake.New(trainingpeaksfake.Options{})
		to := time.Now().UTC()
		f.Seed(n, to.AddDate(-3, 0, 0), to, rand.New(rand.NewSource(1)))
		srv := httptest.NewServer(delayed(f.Handler(), func(r *http.Request) time.Duration {
			p := strings.ToLower(r.URL.Path)
			switch {
			case strings.Contains(p, "rawfiledata"):
				return latObject
			case strings.Contains(p, "/details"):
				return latFileURL
			case strings.Contains(p, "/workouts/"):
				return latList
			}
			return 0
		}))
		items := 0
		for _, w := range f.Workouts() {
			if w.Kind.HasFile() {
				items++
			}
		}
		cfg := source.Config{BaseURL: srv.URL, Token: f.IssueCookie(), Settings: map[string]string{source.SettingMinInterval: "0s", "retry_base": "1ms"}}
		// Whole history walks 90-day windows back to 2000 (about 110 list calls).
		return cfg, callCount{listPages: 110, perItemAPI: 1, perItemLat: latFileURL + latObject, items: items}, srv.Close
	}}
}

// bound is the shortest time the backfill could take: the slowest of the
// Intervals.icu rate limit, the upload latency spread over the workers, the
// downloads spread over the platform's concurrency, plus the listing and
// one activity's trip through the pipeline, which nothing can overlap.
func bound(c callCount, conc int) time.Duration {
	// The limiter lets its first burst through at once.
	calls := c.ivlCalls
	if calls == 0 {
		calls = c.items + 1
	}
	rateBound := time.Duration(float64(max(calls-intervals.DefaultBurst, 0)) / ivlPerSec * float64(time.Second))
	uploads := time.Duration(c.items) * latUpload / uploadWorkr
	downloads := time.Duration(c.items) * c.perItemLat / time.Duration(conc)
	b := max(rateBound, uploads, downloads)
	return b + time.Duration(c.listPages)*latList + latIvlList + c.perItemLat + latUpload
}

func runEngine(b *testing.B, pc platformCase, n int, oneAtATime bool) (time.Duration, time.Duration, int) {
	b.Helper()
	cfg, calls, stop := pc.start(n)
	defer stop()
	ivl, ivlSrv := intervalsFake()
	defer ivlSrv.Close()
	desc, _ := source.Lookup(pc.name)
	src, err := desc.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	home := b.TempDir()
	st, err := store.Open(home)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	client := intervals.New(ivlSrv.URL, ivl.AthleteID(), ivl.APIKey())

	began := time.Now()
	if oneAtATime {
		oneByOne(b, src, desc, client)
	} else {
		eng := &backfill.Engine{Store: st, Cache: store.NewCache(home), Intervals: client, Location: ivl.Location(),
			Sources: []backfill.Connected{{Desc: desc, Source: src}}, Options: backfill.Options{StravaAsDuplicate: true, UploadWorkers: uploadWorkr}}
		res, err := eng.Run(context.Background(), backfill.Request{})
		if err != nil {
			b.Fatal(err)
		}
		// A random history has the odd pair a day apart with the same
		// minutes and seconds: held for review (rule 6), not uploaded.
		if res.Uploaded+res.Skipped < calls.items || res.Uploaded < calls.items*9/10 {
			b.Fatalf("uploaded %d of %d (%+v)", res.Uploaded, calls.items, res)
		}
		calls.items = res.Uploaded
	}
	took := time.Since(began)
	if !oneAtATime && ivl.UploadCount() != calls.items {
		b.Fatalf("the fake holds %d uploads, want %d", ivl.UploadCount(), calls.items)
	}
	if !oneAtATime {
		// A sport the file gets wrong costs a correction per ride: each is
		// a call under the same limit, so it belongs in the bound.
		calls.ivlCalls = len(ivl.Requests())
	}
	conc := desc.Limits.Concurrency
	if conc <= 0 {
		conc = 4
	}
	return took, bound(calls, conc), calls.items
}

// oneByOne is the baseline: list, then for each activity download it and
// upload it before touching the next.
func oneByOne(b *testing.B, src source.Source, desc source.Descriptor, client *intervals.Client) {
	var acts []source.Activity
	if err := src.List(context.Background(), source.Query{}, func(a source.Activity) error {
		if a.SkipReason == "" {
			acts = append(acts, a)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for _, a := range acts {
		data, err := src.Download(context.Background(), a)
		if err != nil {
			continue // no file on the platform
		}
		if _, err := client.Upload(context.Background(), intervals.Upload{Filename: a.RemoteID + ".fit", Data: data, ExternalID: desc.ExternalIDFor(a.RemoteID)}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchBackfill(b *testing.B, pc platformCase, n int) {
	for i := 0; i < b.N; i++ {
		took, bnd, items := runEngine(b, pc, n, false)
		base, _, _ := runEngine(b, pc, n, true)
		ratio := took.Seconds() / bnd.Seconds()
		speedup := base.Seconds() / took.Seconds()
		b.ReportMetric(ratio, "ratio-to-bound")
		b.ReportMetric(speedup, "speedup")
		fmt.Printf("%s backfill of %d activities: %.1fs (bound %.1fs, one at a time %.1fs)\n", pc.name, items, took.Seconds(), bnd.Seconds(), base.Seconds())
		fmt.Printf("ratio to bound: %.2f\n", ratio)
		fmt.Printf("speedup over one-at-a-time: %.1f\n", speedup)
	}
}

func BenchmarkBackfillMyWhoosh500(b *testing.B)      { benchBackfill(b, mywhooshCase(), 500) }
func BenchmarkBackfillIGPSport300(b *testing.B)      { benchBackfill(b, igpsportCase(), 300) }
func BenchmarkBackfillTrainingPeaks200(b *testing.B) { benchBackfill(b, trainingpeaksCase(), 200) }
