package folder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tormoder/fit"

	"fitbridge/backend/fakes/fitgen"
)

// zwiftRide is a real Zwift file (see testdata/PROVENANCE.md).
const zwiftRide = "zwift_2017-10-05_virtualride.fit"

// longAgo is an mtime well past any settle period.
var longAgo = time.Now().Add(-3 * time.Hour)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// writeFile writes data to dir/name with the given mtime (zero: now).
func writeFile(t *testing.T, dir, name string, data []byte, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// syntheticRide is a small valid FIT activity; serial makes its bytes unique.
func syntheticRide(t *testing.T, serial uint32) []byte {
	t.Helper()
	data := fitgen.Activity(fitgen.Ride{
		Start:        time.Date(2026, 3, 1, 17, 40, 53, 0, time.UTC).Add(time.Duration(serial) * time.Hour),
		Duration:     20 * time.Minute,
		DistanceM:    9000,
		SubSport:     fit.SubSportVirtualActivity,
		Manufacturer: fit.ManufacturerZwift,
		Serial:       serial,
		AvgPower:     200,
		AvgHR:        140,
	})
	if len(data) <= stubMax {
		t.Fatalf("synthetic ride is only %d bytes; Zwift rules would call it a stub", len(data))
	}
	return data
}

func cloneBytes(b []byte) []byte { return append([]byte(nil), b...) }
