package folder

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fitbridge/backend/source"
)

func TestRegistered(t *testing.T) {
	tests := []struct {
		name, display string
		external, aka string
	}{
		{"zwift", "Zwift", "fitbridge-zwift-0123456789abcdef", "zwift_0123456789abcdef"},
		{"folder", "Device or other folder", "fitbridge-folder-0123456789abcdef", ""},
	}
	for _, tt := range tests {
		d, ok := source.Lookup(tt.name)
		if !ok {
			t.Fatalf("%s not registered", tt.name)
		}
		if d.DisplayName != tt.display || d.Kind != source.KindFolder || d.New == nil || d.Validate == nil {
			t.Errorf("%s: descriptor %+v", tt.name, d)
		}
		if got := d.ExternalIDFor("0123456789abcdef"); got != tt.external {
			t.Errorf("%s: external id %q, want %q", tt.name, got, tt.external)
		}
		var aka []string
		if d.AlsoKnownAs != nil {
			aka = d.AlsoKnownAs("0123456789abcdef")
		}
		if got := strings.Join(aka, ","); got != tt.aka {
			t.Errorf("%s: also known as %q, want %q", tt.name, got, tt.aka)
		}
	}
}

func newTestSource(t *testing.T, name string, dirs ...string) source.Source {
	t.Helper()
	d, _ := source.Lookup(name)
	s, err := d.New(source.Config{Settings: map[string]string{
		SettingFolder: strings.Join(dirs, string(os.PathListSeparator)),
		SettingSettle: "1s",
	}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func list(t *testing.T, s source.Source, q source.Query) []source.Activity {
	t.Helper()
	var out []source.Activity
	if err := s.List(context.Background(), q, func(a source.Activity) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestZwiftList(t *testing.T) {
	legacy, current := t.TempDir(), t.TempDir()
	ride := fixture(t, zwiftRide)
	// The same ride in the legacy and the 2026 folder, under two names.
	writeFile(t, legacy, "2017-10-05-00-03-29.fit", ride, longAgo)
	writeFile(t, current, "2017-10-05-02-03-29.fit", ride, longAgo)
	writeFile(t, current, "inProgressActivity.fit", ride, longAgo)
	writeFile(t, current, "2026-03-01-18-39-52.fit", ride[:584], longAgo)
	writeFile(t, current, "README.txt", []byte("not a ride"), longAgo)
	newer := syntheticRide(t, 3) // 2026-03-01 20:40:53 UTC
	writeFile(t, current, "2026-03-01-21-40-53.fit", newer, longAgo)
	writeFile(t, current, "2026-03-05-21-40-53.fit", syntheticRide(t, 4), time.Now()) // still settling

	s := newTestSource(t, "zwift", legacy, current)
	got := list(t, s, source.Query{})
	if len(got) != 2 {
		t.Fatalf("listed %d activities, want 2 (one ride in two folders, one newer ride): %+v", len(got), got)
	}
	if got[0].RemoteID != RemoteID(newer) || got[1].RemoteID != RemoteID(ride) {
		t.Fatalf("order/ids: %s, %s", got[0].RemoteID, got[1].RemoteID)
	}
	for _, a := range got {
		if a.Device != "Zwift" || a.Sport != "" || a.SkipReason != "" || a.Extra["path"] == "" || len(a.RemoteID) != 16 {
			t.Errorf("activity %+v", a)
		}
	}
	if want := time.Date(2017, 10, 5, 0, 4, 7, 0, time.UTC); !got[1].StartHint.Equal(want) {
		t.Errorf("start hint %v, want %v", got[1].StartHint, want)
	}

	// Date windows use the start read from the file.
	only2017 := list(t, s, source.Query{Since: time.Date(2017, 10, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2017, 10, 31, 0, 0, 0, 0, time.UTC)})
	if len(only2017) != 1 || only2017[0].RemoteID != RemoteID(ride) {
		t.Fatalf("query for October 2017 gave %+v", only2017)
	}

	// Downloading gives the bytes exactly as on disk.
	data, err := s.Download(context.Background(), got[1])
	if err != nil || !bytes.Equal(data, ride) {
		t.Fatalf("download: %d bytes, %v", len(data), err)
	}
}

func TestFolderListAcceptsByContent(t *testing.T) {
	dir := t.TempDir()
	tcx := fixture(t, "tcx_garmin_fr410_2012-12-26_run.tcx")
	writeFile(t, dir, "2012-12-26 run.tcx", tcx, longAgo)
	writeFile(t, dir, "ACT00042.FIT", fixture(t, "bryton_2020-10-17_ride_no_laps.fit"), longAgo)
	writeFile(t, dir, "notes.txt", []byte("kit list"), longAgo)

	got := list(t, newTestSource(t, "folder", dir), source.Query{})
	if len(got) != 2 {
		t.Fatalf("listed %+v, want the TCX and the FIT", got)
	}
	for _, a := range got {
		if a.Device != "" {
			t.Errorf("device %q: a folder's device comes from each file", a.Device)
		}
	}
	if filepath.Base(got[1].Extra["path"]) != "2012-12-26 run.tcx" || got[1].RemoteID != RemoteID(tcx) {
		t.Fatalf("oldest activity %+v, want the 2012 TCX", got[1])
	}
}

func TestDownloadAfterTheFileMoved(t *testing.T) {
	dir := t.TempDir()
	ride := fixture(t, zwiftRide)
	p := writeFile(t, dir, "2017-10-05-00-03-29.fit", ride, longAgo)
	s := newTestSource(t, "zwift", dir)
	acts := list(t, s, source.Query{})
	if len(acts) != 1 {
		t.Fatalf("listed %d", len(acts))
	}
	a := acts[0]

	// Renamed since the listing: found again by content.
	if err := os.Rename(p, filepath.Join(dir, "renamed.fit")); err != nil {
		t.Fatal(err)
	}
	if data, err := s.Download(context.Background(), a); err != nil || !bytes.Equal(data, ride) {
		t.Fatalf("renamed file: %d bytes, %v", len(data), err)
	}

	// Gone altogether: a permanent skip a rider understands.
	if err := os.Remove(filepath.Join(dir, "renamed.fit")); err != nil {
		t.Fatal(err)
	}
	_, err := s.Download(context.Background(), a)
	var skip *source.SkipError
	if !errors.As(err, &skip) || !skip.Permanent || skip.Reason != "file no longer in the folder" {
		t.Fatalf("vanished file: %v", err)
	}

	// Same name, other bytes: the listed content no longer exists.
	writeFile(t, dir, "2017-10-05-00-03-29.fit", syntheticRide(t, 9), longAgo)
	_, err = s.Download(context.Background(), a)
	if !errors.As(err, &skip) || !skip.Permanent || !strings.Contains(skip.Reason, "changed") {
		t.Fatalf("rewritten file: %v", err)
	}
}

func TestNewAndValidate(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		source   string
		settings map[string]string
		newErr   string // substring; "" = ok
		validErr string
	}{
		{"folder ok", "folder", map[string]string{SettingFolder: dir}, "", ""},
		{"custom settle", "zwift", map[string]string{SettingFolder: dir, SettingSettle: "90s"}, "", ""},
		{"bad settle", "zwift", map[string]string{SettingFolder: dir, SettingSettle: "soon"}, "not a duration", "not a duration"},
		{"no folder chosen", "folder", nil, "no folder chosen", "no folder chosen"},
		{"device unplugged", "folder", map[string]string{SettingFolder: filepath.Join(dir, "GARMIN")}, "", "not found"},
		{"one of two folders present", "zwift", map[string]string{SettingFolder: filepath.Join(dir, "gone") + string(os.PathListSeparator) + dir}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := source.Lookup(tt.source)
			cfg := source.Config{Settings: tt.settings}
			_, err := d.New(cfg)
			checkErr(t, "New", err, tt.newErr)
			checkErr(t, "Validate", d.Validate(context.Background(), cfg), tt.validErr)
		})
	}
}

func checkErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v", what, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s: %v, want error containing %q", what, err, want)
	}
}

func TestListWithMissingFolders(t *testing.T) {
	empty := t.TempDir()
	gone := filepath.Join(t.TempDir(), "GARMIN", "Activity")
	tests := []struct {
		name    string
		dirs    []string
		wantErr string
	}{
		{"the only folder is gone (device unplugged)", []string{gone}, "not found"},
		{"one of two folders is gone", []string{gone, empty}, ""},
		{"present but empty", []string{empty}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSource(t, "folder", tt.dirs...)
			err := s.List(context.Background(), source.Query{}, func(source.Activity) error { return nil })
			checkErr(t, "List", err, tt.wantErr)
		})
	}
}
