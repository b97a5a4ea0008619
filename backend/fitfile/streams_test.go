package fitfile

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestReadStreamsFixtures(t *testing.T) {
	// Record and trackpoint counts are PROVENANCE.md's.
	for _, tc := range []struct {
		file            string
		records         int
		hasPower, hasHR bool
	}{
		{"garmin_edge530_2020-11-07_road.fit", 8823, true, true},
		{"wahoo_elemnt_2019-02-17_ride_6h.fit", 13471, true, true},
		{"zwift_2017-10-05_virtualride.fit", 1808, true, false},
		{"garmin_fr935_2020-12-02_indoor_run_devfields.fit", 3443, false, true},
		{"garmin_fr255_2023-09-02_triathlon_64bit_fields.fit", 4043, true, true},
		{"tcx_garmin_fr410_2012-12-26_run.tcx", 384, false, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := readFixture(t, tc.file)
			all, err := ReadStreams(data, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(all.T) != tc.records || (all.Power != nil) != tc.hasPower || (all.HR != nil) != tc.hasHR {
				t.Fatalf("%d points, power %v, hr %v", len(all.T), all.Power != nil, all.HR != nil)
			}
			if all.T[0] != 0 {
				t.Errorf("T[0] = %v", all.T[0])
			}
			small, err := ReadStreams(data, 300)
			if err != nil {
				t.Fatal(err)
			}
			if len(small.T) != 300 || (small.Power != nil && len(small.Power) != 300) || (small.HR != nil && len(small.HR) != 300) {
				t.Fatalf("downsampled to %d/%d/%d", len(small.T), len(small.Power), len(small.HR))
			}
			if _, err := json.Marshal(small); err != nil {
				t.Error(err)
			}
			// Buckets hold n/300 or n/300+1 samples, so their means average
			// to nearly the overall mean.
			if tc.hasHR {
				if a, b := mean(all.HR), mean(small.HR); !near(a, b, 0.01*a) {
					t.Errorf("HR mean %v, downsampled %v", a, b)
				}
			}
		})
	}
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func TestDownsample(t *testing.T) {
	var pts []streamPoint
	for i := range 10 {
		p := streamPoint{t: float64(i), power: float64(10 * i), hr: absent}
		if i == 4 {
			p.power = absent
		}
		pts = append(pts, p)
	}
	st := downsample(pts, 3)
	// Buckets [0,3), [3,6), [6,10); the missing power at 4 is left out.
	wantT, wantP := []float64{0, 3, 6}, []float64{10, 40, 75}
	for i := range 3 {
		if st.T[i] != wantT[i] || st.Power[i] != wantP[i] {
			t.Errorf("point %d: t %v power %v, want %v %v", i, st.T[i], st.Power[i], wantT[i], wantP[i])
		}
	}
	if st.HR != nil {
		t.Errorf("HR %v, want nil", st.HR)
	}
	if got := downsample(pts, 0); len(got.T) != 10 || got.Power[4] != 0 {
		t.Errorf("no limit: %v", got)
	}
}

func TestReadStreamsErrors(t *testing.T) {
	if _, err := ReadStreams(readFixture(t, "workout_sdk_repeat_steps.fit"), 100); !errors.Is(err, ErrNotActivity) {
		t.Errorf("workout: %v", err)
	}
	if _, err := ReadStreams(readFixture(t, "gpx_strava_route_no_times.gpx"), 100); !errors.Is(err, ErrNotActivity) {
		t.Errorf("route: %v", err)
	}
	// A cut-off file charts the records it keeps.
	st, err := ReadStreams(readFixture(t, "corrupt_sdk_activity_unexpected_eof.fit"), 100)
	if err != nil || len(st.T) != 14 {
		t.Errorf("cut off: %v, %d points", err, len(st.T))
	}
	_, err = ReadStreams(readFixture(t, "garmin_fenix5_2017-06-11_run_short.fit")[:40], 100)
	if got := mustUnreadable(t, err); !strings.HasPrefix(got, "file ends ") {
		t.Errorf("nothing usable: %q", got)
	}
	st, err = ReadStreams(gz(t, readFixture(t, "zwift_2017-10-05_virtualride.fit")), 50)
	if err != nil || len(st.T) != 50 {
		t.Errorf("gzip: %v %d", err, len(st.T))
	}
	_, err = ReadStreams(nil, 10)
	if got := mustUnreadable(t, err); got != "empty file" {
		t.Errorf("empty: %q", got)
	}
}
