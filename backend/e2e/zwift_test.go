package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
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
	damaged := zwiftRide(4)
	writeOld(t, filepath.Join(dir, "2026-03-06-07-00-00.fit"), damaged[:len(damaged)-3])
	// A ride still being written: fresh mtime, not settled yet.
	fresh := filepath.Join(dir, "2026-03-04-21-02-39.fit")
	if err := os.WriteFile(fresh, zwiftRide(3), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errs, code := r.run("", "watch", "--once", "--settle", "1s", "--json")
	if code != 0 {
		t.Fatalf("watch --once exit %d: %s\n%s", code, errs, out)
	}
	// The three finished rides, and the one cut short (a crash, long
	// settled) as its repaired copy.
	if ivl.UploadCount() != 4 {
		t.Fatalf("first pass uploaded %d, want the 3 finished rides and the repaired one", ivl.UploadCount())
	}
	time.Sleep(1500 * time.Millisecond) // the fresh ride settles
	r.must("", "watch", "--once", "--settle", "1s")
	if ivl.UploadCount() != 5 {
		t.Fatalf("after settling: %d uploads, want 5", ivl.UploadCount())
	}
	r.must("", "watch", "--once", "--settle", "1s")
	if ivl.UploadCount() != 5 {
		t.Fatalf("a third pass uploaded again: %d", ivl.UploadCount())
	}
	for _, a := range ivl.Activities() {
		if a.Type != "VirtualRide" {
			t.Errorf("%s uploaded as %q", a.ExternalID, a.Type)
		}
	}
	// The damaged ride is in the library saying what was repaired.
	if n, all := uploadedRepaired(t, r); n != 1 || len(all) != 5 {
		t.Fatalf("library holds %d activities, %d repaired; want 5 with the damaged ride repaired: %+v", len(all), n, all)
	}
}

// uploadedRepaired counts the library's activities that say they were
// repaired, each of which must have gone up saying the file ended early.
func uploadedRepaired(t *testing.T, r *rider) (int, []activityJSON) {
	t.Helper()
	var lib struct{ Activities []activityJSON }
	if err := json.Unmarshal([]byte(r.must("", "list", "--json")), &lib); err != nil {
		t.Fatal(err)
	}
	repaired := 0
	for _, a := range lib.Activities {
		if strings.HasPrefix(a.Reason, "repaired:") {
			repaired++
			if a.State != "uploaded" || !strings.Contains(a.Reason, "ended early") {
				t.Errorf("a ride cut short: %s, %q; want uploaded, saying the file ended early", a.State, a.Reason)
			}
		}
	}
	return repaired, lib.Activities
}

// Zwift moved its folder in 2026: a folder that appears after connecting is
// read too, because FitBridge looks for Zwift's folders on every run.
func TestZwiftFolderMadeAfterConnectingIsRead(t *testing.T) {
	r, ivl, _ := zwiftWorld(t)
	moved := filepath.Join(t.TempDir(), "OneDrive", "Documents", "Zwift", "Activities")
	if err := os.MkdirAll(moved, 0o755); err != nil {
		t.Fatal(err)
	}
	r.env["FITBRIDGE_ZWIFT_DIR"] = moved
	writeOld(t, filepath.Join(moved, "2026-03-01-18-00-00.fit"), zwiftRide(0))
	r.must("", "watch", "--once", "--settle", "1s")
	if ivl.UploadCount() != 1 {
		t.Fatalf("%d uploads from the folder made after connecting, want 1", ivl.UploadCount())
	}
}

// watch --once says which source could not be read and exits 1.
func TestWatchOnceReportsAnUnreadableFolder(t *testing.T) {
	r, ivl, _ := zwiftWorld(t)
	dev := filepath.Join(t.TempDir(), "GARMIN", "Activity")
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	r.must("", "connect", "folder", "--folder", dev)
	if err := os.RemoveAll(filepath.Dir(dev)); err != nil { // the head unit was unplugged
		t.Fatal(err)
	}
	_, errs, code := r.run("", "watch", "--once", "--settle", "1s")
	if code != 1 || !strings.Contains(errs, "folder") {
		t.Fatalf("watch --once with an unplugged device: exit %d, stderr %q", code, errs)
	}
	t.Logf("stderr: %s", errs)
	if ivl.UploadCount() != 0 {
		t.Fatalf("%d uploads, want none", ivl.UploadCount())
	}
}

// A continuous watch whose Intervals.icu key stopped working says so and
// exits 3 naming the command, instead of polling silently forever.
func TestWatchStopsWhenIntervalsRefusesTheKey(t *testing.T) {
	r, _, dir := zwiftWorld(t)
	other := intervalsfake.New(intervalsfake.Options{APIKey: "a-different-key", Summarize: summarize})
	r.env["FITBRIDGE_INTERVALS_URL"] = other.Start() // the rider's key was revoked
	t.Cleanup(other.Close)
	writeOld(t, filepath.Join(dir, "2026-03-01-18-00-00.fit"), zwiftRide(0))
	cmd := r.command("", "watch", "--settle", "1s")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 3 {
			t.Fatalf("watch ended with %v, want exit 3\nstderr: %s", err, errb.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("watch kept running with a refused key\nstderr: %s", errb.String())
	}
	if !strings.Contains(errb.String(), "fitbridge connect intervals") {
		t.Fatalf("stderr does not name the command to run: %q", errb.String())
	}
	t.Logf("stderr: %s", errb.String())
	if other.UploadCount() != 0 {
		t.Fatalf("%d uploads with a refused key", other.UploadCount())
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
