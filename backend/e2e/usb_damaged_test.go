package e2e

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fitbridge/backend/fakes/intervalsfake"
)

// notFinalised is a ride as a head unit leaves it when its battery dies: the
// header's data size was never written (zero) and the file stops mid-message
// with no session and no checksum.
func notFinalised(ride []byte) []byte {
	out := append([]byte(nil), ride[:len(ride)*2/3]...)
	binary.LittleEndian.PutUint32(out[4:8], 0)
	if out[0] >= 14 {
		binary.LittleEndian.PutUint16(out[12:14], 0)
	}
	return out
}

// A head unit in a connected USB folder whose battery died: its cut-off file
// goes up as a repaired copy, with `watch --once` and with `watch` running,
// and the library says what was repaired.
func TestUSBFolderRideCutOffByADeadBatteryGoesUp(t *testing.T) {
	r := newRider(t)
	ivl := intervalsfake.New(intervalsfake.Options{Summarize: summarize})
	r.env["FITBRIDGE_INTERVALS_URL"] = ivl.Start()
	t.Cleanup(ivl.Close)
	r.env["FITBRIDGE_INTERVALS_API_KEY"] = ivl.APIKey()
	r.must("", "connect", "intervals", "--athlete-id", ivl.AthleteID())
	dev := filepath.Join(t.TempDir(), "GARMIN", "Activity")
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	r.must("", "connect", "folder", "--folder", dev)

	start := time.Now().UTC().AddDate(0, 0, -2).Truncate(time.Minute)
	cut := headUnitRide(start, 901)
	writeOld(t, filepath.Join(dev, "cut.fit"), cut[:len(cut)-37])
	writeOld(t, filepath.Join(dev, "open.fit"), notFinalised(headUnitRide(start.Add(26*time.Hour+7*time.Minute), 902)))
	writeOld(t, filepath.Join(dev, "whole.fit"), headUnitRide(start.Add(-26*time.Hour-13*time.Minute), 903))

	out, errs, code := r.run("", "watch", "--once", "--settle", "1s", "--json")
	if code != 0 {
		t.Fatalf("watch --once exit %d: %s\n%s", code, errs, out)
	}
	if ivl.UploadCount() != 3 {
		t.Fatalf("watch --once uploaded %d, want the whole ride and both cut-off ones repaired\n%s\n%s", ivl.UploadCount(), out, r.must("", "list", "--json"))
	}

	// With watch running, a ride the head unit left cut off arrives too.
	cmd := r.command("", "watch", "--settle", "1s")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	time.Sleep(time.Second)
	later := headUnitRide(start.Add(50*time.Hour+19*time.Minute), 904)
	if err := os.WriteFile(filepath.Join(dev, "later.fit"), later[:len(later)-101], 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return ivl.UploadCount() == 4 })

	if n, all := uploadedRepaired(t, r); n != 3 {
		t.Fatalf("%d rides say they were repaired, want 3: %+v", n, all)
	}
}
