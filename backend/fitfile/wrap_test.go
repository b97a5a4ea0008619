package fitfile

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zipEntry struct {
	name   string
	data   []byte
	stored bool
}

func zipOf(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e.stored {
			method = zip.Store
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameSummary compares what matters between a raw and a wrapped read.
func sameSummary(t *testing.T, got, want Summary) {
	t.Helper()
	if got.Sport != want.Sport || !got.Start.Equal(want.Start) || got.ElapsedS != want.ElapsedS ||
		got.DistanceM != want.DistanceM || got.Device != want.Device || got.Format != want.Format {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestGzipInput(t *testing.T) {
	raw := readFixture(t, "mywhoosh_2026-01-10_virtualride.fit")
	want, err := Summarize(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Summarize(gz(t, raw))
	if err != nil {
		t.Fatal(err)
	}
	sameSummary(t, s, want)
	if s.Wrapping != "gzip" || want.Wrapping != "" {
		t.Errorf("wrapping %q / %q", s.Wrapping, want.Wrapping)
	}

	// Two gzip members (as `cat a.gz b.gz` makes) unpack to the whole file.
	multi := append(gz(t, raw[:1000]), gz(t, raw[1000:])...)
	s, err = Summarize(multi)
	if err != nil {
		t.Fatal(err)
	}
	sameSummary(t, s, want)

	tcx := readFixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	s, err = Summarize(gz(t, tcx))
	if err != nil || s.Format != FormatTCX || s.Wrapping != "gzip" {
		t.Errorf("gzipped TCX: %v %q %q", err, s.Format, s.Wrapping)
	}
}

func TestDamagedGzip(t *testing.T) {
	raw := readFixture(t, "garmin_edge820_2017-06-12_commute_short.fit")
	good := gz(t, raw)

	badCRC := append([]byte(nil), good...)
	badCRC[len(badCRC)-5] ^= 0xFF // the CRC-32 in the trailer
	truncated := good[:len(good)/2]
	badHeader := append([]byte(nil), good...)
	badHeader[2] = 7 // compression method

	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"crc", badCRC, "gzip checksum mismatch"},
		{"truncated", truncated, "gzip data ends early"},
		{"header", badHeader, "damaged gzip header"},
	} {
		s, err := Summarize(tc.data)
		if got := mustUnreadable(t, err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if s.Wrapping != "gzip" {
			t.Errorf("%s: wrapping %q", tc.name, s.Wrapping)
		}
	}
	// A gzipped cut-off FIT is repaired inside its gzip; one with nothing
	// whole reports the FIT problem.
	s, err := Summarize(gz(t, raw[:len(raw)-19]))
	if err != nil || s.Wrapping != "gzip" || !strings.HasPrefix(s.Repaired, "repaired: the file ended early") {
		t.Errorf("gzipped truncated FIT: %v, %q, %q", err, s.Wrapping, s.Repaired)
	}
	if up, ok := UploadBytes(gz(t, raw[:len(raw)-19])); !ok || isGzip(up) || !looksLikeFIT(up) {
		t.Errorf("upload of a gzipped truncated FIT: repaired %v, gzip %v", ok, isGzip(up))
	}
	_, err = Summarize(gz(t, raw[:20]))
	if got := mustUnreadable(t, err); !strings.HasPrefix(got, fmt.Sprintf("file ends %d bytes early, and ", len(raw)-20)) {
		t.Errorf("gzipped FIT cut inside its first message: %q", got)
	}
}

func TestUnpackLimit(t *testing.T) {
	old := maxUnpacked
	maxUnpacked = 64 << 10
	defer func() { maxUnpacked = old }()
	bomb := gz(t, make([]byte, 1<<20))
	_, err := Summarize(bomb)
	if got := mustUnreadable(t, err); got != "unpacked file is larger than 64 KiB" {
		t.Errorf("gzip: %q", got)
	}
	_, err = Summarize(zipOf(t, zipEntry{name: "a.fit", data: append(readFixture(t, "course_stages_link_28832.fit"), make([]byte, 1<<20)...)}))
	if got := mustUnreadable(t, err); got != "unpacked file is larger than 64 KiB" {
		t.Errorf("zip: %q", got)
	}
}

func TestZipInput(t *testing.T) {
	ride := readFixture(t, "zwift_2017-10-05_virtualride.fit")
	run := readFixture(t, "garmin_fenix5_2017-06-11_run_short.fit")
	workout := readFixture(t, "workout_sdk_repeat_steps.fit")
	tcx := readFixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	rideSum, _ := Summarize(ride)
	runSum, _ := Summarize(run)

	t.Run("one FIT", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "ride.fit", data: ride}))
		if err != nil {
			t.Fatal(err)
		}
		sameSummary(t, s, rideSum)
		if s.Wrapping != "zip" || s.Note != "" {
			t.Errorf("wrapping %q note %q", s.Wrapping, s.Note)
		}
	})
	t.Run("stored entry, name without extension, junk beside it", func(t *testing.T) {
		s, err := Summarize(zipOf(t,
			zipEntry{name: "__MACOSX/._ride", data: []byte("junk")},
			zipEntry{name: "readme.txt", data: []byte("hello")},
			zipEntry{name: "dir/ride", data: ride, stored: true}))
		if err != nil {
			t.Fatal(err)
		}
		sameSummary(t, s, rideSum)
	})
	t.Run("gzip inside zip", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "activities/1.fit.gz", data: gz(t, run)}))
		if err != nil {
			t.Fatal(err)
		}
		sameSummary(t, s, runSum)
	})
	t.Run("TCX inside zip", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "run.tcx", data: tcx}))
		if err != nil || s.Format != FormatTCX {
			t.Fatalf("%v %q", err, s.Format)
		}
	})
	t.Run("several activities: first one, noted", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "b-run.fit", data: run}, zipEntry{name: "a-ride.fit", data: ride}))
		if err != nil {
			t.Fatal(err)
		}
		sameSummary(t, s, runSum)
		if s.Note != "zip holds 2 FIT/TCX/GPX files; read b-run.fit" {
			t.Errorf("note %q", s.Note)
		}
	})
	t.Run("workout first, activity second", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "w.fit", data: workout}, zipEntry{name: "r.fit", data: ride}))
		if err != nil {
			t.Fatal(err)
		}
		sameSummary(t, s, rideSum)
		if s.Note != "zip holds 2 FIT/TCX/GPX files; read r.fit" {
			t.Errorf("note %q", s.Note)
		}
	})
	t.Run("only a workout", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "w.fit", data: workout}))
		if !errors.Is(err, ErrNotActivity) || s.FileType != "workout" || s.Wrapping != "zip" {
			t.Errorf("%v %q %q", err, s.FileType, s.Wrapping)
		}
	})
	t.Run("corrupt only", func(t *testing.T) {
		s, err := Summarize(zipOf(t, zipEntry{name: "c.fit", data: readFixture(t, "corrupt_sdk_activity_bad_file_crc.fit")}))
		if err != nil || s.Repaired != "repaired: the file checksum was wrong" {
			t.Errorf("%v %q", err, s.Repaired)
		}
	})
	t.Run("no activity files", func(t *testing.T) {
		_, err := Summarize(zipOf(t, zipEntry{name: "a.txt", data: []byte("text")}))
		if got := mustUnreadable(t, err); got != "zip holds no FIT, TCX or GPX file" {
			t.Errorf("%q", got)
		}
	})
	t.Run("empty zip", func(t *testing.T) {
		_, err := Summarize(zipOf(t))
		if got := mustUnreadable(t, err); got != "zip holds no FIT, TCX or GPX file" {
			t.Errorf("%q", got)
		}
	})
	t.Run("damaged zip", func(t *testing.T) {
		z := zipOf(t, zipEntry{name: "ride.fit", data: ride})
		_, err := Summarize(z[:len(z)-30])
		if got := mustUnreadable(t, err); !strings.HasPrefix(got, "damaged zip archive") {
			t.Errorf("%q", got)
		}
	})
}
