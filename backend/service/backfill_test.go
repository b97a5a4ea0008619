package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
	"fitbridge/backend/secrets"
	_ "fitbridge/backend/source/all"
)

// Many quick "Start" clicks start one run: the check that none is going and
// the recording of the new one are one step.
func TestConcurrentStartsStartOneRun(t *testing.T) {
	const key = "start-test-key-7d0c2b"
	ivs := intervalsfake.New(intervalsfake.Options{APIKey: key, AthleteName: "Ada Rider"})
	ivsURL := ivs.Start()
	t.Cleanup(ivs.Close)
	// Intervals.icu answers the sign-in at once; once held, the run's calls
	// wait until the test lets them go, so the first run is still going
	// while the other starts arrive.
	target, _ := url.Parse(ivsURL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	var held bool
	var mu sync.Mutex
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := held
		mu.Unlock()
		if h {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	t.Cleanup(free)

	env := map[string]string{"FITBRIDGE_INTERVALS_URL": gate.URL}
	svc, err := Open(Options{Home: t.TempDir(), Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	if _, err := svc.ConnectIntervals(context.Background(), ivs.AthleteID(), key); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ride := filepath.Join(dir, "ride.fit")
	if err := os.WriteFile(ride, fitgen.Activity(fitgen.Ride{Start: time.Date(2025, 5, 1, 7, 0, 0, 0, time.UTC), Duration: 20 * time.Minute, DistanceM: 8000}), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(ride, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConnectFolder("folder", dir); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	held = true
	mu.Unlock()

	const starts = 8
	var wg sync.WaitGroup
	errs := make([]error, starts)
	ready := make(chan struct{})
	for i := range starts {
		wg.Go(func() {
			<-ready
			_, errs[i] = svc.StartBackfill(BackfillRequest{})
		})
	}
	close(ready)
	wg.Wait()
	started := 0
	for _, err := range errs {
		switch {
		case err == nil:
			started++
		case !strings.Contains(err.Error(), "already running"):
			t.Errorf("start: %v", err)
		}
	}
	if started != 1 {
		t.Errorf("%d of %d quick starts started a run, want exactly 1", started, starts)
	}
	if !svc.Progress().Running {
		t.Errorf("the one run is not shown as running: %+v", svc.Progress())
	}
	free()
	svc.waitRun(30 * time.Second)
	if p := svc.Progress(); p.Running {
		t.Errorf("run still going after release: %+v", p)
	}
}
