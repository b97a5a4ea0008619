package fitgen

import (
	"bytes"
	"testing"
	"time"

	"github.com/tormoder/fit"
)

func TestActivityDecodes(t *testing.T) {
	start := time.Date(2025, 3, 4, 17, 30, 0, 0, time.UTC)
	data := Activity(Ride{Start: start, Duration: 61 * time.Minute, DistanceM: 31500, SubSport: fit.SubSportVirtualActivity, Manufacturer: 331, AvgPower: 210, AvgHR: 140})
	f, err := fit.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	a, err := f.Activity()
	if err != nil {
		t.Fatal(err)
	}
	s := a.Sessions[0]
	if !s.StartTime.Equal(start) || s.GetTotalElapsedTimeScaled() != 3660 || s.GetTotalDistanceScaled() != 31500 {
		t.Fatalf("session = start %v elapsed %v dist %v", s.StartTime, s.GetTotalElapsedTimeScaled(), s.GetTotalDistanceScaled())
	}
	if s.Sport != fit.SportCycling || s.SubSport != fit.SubSportVirtualActivity {
		t.Fatalf("sport %v/%v", s.Sport, s.SubSport)
	}
}
