package folder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScanZwiftFolder(t *testing.T) {
	dir := t.TempDir()
	ride := fixture(t, zwiftRide)
	other := syntheticRide(t, 7)
	files := []struct {
		name   string
		data   []byte
		mtime  time.Time
		state  State
		reason string // substring
	}{
		{"2017-10-05-00-03-29.fit", ride, longAgo, Finished, ""},
		{"ride.FIT", other, longAgo, Finished, ""},
		{"inProgressActivity.fit", ride, longAgo, Ignored, "live recording"},
		{"INPROGRESSACTIVITY.FIT", ride, longAgo, Ignored, "live recording"},
		{"2026-03-01-18-39-52.fit", ride[:584], longAgo, Ignored, "stub of 584 bytes"},
		{"exactly1k.fit", ride[:1024], longAgo, Ignored, "stub of 1024 bytes"},
		{"notes.txt", []byte("ride notes, not a ride"), longAgo, Ignored, "not a .fit file"},
		{"2017-10-05-00-03-29.tcx", fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"), longAgo, Ignored, "not a .fit file"},
		{"._2017-10-05-00-03-29.fit", ride, longAgo, Ignored, "hidden"},
		{"2026-03-02-07-00-00.fit", ride, time.Now(), Settling, "changed less than"},
		{"2026-03-03-07-00-00.fit", ride[:len(ride)-100], longAgo, Corrupt, "bytes early"},
		{"2026-03-04-07-00-00.fit", fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx"), longAgo, Corrupt, "not a FIT file"},
	}
	for _, f := range files {
		writeFile(t, dir, f.name, f.data, f.mtime)
	}

	got, err := Scan(context.Background(), []string{dir}, ZwiftRules, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]FileStatus{}
	for _, st := range got {
		byName[filepath.Base(st.Path)] = st
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			st, ok := byName[f.name]
			if !ok {
				t.Fatal("not reported")
			}
			if st.State != f.state || !strings.Contains(st.Reason, f.reason) {
				t.Fatalf("state %s (%q), want %s (%q)", st.State, st.Reason, f.state, f.reason)
			}
			if f.state == Finished {
				sum := sha256.Sum256(f.data)
				if want := hex.EncodeToString(sum[:])[:16]; st.RemoteID != want {
					t.Fatalf("RemoteID %s, want %s", st.RemoteID, want)
				}
				if st.Start.IsZero() {
					t.Fatal("no start read from the file")
				}
			}
		})
	}
	if st := byName["2017-10-05-00-03-29.fit"]; st.Start.UTC().Format(time.RFC3339) != "2017-10-05T00:04:07Z" {
		t.Errorf("start of the Zwift ride = %v, want its first record 2017-10-05T00:04:07Z", st.Start)
	}
}

func TestScanDeviceFolder(t *testing.T) {
	dir := t.TempDir()
	tcx := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	files := []struct {
		name  string
		data  []byte
		mtime time.Time
		state State
		start string // RFC 3339, "" = not checked
	}{
		{"ACT0001.FIT", fixture(t, "garmin_fenix5_2017-06-11_run_short.fit"), longAgo, Finished, "2017-06-11T14:34:09Z"},
		{"run.tcx", tcx, longAgo, Finished, "2012-12-26T21:29:53Z"},
		{"export-without-extension", tcx, longAgo, Finished, ""},
		{"ride.fit.gz", gz(t, fixture(t, zwiftRide)), longAgo, Finished, "2017-10-05T00:04:07Z"},
		{"bundle.zip", zipOf(t, map[string][]byte{"a.fit": fixture(t, "bryton_2020-10-17_ride_no_laps.fit")}), longAgo, Finished, ""},
		{"tiny.fit", fixture(t, "corrupt_sdk_activity_bad_file_crc.fit"), longAgo, Corrupt, ""},
		{"half.tcx", tcx[:len(tcx)/2], longAgo, Corrupt, ""},
		{"photo.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1}, longAgo, Ignored, ""},
		{"inProgressActivity.fit", fixture(t, zwiftRide), longAgo, Ignored, ""},
		{"new.tcx", tcx, time.Now(), Settling, ""},
	}
	for _, f := range files {
		writeFile(t, dir, f.name, f.data, f.mtime)
	}
	got, err := Scan(context.Background(), []string{dir}, DeviceRules, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]FileStatus{}
	for _, st := range got {
		byName[filepath.Base(st.Path)] = st
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			st := byName[f.name]
			if st.State != f.state {
				t.Fatalf("state %s (%s), want %s", st.State, st.Reason, f.state)
			}
			if f.start != "" && st.Start.UTC().Format(time.RFC3339) != f.start {
				t.Fatalf("start %v, want %s", st.Start, f.start)
			}
		})
	}
}

func TestScanMissingFolder(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.fit", fixture(t, zwiftRide), longAgo)
	got, err := Scan(context.Background(), []string{filepath.Join(dir, "absent"), dir}, ZwiftRules, time.Minute)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want one wrapping fs.ErrNotExist", err)
	}
	if len(got) != 1 || got[0].State != Finished {
		t.Fatalf("the readable folder should still be scanned, got %+v", got)
	}
}

func TestSettled(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	settle := 2 * time.Minute
	tests := []struct {
		name  string
		mtime time.Time
		want  bool
	}{
		{"just written", now.Add(-time.Second), false},
		{"one second short", now.Add(-settle + time.Second), false},
		{"exactly settled", now.Add(-settle), true},
		{"old", now.Add(-24 * time.Hour), true},
		{"slightly ahead (clock skew)", now.Add(30 * time.Second), false},
		// A head unit whose clock or time zone is off by hours: waiting would
		// never end, so the content checks decide.
		{"hours ahead", now.Add(3 * time.Hour), true},
	}
	for _, tt := range tests {
		if got := settled(tt.mtime, now, settle); got != tt.want {
			t.Errorf("%s: settled = %v, want %v", tt.name, got, tt.want)
		}
	}
}
