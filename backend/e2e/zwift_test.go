package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fakes/intervalsfake"
)

// zwiftWorld is a rider whose Zwift folder FitBridge watches.
func zwiftWorld(t *testing.T) (*rider, *intervalsfake.Server, string) {
	r := newRider(t)
	ivl := intervalsfake.New(intervalsfake.Options{Summarize: summarize})
	r.env["FITBRIDGE_INTERVALS_URL"] = ivl.Start()
	t.Cleanup(ivl.Close)
	r.env["FITBRIDGE_INTERVALS_API_KEY"] = ivl.APIKey()
	dir := filepath.Join(t.TempDir(), "Documents", "Zwift", "Activities")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.env["FITBRIDGE_ZWIFT_DIR"] = dir
	r.must("", "connect", "intervals", "--athlete-id", ivl.AthleteID())
	out := r.must("", "connect", "zwift")
	if !strings.Contains(out, dir) {
		t.Fatalf("connect zwift did not find %s: %q", dir, out)
	}
	return r, ivl, dir
}

func zwiftRide(i int) []byte {
	start := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC).Add(time.Duration(i)*25*time.Hour + time.Duration(i*53)*time.Second)
	return fitgen.Activity(fitgen.Ride{Start: start, Duration: 45 * time.Minute, DistanceM: 21000, SubSport: fit.SubSportVirtualActivity,
		Manufacturer: fit.ManufacturerZwift, Serial: uint32(100 + i), AvgPower: 190})
}

func writeOld(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func TestWatchOnceUploadsOnlyFinishedRides(t *testing.T) {
	r, ivl, dir := zwiftWorld(t)
	writeOld(t, filepath.Join(dir, "2026-03-01-18-00-00.fit"), zwiftRide(0))
	writeOld(t, filepath.Join(dir, "2026-03-02-19-00-53.fit"), zwiftRide(1))
	real, err := os.ReadFile(fixture(t, "zwift_2017-10-05_virtualride.fit"))
	if err != nil {
		t.Fatal(err)
	}
	writeOld(t, filepath.Join(dir, "2017-10-05-02-04-06.fit"), real)
	writeOld(t, filepath.Join(dir, "inProgressActivity.fit"), zwiftRide(2)[:2000])
	writeOld(t, filepath.Join(dir, "2026-03-05-10-00-00.fit"), make([]byte, 584))
	writeOld(t, filepath.Join(dir, "notes.txt"), []byte("ride notes"))
	// A ride still being written: fresh mtime, not settled yet.
	fresh := filepath.Join(dir, "2026-03-04-21-02-39.fit")
	if err := os.WriteFile(fresh, zwiftRide(3), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errs, code := r.run("", "watch", "--once", "--settle", "1s", "--json")
	if code != 0 {
		t.Fatalf("watch --once exit %d: %s\n%s", code, errs, out)
	}
	if ivl.UploadCount() != 3 {
		t.Fatalf("first pass uploaded %d, want the 3 finished rides", ivl.UploadCount())
	}
	time.Sleep(1500 * time.Millisecond) // the fresh ride settles
	r.must("", "watch", "--once", "--settle", "1s")
	if ivl.UploadCount() != 4 {
		t.Fatalf("after settling: %d uploads, want 4", ivl.UploadCount())
	}
	r.must("", "watch", "--once", "--settle", "1s")
	if ivl.UploadCount() != 4 {
		t.Fatalf("a third pass uploaded again: %d", ivl.UploadCount())
	}
	for _, a := range ivl.Activities() {
		if a.Type != "VirtualRide" {
			t.Errorf("%s uploaded as %q", a.ExternalID, a.Type)
		}
	}
}

// With `watch` running, a ride that finishes writing reaches Intervals.icu
// soon after it settles (measured in `make bench`; here only that it arrives
// once, and that a burst of rides each arrive once).
func TestWatchPicksUpNewRides(t *testing.T) {
	r, ivl, dir := zwiftWorld(t)
	cmd := r.command("", "watch", "--settle", "1s")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	// A ride written slowly, as Zwift does when a ride is saved.
	data := zwiftRide(10)
	f, err := os.Create(filepath.Join(dir, "2026-04-11-08-00-00.fit"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(data); i += len(data) / 4 {
		end := min(i+len(data)/4, len(data))
		if _, err := f.Write(data[i:end]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
		if ivl.UploadCount() != 0 {
			t.Fatal("a ride still being written was uploaded")
		}
	}
	f.Close()
	waitFor(t, 30*time.Second, func() bool { return ivl.UploadCount() == 1 })

	for i := 0; i < 50; i++ {
		writeOld(t, filepath.Join(dir, "burst-"+strings.Repeat("x", i%3)+time.Duration(i).String()+".fit"), zwiftRide(20+i))
	}
	waitFor(t, 60*time.Second, func() bool { return ivl.UploadCount() == 51 })
	time.Sleep(2 * time.Second)
	if ivl.UploadCount() != 51 {
		t.Fatalf("%d uploads after the burst settled, want 51", ivl.UploadCount())
	}
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not reached within %v", limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
