package fitfile

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// The fuzz targets call the reader without Summarize's recover, so a panic
// is found, not hidden. Run with
//
//	go test -run '^$' -fuzz FuzzSummarize -fuzztime 60s ./backend/fitfile
//	go test -run '^$' -fuzz FuzzTCXGPX -fuzztime 60s ./backend/fitfile

func checkResult(t *testing.T, s Summary, err error) {
	if err != nil {
		var ue *UnreadableError
		switch {
		case errors.As(err, &ue):
			if ue.Reason == "" {
				t.Fatal("empty reason")
			}
		case errors.Is(err, ErrNotActivity):
		default:
			t.Fatalf("error of type %T: %v", err, err)
		}
		return
	}
	if s.FileType != "activity" || len(s.Sessions) == 0 {
		t.Fatalf("activity with type %q and %d sessions", s.FileType, len(s.Sessions))
	}
	for _, v := range []float64{s.ElapsedS, s.TimerS, s.DistanceM, s.AvgPowerW, s.AvgHR} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("bad number %v in %+v", v, s)
		}
	}
	if !s.Start.IsZero() && s.Start.Location().String() != "UTC" {
		t.Fatalf("start %v not UTC", s.Start)
	}
}

func checkStreams(t *testing.T, data []byte) {
	st, err := readStreams(data, 50)
	if err != nil {
		return
	}
	if len(st.T) > 50 || (st.Power != nil && len(st.Power) != len(st.T)) || (st.HR != nil && len(st.HR) != len(st.T)) {
		t.Fatalf("streams %d/%d/%d", len(st.T), len(st.Power), len(st.HR))
	}
	if _, err := json.Marshal(st); err != nil {
		t.Fatal(err)
	}
}

func FuzzSummarize(f *testing.F) {
	for _, name := range fixtureFiles(f) {
		f.Add(readFixture(f, name))
	}
	// Small inputs mutate faster than the large fixtures.
	small := readFixture(f, "garmin_edge820_2017-06-12_commute_short.fit")
	f.Add(gz(f, small))
	f.Add(zipOf(f, zipEntry{name: "a.fit", data: small}, zipEntry{name: "b.fit.gz", data: gz(f, small)}))
	b := activityHeader(&fitBuilder{})
	b.defineDev(1, mesgRecord, true, []byte{2}, recordFields...)
	b.data(1, fitTS(t0), u(0), u(100), u(200))
	b.define(3, mesgRecord, false, fld{5, 4, btUint32})
	b.compressed(3, 3, u(1000))
	b.define(2, mesgSession, false, sessionFields...)
	b.data(2, fitTS(t0)+60, fitTS(t0), u(60000), u(60000), u(1000), u(2), u(58))
	f.Add(b.file())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := summarizeAll(data)
		checkResult(t, s, err)
		checkStreams(t, data)
		// Nearly every mutation breaks the CRC, which stops the scanner
		// before the message walk; with the CRCs made right again the walk
		// itself gets fuzzed.
		if fixed := fixCRCs(data); fixed != nil {
			s, err := summarizeAll(fixed)
			checkResult(t, s, err)
			checkStreams(t, fixed)
		}
	})
}

// fixCRCs returns a copy of a FIT file with its first segment's header and
// file CRCs recomputed, or nil if it is not long enough to have them.
func fixCRCs(data []byte) []byte {
	if len(data) < 14 || data[0] < 14 {
		return nil
	}
	end := int64(data[0]) + int64(binary.LittleEndian.Uint32(data[4:8]))
	if end+2 > int64(len(data)) {
		return nil
	}
	d := append([]byte(nil), data...)
	binary.LittleEndian.PutUint16(d[12:], fitCRCTest(d[:12]))
	binary.LittleEndian.PutUint16(d[end:], fitCRCTest(d[:end]))
	return d
}

func FuzzTCXGPX(f *testing.F) {
	f.Add(readFixture(f, "tcx_garmin_fr410_2012-12-26_run.tcx"))
	f.Add(readFixture(f, "gpx_strava_route_no_times.gpx"))
	f.Add([]byte(tcxRide))
	f.Add([]byte(gpxRide))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := summarizeAll(data)
		checkResult(t, s, err)
		checkStreams(t, data)
	})
}
