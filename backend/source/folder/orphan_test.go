package folder

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tormoder/fit"
)

// crashedRecording is the first part of a real Zwift ride as the live buffer
// holds it mid-ride: header not updated yet, last message cut in half.
func crashedRecording(t *testing.T) []byte {
	t.Helper()
	rec := cloneBytes(fixture(t, zwiftRide)[:40_001])
	binary.LittleEndian.PutUint32(rec[4:8], 0)
	return rec
}

// snapshot records every file's bytes and mtime in dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, _ := e.Info()
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out[e.Name()] = RemoteID(data) + info.ModTime().String()
	}
	return out
}

func TestOrphanedInProgress(t *testing.T) {
	ride := fixture(t, zwiftRide)
	corruptTwin := cloneBytes(ride)
	corruptTwin[len(corruptTwin)-1] ^= 0xFF
	tests := []struct {
		name    string
		files   map[string][]byte
		mtime   time.Time // of inProgressActivity.fit
		records int       // of the orphan; 0 = none expected
	}{
		{"crash: only the live buffer", map[string][]byte{"inProgressActivity.fit": crashedRecording(t)}, longAgo, -1},
		{"normal save: the buffer stays beside its finished copy", map[string][]byte{"inProgressActivity.fit": ride, "2017-10-05-02-03-29.fit": ride}, longAgo, 0},
		{"crashed while copying: the dated copy is cut off", map[string][]byte{"inProgressActivity.fit": ride, "2017-10-05-02-03-29.fit": corruptTwin}, longAgo, 1808},
		{"ride still going on", map[string][]byte{"inProgressActivity.fit": crashedRecording(t)}, time.Now().Add(-time.Minute), 0},
		{"other rides saved, this one not", map[string][]byte{"INPROGRESSACTIVITY.FIT": crashedRecording(t), "2026-03-01-18-40-53.fit": syntheticRide(t, 1)}, longAgo, -1},
		{"empty buffer", map[string][]byte{"inProgressActivity.fit": ride[:600]}, longAgo, 0},
	}
	whole, _ := walkFIT(ride, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				mt := longAgo
				if strings.EqualFold(name, inProgressName) {
					mt = tt.mtime
				}
				writeFile(t, dir, name, data, mt)
			}
			got, err := OrphanedInProgress(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tt.records == 0 {
				if len(got) != 0 {
					t.Fatalf("offered %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("offered %d orphans, want 1", len(got))
			}
			o := got[0]
			if !o.Start.Equal(whole.First) || !strings.EqualFold(filepath.Base(o.Path), inProgressName) {
				t.Fatalf("orphan %+v, want start %v", o, whole.First)
			}
			if tt.records > 0 && o.Records != tt.records {
				t.Fatalf("records %d, want %d", o.Records, tt.records)
			}
			if tt.records < 0 && (o.Records == 0 || o.Records >= whole.Records || !o.End.After(o.Start)) {
				t.Fatalf("cut-off recording read as %d records from %v to %v", o.Records, o.Start, o.End)
			}
		})
	}
}

func TestRecover(t *testing.T) {
	zwiftDir, dest := t.TempDir(), filepath.Join(t.TempDir(), "Recovered")
	writeFile(t, zwiftDir, "inProgressActivity.fit", crashedRecording(t), longAgo)
	before := snapshot(t, zwiftDir)

	orphans, err := OrphanedInProgress(zwiftDir)
	if err != nil || len(orphans) != 1 {
		t.Fatalf("orphans %v, %v", orphans, err)
	}
	o := orphans[0]
	p, err := Recover(o, dest)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p) != dest || !strings.HasSuffix(p, "-recovered.fit") || nameVerdict(filepath.Base(p), ZwiftRules) != "" {
		t.Fatalf("recovered to %s", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// The copy is a finished file by this package's rules and by an
	// independent FIT decoder.
	if err := checkFIT(data); err != nil {
		t.Fatalf("recovered file: %v", err)
	}
	f, err := fit.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode recovered file: %v", err)
	}
	a, err := f.Activity()
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != o.Records || !a.Records[0].Timestamp.Equal(o.Start) {
		t.Fatalf("decoded %d records from %v, want %d from %v", len(a.Records), a.Records[0].Timestamp, o.Records, o.Start)
	}
	if after := snapshot(t, zwiftDir); len(after) != 1 || after["inProgressActivity.fit"] != before["inProgressActivity.fit"] {
		t.Fatalf("Zwift's folder changed: %v -> %v", before, after)
	}

	// Recovering twice gives the same file, not a second copy.
	again, err := Recover(o, dest)
	if err != nil || again != p {
		t.Fatalf("second recovery: %s, %v", again, err)
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 1 {
		t.Fatalf("destination holds %d files, want 1", len(entries))
	}

	// Zwift reused the buffer for a new ride: the offer is stale.
	writeFile(t, zwiftDir, "inProgressActivity.fit", syntheticRide(t, 5), longAgo)
	if _, err := Recover(o, dest); err == nil || !strings.Contains(err.Error(), "different ride") {
		t.Fatalf("recovering an overwritten buffer: %v", err)
	}
}
