package soak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/secrets"
	"fitbridge/backend/service"
	"fitbridge/backend/source"
	_ "fitbridge/backend/source/all"
	"fitbridge/backend/store"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runFakes(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// The simulated day. One cycle is one poll of one source; a real poll comes
// every few minutes, here as soon as the last one ends.
const (
	defaultCycles = 10000
	addEvery      = 50  // cycles between new rides (one cloud ride, one Zwift file)
	faultEvery    = 500 // cycles between fault windows
	faultAt       = 220 // where in each faultEvery block the window opens...
	faultLen      = 12  // ...and for how many cycles
	faultRate     = 0.08
	expireAt      = 400 // where in each block a session expires and is reconnected
	touchEvery    = 7   // cycles between writes to Zwift's live recording
	slot          = 3 * time.Hour
	settle        = 150 * time.Millisecond

	maxHeapGrowth = 5 << 20
	// Goroutines and descriptors that may come and go on their own (the
	// runtime's, a keep-alive connection being torn down).
	goroutineSlack = 2
	fdSlack        = 2
)

var (
	rotation = []string{"mywhoosh", "igpsport", "trainingpeaks", "zwift"}
	clouds   = []string{"mywhoosh", "igpsport", "trainingpeaks"}
)

// added is one ride put on a platform during the soak.
type added struct {
	source string
	start  time.Time
}

func TestSoak(t *testing.T) {
	if os.Getenv("FITBRIDGE_SOAK") != "1" {
		t.Skip("the soak runs for minutes: `make soak` (FITBRIDGE_SOAK=1) runs it")
	}
	cycles := defaultCycles
	if v := os.Getenv("FITBRIDGE_SOAK_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("FITBRIDGE_SOAK_CYCLES=%q is not a positive number", v)
		}
		cycles = n
	}
	root := t.TempDir()
	pre := measure(root)

	// History ends a week before the soak's rides start, so no new ride
	// can pass for one already there.
	slots := cycles/addEvery + 1
	soakStart := time.Now().UTC().Add(-time.Duration(slots)*slot - 24*time.Hour).Truncate(time.Hour)
	fk, err := startFakes(soakStart.AddDate(0, 0, -7))
	if err != nil {
		t.Fatal(err)
	}
	fakesStopped := false
	defer func() {
		if !fakesStopped {
			_ = fk.stop()
		}
	}()

	home := filepath.Join(root, "home")
	zwiftDir := filepath.Join(root, "Zwift", "Activities")
	if err := os.MkdirAll(zwiftDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		start := soakStart.AddDate(0, -3, 0).Add(time.Duration(i) * 49 * time.Hour)
		if err := writeZwift(zwiftDir, start, 1000+i, time.Now().Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"FITBRIDGE_HOME":              home,
		"FITBRIDGE_INTERVALS_URL":     fk.hello.Intervals,
		"FITBRIDGE_MYWHOOSH_URL":      fk.hello.MyWhoosh,
		"FITBRIDGE_IGPSPORT_URL":      fk.hello.IGPSport,
		"FITBRIDGE_TRAININGPEAKS_URL": fk.hello.TrainingPeaks,
	}
	svc, err := service.Open(service.Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	svcClosed := false
	defer func() {
		if !svcClosed {
			svc.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Minute)
	defer cancel()
	if err := connect(ctx, svc, fk, zwiftDir); err != nil {
		t.Fatal(err)
	}

	// Continuous sync as the app runs it: folder events start passes of
	// their own. Cloud polls come from the loop below instead of its timer.
	w := svc.Watcher(service.WatchOptions{Settle: settle, Poll: 24 * time.Hour})
	var eventPasses atomic.Int64
	firstPass := make(chan struct{})
	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() {
		runDone <- w.Run(runCtx, func(service.PassResult, error) {
			if eventPasses.Add(1) == 1 {
				close(firstPass)
			}
		})
	}()
	runStopped := false
	defer func() {
		if !runStopped {
			stopRun()
			<-runDone
		}
	}()
	// Warm-up: Run's first pass syncs every source in full; then one poll
	// of each, so every path the loop takes has run once.
	select {
	case <-firstPass:
	case err := <-runDone:
		runStopped = true
		t.Fatalf("continuous sync stopped before its first pass ended: %v", err)
	case <-ctx.Done():
		t.Fatal("the first pass did not end")
	}
	for _, src := range rotation {
		if _, err := w.Pass(ctx, []string{src}); err != nil {
			t.Fatalf("warm-up pass of %s: %v", src, err)
		}
	}
	r0, err := fk.call(command{Op: "uploads"})
	if err != nil {
		t.Fatal(err)
	}
	if r0.Uploads == 0 {
		t.Fatal("the warm-up uploaded nothing: the fakes are not wired up")
	}
	base := measureSettled(root, usage{})
	t.Logf("warm-up: %d uploads; baseline heap %.2f MB, goroutines %d, fds %d", r0.Uploads, mb(base.heap), base.goroutines, base.fds)

	var (
		rides       []added
		perSource   = map[string]time.Duration{}
		perCount    = map[string]int{}
		slowest     = map[string]time.Duration{}
		unexpected  []string
		inFault     bool
		faultPasses int
		reconnects  int
		live        []byte
	)
	began := time.Now()
	for i := 0; i < cycles; i++ {
		block := i % faultEvery
		switch {
		case i%addEvery == addEvery/2:
			k := len(rides) / 2
			start := rideStart(soakStart, len(rides))
			src := clouds[k%len(clouds)]
			if _, err := fk.call(command{Op: "add", Source: src, Start: start, K: k}); err != nil {
				t.Fatal(err)
			}
			// The Zwift ride is later in the same slot: never the same ride.
			zStart := rideStart(soakStart, len(rides)+1)
			if err := writeZwift(zwiftDir, zStart, 5000+k, time.Time{}); err != nil {
				t.Fatal(err)
			}
			rides = append(rides, added{src, start}, added{"zwift", zStart})
		case block == faultAt:
			inFault = true
			if _, err := fk.call(command{Op: "faults", Rate: faultRate}); err != nil {
				t.Fatal(err)
			}
		case block == faultAt+faultLen:
			inFault = false
			if _, err := fk.call(command{Op: "faults", Rate: 0}); err != nil {
				t.Fatal(err)
			}
		case block == expireAt:
			src := clouds[(i/faultEvery)%len(clouds)]
			if err := expireAndReconnect(ctx, svc, w, fk, src); err != nil {
				unexpected = append(unexpected, fmt.Sprintf("cycle %d: %v", i, err))
			}
			reconnects++
		}
		if i%touchEvery == 0 {
			// Zwift rewrites its live recording all ride long: events to ignore.
			live = append(live, make([]byte, 64)...)
			if len(live) > 64<<10 {
				live = live[:0]
			}
			if err := os.WriteFile(filepath.Join(zwiftDir, "inProgressActivity.fit"), live, 0o644); err != nil {
				t.Fatal(err)
			}
		}

		src := rotation[i%len(rotation)]
		t0 := time.Now()
		res, err := w.Pass(ctx, []string{src})
		d := time.Since(t0)
		if inFault {
			faultPasses++
		} else {
			perSource[src] += d
			perCount[src]++
			slowest[src] = max(slowest[src], d)
			if err != nil || len(res.SourceErrors) > 0 {
				unexpected = append(unexpected, fmt.Sprintf("cycle %d, %s: err %v, source errors %v", i, src, err, res.SourceErrors))
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("out of time after %d cycles", i)
		}
		if (i+1)%1000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			t.Logf("%d cycles, %s: heap %.2f MB (before GC), resident %.1f MB, goroutines %d, rides added %d",
				i+1, time.Since(began).Round(time.Second), mb(ms.HeapAlloc), mb(residentBytes()), runtime.NumGoroutine(), len(rides))
		}
	}
	soakTime := time.Since(began)
	if inFault {
		if _, err := fk.call(command{Op: "faults", Rate: 0}); err != nil {
			t.Fatal(err)
		}
	}

	// Rides that failed in a fault window wait for their next try (minutes
	// away in real time): poll a little more, then run the backfill a rider
	// would start, which retries them at once. Lost rides fail below.
	want := r0.Uploads + len(rides)
	got := drain(ctx, w, fk, want, 20*time.Second)
	retried := 0
	if got < want {
		before := got
		if _, err := svc.Backfill(ctx, service.BackfillOptions{}, nil); err != nil {
			t.Errorf("final backfill: %v", err)
		}
		got = drain(ctx, w, fk, want, 10*time.Second)
		retried = got - before
	}

	end := measureSettled(root, base)
	report, err := fk.call(command{Op: "report", Since: soakStart.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	fmt.Printf("soak: %d cycles in %s, heap growth %.2f MB, goroutines %d→%d, fds %d→%d\n",
		cycles, soakTime.Round(time.Second), mb(int64(end.heap)-int64(base.heap)), base.goroutines, end.goroutines, base.fds, end.fds)
	var avg []string
	for _, src := range rotation {
		if n := perCount[src]; n > 0 {
			avg = append(avg, fmt.Sprintf("%s %.1f ms (max %d ms)", src, float64(perSource[src].Microseconds())/float64(n)/1000, slowest[src].Milliseconds()))
		}
	}
	fmt.Printf("soak: pass time outside fault windows: %s\n", strings.Join(avg, ", "))
	fmt.Printf("soak: %d rides added, %d uploads (%d after the final backfill), %d folder-event passes, %d reconnects, %d faults injected in %d passes; requests served %v\n",
		len(rides), got-r0.Uploads, retried, eventPasses.Load()-1, reconnects, report.Injected, faultPasses, report.Requests)
	fmt.Printf("soak: resident memory %.1f → %.1f MB (SQLite's memory is outside the Go heap); %s\n", mb(base.rss), mb(end.rss), listingCost(t, svc))

	// Every new ride reached Intervals.icu exactly once.
	if got != want {
		t.Errorf("%d uploads during the soak, want %d (one per new ride)", got-r0.Uploads, len(rides))
		rows, _ := svc.Store.List(store.Filter{Since: soakStart.Add(-time.Hour)})
		for _, r := range rows {
			if r.State != store.StateUploaded {
				t.Logf("in the library: %s %s %s: %s", r.Source, r.RemoteID, r.State, r.Reason)
			}
		}
	}
	for _, r := range rides {
		n := 0
		for _, s := range report.Starts {
			if d := s.Sub(r.start); d > -2*time.Minute && d < 2*time.Minute {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s ride starting %s is in Intervals.icu %d times, want once", r.source, r.start.Format(time.RFC3339), n)
		}
	}
	for i, u := range unexpected {
		if i == 10 {
			t.Errorf("... and %d more", len(unexpected)-10)
			break
		}
		t.Errorf("outside fault windows: %s", u)
	}

	if growth := int64(end.heap) - int64(base.heap); growth >= maxHeapGrowth {
		t.Errorf("heap grew by %.2f MB over %d cycles (limit %.0f MB); profile: %s", mb(growth), cycles, mb(maxHeapGrowth), writeProfile(t, "heap"))
	}
	if end.goroutines > base.goroutines+goroutineSlack {
		t.Errorf("goroutines %d → %d; profile: %s", base.goroutines, end.goroutines, writeProfile(t, "goroutine"))
	}
	if base.fds >= 0 && end.fds > base.fds+fdSlack {
		t.Errorf("open files %d → %d: %s", base.fds, end.fds, strings.Join(openFiles(), ", "))
	}
	if len(end.browsers) > 0 {
		t.Errorf("browser processes left: %s", strings.Join(end.browsers, "; "))
	}

	// Stopping continuous sync, the library and the fakes leaves nothing
	// of them behind either.
	stopRun()
	if err := <-runDone; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("continuous sync ended with %v", err)
	}
	runStopped = true
	if err := svc.Close(); err != nil {
		t.Errorf("close the library: %v", err)
	}
	svcClosed = true
	if err := fk.stop(); err != nil {
		t.Errorf("fakes: %v", err)
	}
	fakesStopped = true
	after := measureSettled(root, pre)
	fmt.Printf("soak: after shutdown goroutines %d→%d, fds %d→%d, browser processes %d\n", pre.goroutines, after.goroutines, pre.fds, after.fds, len(after.browsers))
	if after.goroutines > pre.goroutines+goroutineSlack {
		t.Errorf("after shutdown goroutines %d → %d; profile: %s", pre.goroutines, after.goroutines, writeProfile(t, "goroutine"))
	}
	if pre.fds >= 0 && after.fds > pre.fds+fdSlack {
		t.Errorf("after shutdown open files %d → %d: %s", pre.fds, after.fds, strings.Join(openFiles(), ", "))
	}
	if len(after.browsers) > 0 {
		t.Errorf("browser processes left: %s", strings.Join(after.browsers, "; "))
	}
}

// rideStart is when the soak's j-th ride began: even ones on a cloud
// platform, odd ones in Zwift later in the same slot. Rides up to 38 h apart
// by a multiple of half an hour look like one ride seen in two time zones
// (and are held for review), so each of 64 neighbours gets its own seconds.
func rideStart(soakStart time.Time, j int) time.Time {
	t := soakStart.Add(time.Duration(j/2)*slot + time.Duration(j%64)*5*time.Second)
	if j%2 == 1 {
		t = t.Add(90 * time.Minute)
	}
	return t
}

// connect signs in to every service the way a rider does, with no pause
// between calls (the fakes run on this computer).
func connect(ctx context.Context, svc *service.Service, fk *fakesProc, zwiftDir string) error {
	if _, err := svc.ConnectIntervals(ctx, athleteID, apiKey); err != nil {
		return fmt.Errorf("Intervals.icu: %w", err)
	}
	if _, err := svc.ConnectPassword(ctx, "mywhoosh", "", mwEmail, mwPassword); err != nil {
		return fmt.Errorf("MyWhoosh: %w", err)
	}
	if _, err := svc.ConnectPassword(ctx, "igpsport", igpsRegion, igpsUser, igpsPass); err != nil {
		return fmt.Errorf("iGPSport: %w", err)
	}
	if _, err := svc.ConnectToken(ctx, "trainingpeaks", "", fk.hello.TPCookie); err != nil {
		return fmt.Errorf("TrainingPeaks: %w", err)
	}
	if _, err := svc.ConnectFolder("zwift", zwiftDir); err != nil {
		return fmt.Errorf("Zwift folder: %w", err)
	}
	for _, name := range clouds {
		if err := svc.SetAccountSetting(name, source.SettingMinInterval, "0s"); err != nil {
			return err
		}
	}
	// Retries wait in compressed time too, or a fault window would stall
	// TrainingPeaks' ~110-call listing for minutes.
	return svc.SetAccountSetting("trainingpeaks", "retry_base", "50ms")
}

// expireAndReconnect ends a platform's session, checks that the next poll
// asks the rider to sign in again, signs in and checks that polling resumes.
func expireAndReconnect(ctx context.Context, svc *service.Service, w *service.Watcher, fk *fakesProc, src string) error {
	if _, err := fk.call(command{Op: "expire", Source: src}); err != nil {
		return err
	}
	_, err := w.Pass(ctx, []string{src})
	var sie *service.SignInError
	if !errors.As(err, &sie) {
		return fmt.Errorf("%s with an expired session: got %v, want a request to sign in again", src, err)
	}
	switch src {
	case "mywhoosh":
		_, err = svc.ConnectPassword(ctx, src, "", mwEmail, mwPassword)
	case "igpsport":
		_, err = svc.ConnectPassword(ctx, src, igpsRegion, igpsUser, igpsPass)
	case "trainingpeaks":
		var r reply
		if r, err = fk.call(command{Op: "cookie"}); err == nil {
			_, err = svc.ConnectToken(ctx, src, "", r.Cookie)
		}
	}
	if err != nil {
		return fmt.Errorf("reconnect %s: %w", src, err)
	}
	if res, err := w.Pass(ctx, []string{src}); err != nil || len(res.SourceErrors) > 0 {
		return fmt.Errorf("%s after reconnecting: err %v, source errors %v", src, err, res.SourceErrors)
	}
	return nil
}

// drain polls every source until Intervals.icu holds want uploads or the
// time is up, and returns what it holds.
func drain(ctx context.Context, w *service.Watcher, fk *fakesProc, want int, limit time.Duration) int {
	stop := time.Now().Add(limit)
	for {
		r, err := fk.call(command{Op: "uploads"})
		if err != nil || r.Uploads >= want || time.Now().After(stop) {
			return r.Uploads
		}
		for _, src := range rotation {
			_, _ = w.Pass(ctx, []string{src})
		}
	}
}

// writeZwift saves a ride as Zwift does. A zero mtime leaves the file as
// just written, so it settles while the soak goes on.
func writeZwift(dir string, start time.Time, serial int, mtime time.Time) error {
	data := fitgen.Activity(fitgen.Ride{Start: start, Duration: 45 * time.Minute, DistanceM: 24000 + float64(serial%5000),
		SubSport: fit.SubSportVirtualActivity, Manufacturer: fit.ManufacturerZwift, Serial: uint32(serial), AvgPower: 190, AvgHR: 138})
	name := filepath.Join(dir, start.Local().Format("2006-01-02-15-04-05")+".fit")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return err
	}
	if !mtime.IsZero() {
		return os.Chtimes(name, mtime, mtime)
	}
	return nil
}

// usage is what the process holds at one moment.
type usage struct {
	heap       uint64
	rss        int64 // resident set, -1 where /proc is missing
	goroutines int
	fds        int // -1 where /proc is missing
	browsers   []string
}

func measure(root string) usage {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// Hand freed heap back first, so the resident set shows what is held.
	debug.FreeOSMemory()
	return usage{heap: ms.HeapAlloc, rss: residentBytes(), goroutines: runtime.NumGoroutine(), fds: countFDs(), browsers: browsers(root)}
}

func residentBytes() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// listingCost says what a poll spends per activity it lists: the engine
// records every listed activity again, known or not, one transaction each.
func listingCost(t *testing.T, svc *service.Service) string {
	rows, err := svc.Store.List(store.Filter{States: []store.State{store.StateUploaded}, Limit: 1})
	if err != nil || len(rows) == 0 {
		return "no uploaded activity to time"
	}
	known := rows[0]
	const n = 500
	began := time.Now()
	for range n {
		if _, _, err := svc.Store.Discover(&store.Activity{Source: known.Source, RemoteID: known.RemoteID, Name: known.Name}); err != nil {
			t.Errorf("record a known activity: %v", err)
			break
		}
	}
	per := time.Since(began) / n
	counts, _ := svc.Store.Counts(store.Filter{})
	var listed []string
	for _, src := range rotation {
		total := 0
		for _, c := range counts[src] {
			total += c
		}
		listed = append(listed, fmt.Sprintf("%s %d", src, total))
	}
	return fmt.Sprintf("recording one already-known listed activity takes %d µs; activities listed per poll at the end: %s", per.Microseconds(), strings.Join(listed, ", "))
}

// measureSettled measures until goroutines and descriptors are back to
// target, or stopped changing when there is none (zero usage), or a few
// seconds passed: closed connections end their goroutines a moment later.
func measureSettled(root string, target usage) usage {
	stop := time.Now().Add(5 * time.Second)
	prev := measure(root)
	for {
		if target.goroutines > 0 && prev.goroutines <= target.goroutines && prev.fds <= target.fds {
			return prev
		}
		time.Sleep(100 * time.Millisecond)
		u := measure(root)
		if target.goroutines == 0 && u.goroutines == prev.goroutines && u.fds == prev.fds {
			return u
		}
		if time.Now().After(stop) {
			return u
		}
		prev = u
	}
}

func countFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// openFiles names what the descriptors point at, for a failure message.
func openFiles() []string {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil {
			out = append(out, e.Name()+"→"+target)
		}
	}
	return out
}

// browsers lists Chromium processes that are this process's descendants or
// use a profile under root. Other programs' browsers are not ours to count.
func browsers(root string) []string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(bytes.ToLower(cmd), []byte("chrom")) {
			continue
		}
		if bytes.Contains(cmd, []byte(root)) || descends(pid, self) {
			out = append(out, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))
		}
	}
	return out
}

func descends(pid, ancestor int) bool {
	for range 64 {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		// The command sits in parentheses and may hold blanks: fields follow the last ')'.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 {
			return false
		}
		if pid, err = strconv.Atoi(f[1]); err != nil || pid <= 1 {
			return false
		}
		if pid == ancestor {
			return true
		}
	}
	return false
}

// writeProfile saves a profile for a failure message to point at.
func writeProfile(t *testing.T, name string) string {
	f, err := os.CreateTemp("", "soak-"+name+"-*.pprof")
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	debug := 0
	if name == "goroutine" {
		debug = 1 // readable as text
	}
	if err := pprof.Lookup(name).WriteTo(f, debug); err != nil {
		return err.Error()
	}
	t.Logf("%s profile written to %s", name, f.Name())
	return f.Name()
}

func mb[T int64 | uint64 | int](n T) float64 { return math.Round(float64(n)/(1<<20)*100) / 100 }
