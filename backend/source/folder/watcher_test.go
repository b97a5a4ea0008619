package folder

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// recorder collects what a watcher reports, with the time of each report.
type recorder struct {
	mu    sync.Mutex
	seen  map[string]int
	at    map[string]time.Time
	total int
	ch    chan string
}

func newRecorder() *recorder {
	return &recorder{seen: map[string]int{}, at: map[string]time.Time{}, ch: make(chan string, 1000)}
}

func (r *recorder) found(p string) {
	r.mu.Lock()
	r.seen[filepath.Base(p)]++
	r.total++
	if _, ok := r.at[filepath.Base(p)]; !ok {
		r.at[filepath.Base(p)] = time.Now()
	}
	r.mu.Unlock()
	r.ch <- p
}

func (r *recorder) counts() (map[string]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.seen {
		out[k] = v
	}
	return out, r.total
}

// waitFor waits until n reports arrived in all.
func (r *recorder) waitFor(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if _, total := r.counts(); total >= n {
			return
		}
		select {
		case <-r.ch:
		case <-deadline:
			seen, total := r.counts()
			t.Fatalf("got %d reports, want %d: %v", total, n, seen)
		}
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// startWatcher runs a watcher until the test ends and checks Run returned.
func startWatcher(t *testing.T, dirs []string, opts WatchOptions) *recorder {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w := NewWatcher(dirs, opts)
	go func() { done <- w.Run(ctx, rec.found) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return rec
}

func TestWatcherSlowWriteFoundOnceAfterSettling(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const settle = time.Second
	rec := startWatcher(t, []string{dir}, WatchOptions{Settle: settle, Rescan: 200 * time.Millisecond})

	ride := fixture(t, zwiftRide)
	f, err := os.Create(filepath.Join(dir, "2017-10-05-00-03-29.fit"))
	if err != nil {
		t.Fatal(err)
	}
	const chunks = 5
	var lastWrite time.Time
	for i := range chunks {
		part := ride[i*len(ride)/chunks : (i+1)*len(ride)/chunks]
		if _, err := f.Write(part); err != nil {
			t.Fatal(err)
		}
		lastWrite = time.Now()
		if i < chunks-1 {
			time.Sleep(400 * time.Millisecond)
			if _, total := rec.counts(); total != 0 {
				t.Fatalf("reported after %d of %d chunks", i+1, chunks)
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	rec.waitFor(t, 1, 5*time.Second)
	at := rec.at["2017-10-05-00-03-29.fit"]
	// Allow for coarse file-system timestamps.
	if early := lastWrite.Add(settle - 50*time.Millisecond); at.Before(early) {
		t.Fatalf("reported %v after the last write, before the %v settle period", at.Sub(lastWrite), settle)
	}
	time.Sleep(settle) // several rescans and timer wake-ups
	if seen, total := rec.counts(); total != 1 {
		t.Fatalf("reported %d times: %v", total, seen)
	}
}

func TestWatcherBurst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rec := startWatcher(t, []string{dir}, WatchOptions{Settle: 300 * time.Millisecond, Rescan: 250 * time.Millisecond})
	const n = 50
	for i := range n {
		writeFile(t, dir, fmt.Sprintf("2026-03-01-18-%02d-00.fit", i), syntheticRide(t, uint32(i+1)), time.Time{})
	}
	rec.waitFor(t, n, 10*time.Second)
	time.Sleep(600 * time.Millisecond)
	seen, total := rec.counts()
	if total != n || len(seen) != n {
		t.Fatalf("%d reports for %d files, want each of %d once", total, len(seen), n)
	}
}

func TestWatcherRules(t *testing.T) {
	ride := fixture(t, zwiftRide)
	tcx := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	tests := []struct {
		name  string
		rules Rules
		want  map[string]int
	}{
		// A settled damaged file is reported too: the engine repairs it.
		{"Zwift", ZwiftRules, map[string]int{"2017-10-05-00-03-29.fit": 1, "broken.fit": 1, "copy.fit": 1}},
		// Zwift's 584-byte stubs are ignored by name and size; on a head unit
		// such a file is a damaged ride, which the library shows with why.
		{"device", DeviceRules, map[string]int{"2017-10-05-00-03-29.fit": 1, "2026-03-01-18-39-52.fit": 1, "broken.fit": 1, "copy.fit": 1, "run.tcx": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			// Present before start-up: found by the first scan.
			writeFile(t, dir, "2017-10-05-00-03-29.fit", ride, longAgo)
			writeFile(t, dir, "inProgressActivity.fit", ride, longAgo)
			rec := startWatcher(t, []string{dir}, WatchOptions{Settle: 300 * time.Millisecond, Rescan: 200 * time.Millisecond, Rules: tt.rules})
			// Arriving later.
			writeFile(t, dir, "copy.fit", ride, time.Time{}) // same bytes, other name: the engine dedups by content
			writeFile(t, dir, "2026-03-01-18-39-52.fit", ride[:584], time.Time{})
			writeFile(t, dir, "run.tcx", tcx, time.Time{})
			writeFile(t, dir, "notes.txt", []byte("not a ride"), time.Time{})
			writeFile(t, dir, "broken.fit", ride[:len(ride)-10], time.Time{})

			want := 0
			for _, n := range tt.want {
				want += n
			}
			rec.waitFor(t, want, 5*time.Second)
			time.Sleep(700 * time.Millisecond)
			seen, _ := rec.counts()
			if fmt.Sprint(seen) != fmt.Sprint(tt.want) {
				t.Fatalf("reported %v, want %v", seen, tt.want)
			}
		})
	}
}

func TestWatcherFolderAppearsLater(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "Zwift", "Activities")
	rec := startWatcher(t, []string{dir}, WatchOptions{Settle: 300 * time.Millisecond, Rescan: 200 * time.Millisecond})
	time.Sleep(300 * time.Millisecond)
	writeFile(t, dir, "2017-10-05-00-03-29.fit", fixture(t, zwiftRide), longAgo) // creates the folder
	rec.waitFor(t, 1, 5*time.Second)

	// Once the folder exists it is watched: a new file is found too.
	writeFile(t, dir, "2026-03-01-18-40-53.fit", syntheticRide(t, 2), time.Time{})
	rec.waitFor(t, 2, 5*time.Second)
}

// A settled damaged file (a ride cut off when the battery died) is reported
// once, since the engine uploads its repaired copy; once more when it changes.
func TestWatcherDamagedFileFoundOncePerVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ride := fixture(t, zwiftRide)
	writeFile(t, dir, "ride.fit", ride[:len(ride)-10], longAgo)
	rec := startWatcher(t, []string{dir}, WatchOptions{Settle: 300 * time.Millisecond, Rescan: 100 * time.Millisecond})
	rec.waitFor(t, 1, 5*time.Second)
	time.Sleep(500 * time.Millisecond) // several rescans
	if _, total := rec.counts(); total != 1 {
		t.Fatalf("the damaged file was reported %d times, want once", total)
	}
	writeFile(t, dir, "ride.fit", ride, time.Time{}) // e.g. copied again whole
	rec.waitFor(t, 2, 5*time.Second)
}

// Not parallel: the goroutine and file counts are process-wide, and parallel
// tests only start once the sequential ones are done.
func TestWatcherStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.fit", fixture(t, zwiftRide), longAgo)
	fds := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			return -1
		}
		return len(entries)
	}
	goroutinesBefore, fdsBefore := runtime.NumGoroutine(), fds()

	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder()
	w := NewWatcher([]string{dir, filepath.Join(dir, "absent")}, WatchOptions{Settle: 300 * time.Millisecond, Rescan: 50 * time.Millisecond, Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, rec.found) }()
	rec.waitFor(t, 1, 5*time.Second)
	if err := w.Run(ctx, rec.found); err != ErrRunning {
		t.Fatalf("second Run: %v, want ErrRunning", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}

	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > goroutinesBefore && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > goroutinesBefore {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after\n%s", goroutinesBefore, after, buf[:runtime.Stack(buf, true)])
	}
	if after := fds(); after != fdsBefore {
		t.Fatalf("open files: %d before, %d after", fdsBefore, after)
	}
}
