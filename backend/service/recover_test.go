package service

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
	"fitbridge/backend/fitfile"
	"fitbridge/backend/secrets"
	_ "fitbridge/backend/source/all"
)

func TestRecoverCrashedZwiftRide(t *testing.T) {
	home, dir := t.TempDir(), t.TempDir()
	svc, err := Open(Options{Home: home, Secrets: secrets.NewMemory(), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	start := time.Date(2026, 2, 3, 18, 0, 0, 0, time.UTC)
	ride := fitgen.Activity(fitgen.Ride{Start: start, Duration: time.Hour, DistanceM: 30000, SubSport: fit.SubSportVirtualActivity, Manufacturer: fit.ManufacturerZwift, Every: 2 * time.Second})
	// Zwift crashed half-way: the recording stops mid-file, no session, no CRC.
	crashed := filepath.Join(dir, "inProgressActivity.fit")
	if err := os.WriteFile(crashed, ride[:len(ride)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(crashed, old, old)
	if _, err := svc.ConnectFolder("zwift", dir); err != nil {
		t.Fatal(err)
	}

	list, err := svc.CrashedRides()
	if err != nil || len(list) != 1 || list[0].Path != crashed {
		t.Fatalf("crashed rides = %+v, %v", list, err)
	}
	if got, _ := time.Parse(time.RFC3339, list[0].Start); !got.Equal(start) {
		t.Fatalf("start %s, want %s", list[0].Start, start)
	}
	v, err := svc.RecoverRide("zwift", crashed)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != "ready" || v.ElapsedS < 20*60 || v.Sport != "VirtualRide" {
		t.Fatalf("recovered activity = %+v", v)
	}
	// The same repair as any damaged file: said so, and the copy that goes
	// up is a sound FIT with a session (this writer puts it first).
	if !strings.HasPrefix(v.Repaired, "repaired: the file ended early, 30 minutes of records kept") {
		t.Errorf("repaired = %q", v.Repaired)
	}
	row, err := svc.Store.Get(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	cached, err := svc.Cache.Get(row.Hash)
	if err != nil || !bytes.Equal(cached, ride[:len(ride)/2]) {
		t.Fatal("the library does not keep the recording's own bytes")
	}
	up, repaired := fitfile.UploadBytes(cached)
	f, err := fit.Decode(bytes.NewReader(up))
	if !repaired || err != nil {
		t.Fatalf("repaired copy: %v, %v", repaired, err)
	}
	if a, err := f.Activity(); err != nil || len(a.Sessions) != 1 || a.Sessions[0].SubSport != fit.SubSportVirtualActivity {
		t.Errorf("repaired copy's session: %v", err)
	}
	if b, _ := os.ReadFile(crashed); len(b) != len(ride)/2 {
		t.Fatal("Zwift's own file was changed")
	}
	// Recovered, it is no longer offered, although Zwift's file stays.
	if list, err := svc.CrashedRides(); err != nil || len(list) != 0 {
		t.Fatalf("after recovery, crashed rides = %+v, %v", list, err)
	}
}
